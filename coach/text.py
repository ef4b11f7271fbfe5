"""Text views that keep exact character offsets.

Detectors never match on the raw draft. They match on a *view* of the same length in which
curly apostrophes/quotes are normalised, the customer's quoted words and ignored regions are
blanked out, so every match offset is also an offset into the original draft.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

# Same-length normalisation: one character in, one character out. `NORMALISE` is the one shared
# table (str.translate); other modules extend it rather than keep their own copy.
_NORMALISE = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                            "\u2032": "'", "\u00a0": " ", "\u2013": "-", "\u2014": "-"})
NORMALISE = _NORMALISE

# Quoted material: the customer's (or anyone's) words, which the agent is not saying themselves.
_QUOTED = re.compile(r'"[^"\n]{1,400}"|(?<![\w\'])\'[^\'\n]{2,200}\'(?![\w])')

# Inline ignore markers: <!-- coach off --> ... <!-- coach on -->, or [coach:off] ... [coach:on].
_IGNORE = re.compile(
    r"(?:<!--\s*coach[\s:-]*off\s*-->|\[coach:off\])(.*?)(?:<!--\s*coach[\s:-]*on\s*-->|\[coach:on\]|\Z)",
    re.IGNORECASE | re.DOTALL)
# A blank line: where one message of a pasted transcript or thread ends and the next begins.
PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t\r\f\v]*\n)+")
_IGNORE_MARK = re.compile(r"<!--\s*coach[\s:-]*(?:off|on)\s*-->|\[coach:(?:off|on)\]", re.IGNORECASE)

# Context windows are bounded, so checking stays linear in the draft's length: a rule that looks
# at "the rest of the draft" looks at most this far, and a "sentence" with no punctuation is cut
# into pieces of at most MAX_SENTENCE characters. Both are far beyond any single reply (p99 of
# the dev drafts: ~1,100 characters), so replies are checked exactly as before; only pasted
# transcripts and threads see the bound.
MAX_CONTEXT = 4_000
MAX_SENTENCE = 1_000

# A full stop after a title or abbreviation ("Dear Mr. Okafor", "ref no. 4411", "e.g. this")
# ends no sentence; each is a fixed-width lookbehind, so the split stays one regex pass.
_ABBREV = "".join(rf"(?<!\b{a})" for a in (r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"St\.",
                                           r"No\.", r"no\.", r"vs\.", r"e\.g\.", r"i\.e\.",
                                           r"approx\.", r"Ref\.", r"ref\."))
_SENT_END = re.compile(r"(?<=[.!?…])" + _ABBREV +
                       r"[\"')\]]*\s+|\n+|(?<=[;:])\s+(?=[A-Z])|\s+[-–—]\s+(?=[A-Z])")


def blank_all(s: str, regions: list[tuple[int, int]]) -> str:
    """`s` with every (start, end) region replaced by spaces (newlines kept, so sentence
    splitting still works), in one pass: linear in len(s) + regions."""
    if not regions:
        return s
    out, pos = [], 0
    for a, b in sorted(regions):
        a = max(a, pos)
        if b <= a:
            continue
        out.append(s[pos:a])
        out.append("".join("\n" if c == "\n" else " " for c in s[a:b]))
        pos = b
    out.append(s[pos:])
    return "".join(out)


def _cut_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """(s, e) as pieces of at most MAX_SENTENCE characters, cut at the last space if any."""
    out = []
    while e - s > MAX_SENTENCE:
        cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
        cut = cut if cut > s else s + MAX_SENTENCE
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    out.append((s, e))
    return out


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence (and strong clause) spans as (start, end) offsets, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s > MAX_SENTENCE:
            out.extend(_cut_long(text, s, e))
        elif e > s:
            out.append((s, e))
    return out


def _wordish(c: str) -> bool:
    """A character that belongs to a word: letters, digits, underscore, combining marks."""
    return c.isalnum() or c == "_" or unicodedata.category(c).startswith("M")


_APOS = "'\u2019"


def word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) widened so the span neither starts nor ends inside a word.

    A highlight that ends at "s|ervice" reads as a bug, and a rule whose pattern stops mid-word
    still meant the whole word. Widening (never shrinking) keeps every matched character.
    """
    while 0 < start < len(text) and _wordish(text[start - 1]) and _wordish(text[start]):
        start -= 1
    # a contraction is one word: "It'|ll" -> "It'll" (the tagger's word pieces split there)
    while start >= 2 and text[start - 1] in _APOS and _wordish(text[start - 2]) and \
            start < len(text) and _wordish(text[start]):
        start -= 2
        while start > 0 and _wordish(text[start - 1]):
            start -= 1
    while 0 < end < len(text) and _wordish(text[end - 1]) and _wordish(text[end]):
        end += 1
    while end + 1 < len(text) and text[end] in _APOS and _wordish(text[end - 1]) and \
            _wordish(text[end + 1]):
        end += 2
        while end < len(text) and _wordish(text[end]):
            end += 1
    return start, end


@dataclass
class DraftView:
    """A draft plus the offset-preserving views the detectors need (computed lazily, once)."""

    text: str
    allowlist: tuple[str, ...] = ()

    @cached_property
    def norm(self) -> str:
        """Curly quotes normalised; same length as `text`."""
        return self.text.translate(_NORMALISE)

    @cached_property
    def ignored(self) -> list[tuple[int, int]]:
        """Regions the user asked us to skip: ignore markers and allowlisted phrases."""
        regions = [(m.start(), m.end()) for m in _IGNORE.finditer(self.norm)]
        low = self.norm.lower()
        for phrase in self.allowlist:
            p = phrase.lower().strip()
            if not p:
                continue
            i = low.find(p)
            while i >= 0:
                regions.append((i, i + len(p)))
                i = low.find(p, i + 1)
        return regions

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) of each paragraph: the text between blank lines. A long draft is read
        paragraph by paragraph (the tagger's windows, the rules' scan of a long draft), since
        a pasted transcript or thread is a run of messages with blank lines between them."""
        out, pos = [], 0
        for m in PARAGRAPH_BREAK.finditer(self.text):
            if self.text[pos:m.start()].strip():
                out.append((pos, m.start()))
            pos = m.end()
        if self.text[pos:].strip():
            out.append((pos, len(self.text)))
        return out

    def paragraphs_with(self, text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
        """The paragraphs of `text` (a same-length view of the draft) that hold one of `words`,
        in order."""
        paras = self.paragraphs
        starts = [a for a, _b in paras]
        hit: set[int] = set()
        for w in words:
            i = text.find(w)
            while i >= 0:
                k = bisect_right(starts, i) - 1
                if k >= 0 and i + len(w) <= paras[k][1]:
                    hit.add(k)
                    i = paras[k][1]   # the rest of that paragraph holds nothing new
                i = text.find(w, i + 1)
        return [paras[k] for k in sorted(hit)]

    @cached_property
    def context_cache(self) -> dict:
        """Rule engine scratch: (pattern, window) -> found, so a window is searched once."""
        return {}

    @cached_property
    def _ignored_runs(self) -> tuple[list[int], list[int]]:
        """The ignored regions merged into disjoint sorted runs: (starts, ends)."""
        starts: list[int] = []
        ends: list[int] = []
        for a, b in sorted(self.ignored):
            if ends and a <= ends[-1]:
                ends[-1] = max(ends[-1], b)
            else:
                starts.append(a)
                ends.append(b)
        return starts, ends

    def is_ignored(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps an ignored region (a binary search, not a scan)."""
        starts, ends = self._ignored_runs
        i = bisect_right(starts, end - 1) - 1 if end > start else bisect_right(starts, start) - 1
        return i >= 0 and ends[i] > start

    @cached_property
    def quoted(self) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in _QUOTED.finditer(self.norm)]

    @cached_property
    def masked(self) -> str:
        """The matching view: normalised, with quoted words and ignored regions blanked."""
        marks = [(m.start(), m.end()) for m in _IGNORE_MARK.finditer(self.norm)]
        return blank_all(self.norm, self.quoted + self.ignored + marks)

    @cached_property
    def unquoted(self) -> str:
        """Normalised with the quoted words and coach-off regions blanked, but allowlisted
        phrases kept: what the span tagger reads. An allowed phrase stays in so the words
        around it keep their context (the pipeline drops every flag that touches it); text
        the user switched off is not the draft's."""
        off = [(m.start(), m.end()) for m in _IGNORE.finditer(self.norm)]
        marks = [(m.start(), m.end()) for m in _IGNORE_MARK.finditer(self.norm)]
        return blank_all(self.norm, self.quoted + off + marks)

    @cached_property
    def low(self) -> str:
        """`masked` lower-cased, same length (rules match lower-cased patterns against it)."""
        low = self.masked.lower()
        if len(low) != len(self.masked):  # a few characters (e.g. "İ") grow when lower-cased
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.masked)
        return low

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return sentence_bounds(self.masked)

    @cached_property
    def _starts(self) -> list[int]:
        return [s for s, _e in self.sentences]

    def sentence_index(self, pos: int) -> int:
        """Index of the sentence containing offset `pos` (or the nearest one before it)."""
        return max(bisect_right(self._starts, pos) - 1, 0)

    def window(self, start: int, end: int, scope: str, lower: bool = False) -> str:
        a, b = self.window_bounds(start, end, scope)
        return (self.low if lower else self.masked)[a:b]

    def window_bounds(self, start: int, end: int, scope: str) -> tuple[int, int]:
        """The masked text around a match for context checks.

        scope: `sentence` (the match's sentence), `next` (it and the next one), `prev` (the
        previous one and it), `around` (previous, it, next), `after` (from the match end to the end of
        the draft), `before` (draft start to match start), `draft` (everything). `after`,
        `before` and `draft` reach at most MAX_CONTEXT characters from the match.
        """
        n = len(self.masked)
        if scope == "draft":
            return max(0, start - MAX_CONTEXT), min(n, end + MAX_CONTEXT)
        if scope == "after":
            return end, min(n, end + MAX_CONTEXT)
        if scope == "before":
            return max(0, start - MAX_CONTEXT), start
        sents = self.sentences or [(0, n)]
        i = self.sentence_index(start)
        j = self.sentence_index(max(start, end - 1))
        lo, hi = i, j
        if scope in ("next", "around"):
            hi = min(j + 1, len(sents) - 1)
        if scope in ("prev", "around"):
            lo = max(i - 1, 0)
        if scope == "rest_of_sentence":
            return end, max(end, sents[j][1])
        if scope == "sentence_before":
            return min(sents[i][0], start), start
        return sents[lo][0], max(sents[hi][1], end)
