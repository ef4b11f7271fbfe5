"""Split a draft into the units the classifier embeds: sentences, and clauses inside them.

Offsets are into the original draft, so a flag's quote is always `text[start:end]`. Units come
from the masked view (`DraftView.masked`): the customer's quoted words and ignored regions are
blanked there, so a quoted "my hands are tied" is never embedded as the agent's own words.
Greetings, sign-offs and one-word fragments are never worth a model call and are skipped: that
is most of the saving that keeps a single check under the latency budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from coach.text import DraftView

# Clause boundaries inside a sentence: a comma before a conjunction or a new subject, a semicolon,
# a dash. The boundary text is left out of both clauses.
_CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:but|so|and|because|which|though|although|yet|or|as|since|unless|however|"
    r"otherwise|then|i|i'm|i've|we|we're|we've|you|they|they're|it|it's|that|this|there|"
    r"he|she|unfortunately|sadly|honestly)\b)"
    r"|,\s+(?=(?-i:[A-Z]))|;\s+|\s+[-\u2013\u2014]+\s+|\s*\(\s*|\s*\)\s*",
    re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Units that carry no stance: salutations, sign-offs, bare thanks.
_NO_STANCE = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening))\b[^.!?]{0,40}"
    r"|(?:kind |best |warm |many )?(?:regards|thanks|thank you|cheers|best|sincerely|"
    r"yours sincerely|yours faithfully|all the best|take care|ta)\b[^.!?]{0,30}"
    r"|(?:ticket|ref|order|case)\s*[#:]?\s*\S+)[.!,]?$",
    re.IGNORECASE)
MIN_WORDS = 2


@dataclass(frozen=True)
class Unit:
    """A span of the draft to classify; `text` is what the model sees (whitespace collapsed)."""

    start: int
    end: int
    text: str


def _unit(masked: str, start: int, end: int) -> Unit | None:
    while start < end and masked[start].isspace():
        start += 1
    while end > start and (masked[end - 1].isspace() or masked[end - 1] in ",;"):
        end -= 1
    if end <= start:
        return None
    return Unit(start, end, _SPACES.sub(" ", masked[start:end]))


def worth_embedding(unit: Unit) -> bool:
    """False for units that cannot hold a dodge: too short, greetings, sign-offs, references."""
    if len(_WORD.findall(unit.text)) < MIN_WORDS:
        return False
    return not _NO_STANCE.match(unit.text.strip())


def sentences(view: DraftView) -> list[Unit]:
    """Sentence units of a draft (all of them, before filtering)."""
    out = []
    for s, e in view.sentences:
        # "Hi Sam, there's nothing I can do": the salutation only dilutes the meaning, drop it.
        m = _CLAUSE_BREAK.search(view.masked, s, e)
        if m is not None:
            head = _unit(view.masked, s, m.start())
            if head is not None and not worth_embedding(head):
                s = m.end()
        u = _unit(view.masked, s, e)
        if u is not None:
            out.append(u)
    return out


def clauses(view: DraftView, sentence: Unit) -> list[Unit]:
    """Clause units inside one sentence; a sentence without a break yields itself only."""
    masked = view.masked
    pieces, pos = [], sentence.start
    for m in _CLAUSE_BREAK.finditer(masked, sentence.start, sentence.end):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, sentence.end))
    out = []
    for s, e in pieces:
        u = _unit(masked, s, e)
        if u is not None and worth_embedding(u):
            out.append(u)
    return out or [sentence]
