"""The Reply Coach taxonomy: the one place that names families and types.

Every other module (rules, classifier, metrics, UI, reports) imports these names from here, so a
type can never be spelled two ways. Each type carries the agent-facing explanation ("why this
hurts") and the ownership move that fixes it; rule packs may override the wording per rule.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemType:
    """One problem type: its family, why it hurts, and the ownership move that fixes it."""

    name: str
    family: str
    why: str
    fix: str
    severity: str
    label: str
    cue: str = ""   # how the words that carry it hurt: "{words}" is filled with them

    def explain(self, words: str, why: str | None = None) -> str:
        """The message of a flag that names its own words ("'the warehouse' points at another
        team..."), so an agent sees what in the quote causes it, then why it hurts (`why`: a
        rule's own wording, else the type's)."""
        why = why or self.why
        words = " ".join(words.split())
        if not words or not self.cue:
            return why
        if len(words) > 60:
            words = words[:57].rsplit(" ", 1)[0] + "..."
        return self.cue.format(words=words) + " " + why


FAMILIES: tuple[str, ...] = ("distancing", "scripted_apology", "dead_end")

_TYPES = [
    ProblemType(
        "they_language", "distancing",
        "Talking about the company as \"they\" tells the customer you are not part of it, so no one "
        "seems to own their problem.",
        "Say \"we\" for the company and \"I\" for what you will do: \"We changed the billing system, "
        "and I'll walk you through the new invoice.\"",
        "warning", "They-language", "\u201c{words}\u201d speaks of our own company or team as someone else."),
    ProblemType(
        "blame_shifting", "distancing",
        "Pointing at another team, a partner, the system, the customer, or hiding behind the passive "
        "voice (\"mistakes were made\") sounds like an excuse and leaves no owner.",
        "Own it in the active voice: \"We made a mistake with your order, and here is what I'm doing "
        "to fix it.\"",
        "error", "Blame-shifting", "\u201c{words}\u201d puts the fault somewhere else, or on no one."),
    ProblemType(
        "powerless", "distancing",
        "Saying you can't help makes the customer feel stuck with the wrong person and pushes them "
        "to escalate.",
        "Say what you can do, even if it is not everything they asked for: \"Here's what I can do "
        "right now: ...\"",
        "warning", "Powerless", "\u201c{words}\u201d tells the customer you can't help."),
    ProblemType(
        "policy_wall", "distancing",
        "A bare rule with no reason and no alternative reads as a wall; the customer hears \"no\" and "
        "nothing else.",
        "Stand by the policy as yours, give the reason, and offer the best alternative: \"We don't "
        "do X because Y; what I can do is Z.\"",
        "warning", "Policy wall", "\u201c{words}\u201d stops at the rule, with no reason or alternative."),
    ProblemType(
        "disowning", "distancing",
        "Siding with the customer against your own company (\"the policy is dumb, but...\") breaks "
        "trust in both you and the company.",
        "Acknowledge the frustration without criticising the company, and own the explanation: "
        "\"I understand this is frustrating; we set this rule because ...\"",
        "warning", "Disowning", "\u201c{words}\u201d sides against your own company."),
    ProblemType(
        "scripted_apology", "scripted_apology",
        "A stock apology (\"we apologise for any inconvenience\") sounds copied and empty; it names "
        "neither the problem nor a fix.",
        "Apologise for the specific thing that went wrong and follow it with the action you are "
        "taking: \"I'm sorry your parcel arrived late; I've refunded the delivery fee.\"",
        "info", "Scripted apology", "\u201c{words}\u201d is a stock apology that names nothing specific."),
    ProblemType(
        "dead_end", "dead_end",
        "The reply leaves the customer nowhere: sent elsewhere, told to wait with no time, or told "
        "nothing can be found, with no next step.",
        "End with a concrete next step you own: what you will do, by when, or exactly what you need "
        "from the customer.",
        "warning", "Dead end", "\u201c{words}\u201d leaves the customer with no next step."),
]

TYPES: dict[str, ProblemType] = {t.name: t for t in _TYPES}
TYPE_NAMES: tuple[str, ...] = tuple(TYPES)
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")


def types_in(family: str) -> list[str]:
    """All type names of one family, in taxonomy order."""
    return [t.name for t in _TYPES if t.family == family]
