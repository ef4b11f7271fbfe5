"""Python conditions that rule packs can name (`check: they_refers_to_company`).

Most context lives in the YAML as `unless`/`require` regexes; a few decisions need a little
reasoning about the surrounding text (who does "they" point back to?). Those live here, in a
registry, so packs stay data and new conditions are added in one place (as spaCy registers
pipeline functions).
"""
from __future__ import annotations

import re
from typing import Callable

from coach import lexicon
from coach.text import DraftView

Condition = Callable[[DraftView, "re.Match[str]"], bool]
CONDITIONS: dict[str, Condition] = {}


def condition(name: str) -> Callable[[Condition], Condition]:
    def register(fn: Condition) -> Condition:
        CONDITIONS[name] = fn
        return fn
    return register


def _alternation(*lists: str, drop: tuple[str, ...] = ()) -> str:
    """Lexicon lists as one alternation, without the entries of `drop` (words both sides use)."""
    skip = {w for name in drop for w in lexicon.words(name)}
    return "|".join(w for name in lists for w in lexicon.words(name) if w not in skip)


# Nouns that name the company, its teams, people or sites (all from coach/lexicon.yaml). A "they"
# that points back to one of these is the company spoken of as someone else. A word the customer's
# side uses too ("payments") is evidence for neither, so it is left out, and so are the names in
# NOT_ANTECEDENTS ("a support ticket ... they'll call you").
_OTHER_LISTS = ("THIRD_PARTIES", "OUTSIDE_BODIES", "CUSTOMER_SIDE")
ORG_NOUNS = lexicon.compile(
    r"\b(?:(?P<det>your|our|the|my|their|his|her)\s+)?"
    r"(?:(?!(?:your|our|the|my|their|his|her)\b)[\w&-]+\s+){0,2}?"
    r"(?P<org>(?-i:IT)|"
    + _alternation("GROUP", "OUR_TEAMS", "HIGHER_UPS", "OUR_SYSTEMS", "OUR_SITES", "OUR_STAFF",
                   "SHARED_PLACES", drop=_OTHER_LISTS + ("NOT_ANTECEDENTS",))
    + r")\b", re.IGNORECASE)

# Partner companies, outside bodies and the customer's own people and things: a "they" pointing
# back here is clean (what the customer's kids or a courier do is not our distancing).
OTHER_NOUNS = lexicon.compile(r"\b(?:" + _alternation(*_OTHER_LISTS) + r")\b", re.IGNORECASE)


def _judge(m_org: "re.Match[str] | None", m_other: "re.Match[str] | None") -> str | None:
    best: tuple[int, str] | None = None
    if m_org:  # "your bank", "her school": someone else's organisation, not ours
        mine = (m_org.group("det") or "").lower() not in ("your", "his", "her")
        best = (m_org.start("org"), "org" if mine else "other")
    if m_other and (best is None or m_other.start() < best[0]):
        best = (m_other.start(), "other")
    return best[1] if best else None


def _first_candidate(text: str) -> str | None:
    """'org' or 'other' for the first candidate antecedent in text (subjects come first, and
    a pronoun most often points back to the subject), or None."""
    return _judge(ORG_NOUNS.search(text), OTHER_NOUNS.search(text))


def _first_before(view: DraftView, regex: "re.Pattern[str]", lo: int, hi: int, x: int):
    """The leftmost match of `regex` in masked[lo:x], where x (a pronoun's start, so a word
    boundary) lies in the window [lo, hi). The leftmost match of the whole window is found once
    per draft and reused: it is also the answer for every x at or past its end, and no match
    exists before x when it starts at or past x. Only a match straddling x needs a new search.
    This keeps a sentence that says "they" hundreds of times linear."""
    key = ("first", id(regex), lo, hi)
    cache = view.context_cache
    if key not in cache:
        cache[key] = regex.search(view.masked[lo:hi])
    m = cache[key]
    if m is None or m.start() + lo >= x:
        return None
    if m.end() + lo <= x:
        return m
    return regex.search(view.masked[lo:x])


def _candidate_before(view: DraftView, lo: int, hi: int, x: int) -> str | None:
    """_first_candidate(view.masked[lo:x]), computed from per-window leftmost matches."""
    return _judge(_first_before(view, ORG_NOUNS, lo, hi, x),
                  _first_before(view, OTHER_NOUNS, lo, hi, x))


def _antecedent(view: DraftView, match: "re.Match[str]") -> str | None:
    """'org', 'other' or None: the first candidate before the pronoun in its own sentence, else
    in the previous sentence."""
    s_lo, s_hi = view.window_bounds(match.start(), match.start(), "sentence")
    found = _candidate_before(view, s_lo, s_hi, match.start())
    if found is None:
        p_lo, _ = view.window_bounds(match.start(), match.start(), "prev")
        if p_lo < s_lo:
            found = _candidate_before(view, p_lo, s_lo, s_lo)
    return found


@condition("they_refers_to_company")
def they_refers_to_company(view: DraftView, match: "re.Match[str]") -> bool:
    """True when the pronoun in `match` plausibly points back to the company.

    We look back over the current and previous sentence for the nearest candidate antecedent:
    a team or system of ours makes it company-"they"; people, things or a partner company make
    it clean. With no antecedent, the rule's own pattern (a company-ish verb after "they")
    decides, so this condition passes.
    """
    return _antecedent(view, match) != "other"


@condition("they_is_our_team")
def they_is_our_team(view: DraftView, match: "re.Match[str]") -> bool:
    """Stricter: "they" has an explicit antecedent naming our own team or system."""
    return _antecedent(view, match) == "org"


@condition("not_after_agent_owner")
def not_after_agent_owner(view: DraftView, match: "re.Match[str]") -> bool:
    """False when the clause names the agent or company as the one who did it ("we", "I")."""
    head = view.window(match.start(), match.end(), "sentence_before")[-40:]
    return not re.search(r"\b(?:we|i|our team|i've|we've)\b[^.,;]*$", head, re.IGNORECASE)


_PLURAL_NP = lexicon.compile(
    r"\b(?:the|your|these|those|both|all|some|any|my|his|her|\d[\d,.]*|two|three|four|five|"
    r"several|many|few)\s+(?:[\w-]+\s+){0,2}?[a-z]{3,}s\b|\b(?:every|each)\s+\w+", re.IGNORECASE)


@condition("they_has_no_antecedent")
def they_has_no_antecedent(view: DraftView, match: "re.Match[str]") -> bool:
    """True when nothing in the draft could be what "they" means: no person, thing or partner
    noun and no plural noun phrase, before or after (agents often write "They're in - both
    parcels arrived"). An unnamed "they" in a support reply is then the faceless company."""
    lo, hi = view.window_bounds(match.start(), match.end(), "draft")
    text = view.masked
    if _first_candidate(text[lo:match.start()]) is not None:
        return False
    if OTHER_NOUNS.search(text, lo, hi) or _PLURAL_NP.search(text, lo, hi):
        return False
    return True


_REASON = lexicon.compile(lexicon.pattern("REASON"), re.IGNORECASE)


@condition("not_a_reasoned_refusal")
def not_a_reasoned_refusal(view: DraftView, match: "re.Match[str]") -> bool:
    """False for the company's own refusal with its reason in the same sentence ("We cannot
    install a water meter at 9 Castle View as the property shares a supply pipe"): that is a
    decision explained, not an agent declaring they are powerless. "I can't ... because the
    system won't let me" stays flagged: the agent still speaks as someone without a say."""
    if not re.match(r"we\b", view.low[match.start():match.end()]):
        return True
    _a, b = view.window_bounds(match.start(), match.end(), "sentence")
    return not _REASON.search(view.masked[match.start():b])
