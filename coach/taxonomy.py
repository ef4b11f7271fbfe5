"""The Reply Coach taxonomy: the one place that names families and types.

Every other module (rules, classifier, metrics, UI, reports) imports these names from here, so a
type can never be spelled two ways. Each type is one file, `coach/types/<type>.yaml`: the
agent-facing explanation ("why this hurts"), the ownership move that fixes it, and what a
rewrite of it needs (template, gap, next step, edit limits, prompt line), so the fallback, the
edits and the prompt read one description instead of keeping their own. Rule packs may override
the wording per rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

TYPES_DIR = Path(__file__).with_name("types")


@dataclass(frozen=True)
class RewriteSpec:
    """What a rewrite of this type needs (coach/types/<type>.yaml, `rewrite:`): read by the
    fallback, the ownership edits, the rewrite pass and the prompt, never written in their code."""

    template: str
    lead: int
    gap: str | None = None
    # The gap where the reply already gives the reason ("...as the property shares a supply
    # pipe"): asking for it again reads as a form ("" asks for nothing; None: `gap` as ever).
    reason_given_gap: str | None = None
    gap_position: str = "after"
    short_template: str | None = None
    needs_next_step: bool = False
    alternative_is_next_step: bool = False
    gives_next_step: bool = False
    edits: bool = True
    edit_must_own: bool = False
    max_dropped_words: int = 12
    model_context: bool = False
    avoid_words: tuple[str, ...] = ()
    handoff: str | None = None
    handoff_team: str = ""
    # The gap after a route the draft gives ("call the gift card line on the back of the
    # card"): the route stays, and the agent says what they do to help (None: no route gap).
    route_gap: str | None = None
    keeps_decision: bool = False
    prompt_line: str = ""
    # The sentence that stands in for one which is only the dodge (no fact, no decision): an
    # acknowledgement that criticises nobody; `acknowledge_thing` names what the dodge ran down.
    acknowledgement: str | None = None
    acknowledge_thing: str | None = None


@dataclass(frozen=True)
class ProblemType:
    """One problem type: its family, why it hurts, the ownership move that fixes it, and what a
    rewrite of it needs."""

    name: str
    family: str
    why: str
    fix: str
    severity: str
    label: str
    cue: str = ""   # how the words that carry it hurt: "{words}" is filled with them
    # The lexicon cues (REASON, ALTERNATIVE) that, all present around a flag, make it no problem:
    # a rule given with its reason and an alternative (coach.pipeline.explained).
    clean_when: tuple[str, ...] = ()
    rewrite: RewriteSpec = field(default_factory=lambda: RewriteSpec("", 0))

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
# The seven names are fixed (the product's vocabulary); everything else about a type is its file.
_NAMES = ("they_language", "blame_shifting", "powerless", "policy_wall", "disowning",
          "scripted_apology", "dead_end")
_FIELDS = ("name", "family", "label", "severity", "why", "fix", "cue", "rewrite")


def _load(name: str) -> ProblemType:
    path = TYPES_DIR / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:   # a broken install: say which file
        raise RuntimeError(f"{path}: unreadable problem type ({e})") from None
    missing = [k for k in _FIELDS if k not in (data or {})]
    if missing or data["name"] != name or data["family"] not in FAMILIES:
        raise RuntimeError(f"{path}: needs {list(_FIELDS)} with name {name!r} and a family of "
                           f"{list(FAMILIES)}; missing {missing}")
    rw = dict(data["rewrite"])
    rw["avoid_words"] = tuple(rw.get("avoid_words") or ())
    return ProblemType(name, data["family"], data["why"], data["fix"], data["severity"],
                       data["label"], data["cue"], tuple(data.get("clean_when") or ()),
                       RewriteSpec(**rw))


_TYPES = [_load(n) for n in _NAMES]

TYPES: dict[str, ProblemType] = {t.name: t for t in _TYPES}
TYPE_NAMES: tuple[str, ...] = tuple(TYPES)
SEVERITIES: tuple[str, ...] = ("info", "warning", "error")


def types_in(family: str) -> list[str]:
    """All type names of one family, in taxonomy order."""
    return [t.name for t in _TYPES if t.family == family]
