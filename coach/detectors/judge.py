"""The LM judge: the local model as an optional detector (`--detectors rules,lm`).

The model answers a schema-constrained JSON list of {type, quote}. Nothing it says is taken on
trust: a type outside the taxonomy is rejected, and a quote is kept only when it can be aligned to
the draft (exact, then case/whitespace/typography-insensitive), so every flag still has exact
offsets and `quote == text[start:end]`. A quote that cannot be found is dropped, never guessed.
"""
from __future__ import annotations

import re
import threading

from coach.config import CoachConfig
from coach.errors import ModelUnavailableError
from coach.flags import Flag
from coach.lm.backends import generation_settings
from coach.lm.prompts import escape_draft, render
from coach.taxonomy import TYPE_NAMES, TYPES
from coach.text import DraftView

JUDGE_VERSION = 1
MAX_FLAGS = 6
DEFAULT_MAX_TOKENS = 120    # a judge answer is short; the card's max_tokens caps it further
DEFAULT_TIMEOUT_S = 15.0    # likewise capped by the card's timeout_s
SCHEMA = {
    "type": "object",
    "properties": {"flags": {"type": "array", "maxItems": MAX_FLAGS, "items": {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": list(TYPE_NAMES)},
                       "quote": {"type": "string", "maxLength": 200}},
        "required": ["type", "quote"], "additionalProperties": False}}},
    "required": ["flags"], "additionalProperties": False}


def _types_block() -> str:
    return "\n".join(f"- {t.name}: {t.why}" for t in TYPES.values())


def align_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`: exact first, then ignoring case, spacing and curly quotes."""
    quote = quote.strip().strip('"').strip()
    if len(quote) < 3:
        return None
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    # Match on the normalised text, which has the same length as `text`, so match offsets are
    # offsets into `text`. Case is ignored by the regex, never by lower(): a few characters
    # ("İ") grow when lower-cased and would shift every offset after them.
    norm_text = DraftView(text).norm
    parts = [re.escape(w) for w in DraftView(quote).norm.split()]
    if not parts:
        return None
    m = re.search(r"\s+".join(parts), norm_text, re.IGNORECASE)
    if m:
        return m.start(), m.end()
    return None


def parse_flags(text: str, obj: dict | None, source: str = "lm") -> list[Flag]:
    """Validated flags from the judge's JSON: taxonomy types only, quotes aligned or dropped."""
    out: list[Flag] = []
    if not isinstance(obj, dict) or not isinstance(obj.get("flags"), list):
        return out
    for item in obj["flags"][:MAX_FLAGS]:
        if not isinstance(item, dict):
            continue
        t, q = item.get("type"), item.get("quote")
        if t not in TYPES or not isinstance(q, str):
            continue
        where = align_quote(text, q)
        if where is None:
            continue
        a, b = where
        if b - a > 0.9 * len(text) and len(text) > 80:  # "the whole draft" is not a span
            continue
        pt = TYPES[t]
        out.append(Flag(pt.family, t, a, b, text[a:b], pt.why, pt.fix, pt.severity, source,
                        rule="lm.judge", score=0.5))
    return out


class LMJudge:
    """Detector protocol: `detect(view) -> list[Flag]`."""

    name = "lm"

    def __init__(self, backend=None, max_tokens: int | None = None,
                 timeout_s: float | None = None) -> None:
        self._backend = backend
        self._max_tokens, self._timeout_s = max_tokens, timeout_s
        self._lock = threading.Lock()

    def _limits(self, backend) -> tuple[int, float]:
        """(max_tokens, timeout_s) of a call: the values given, else the judge's defaults
        (120 tokens, 15 s) capped by the generation limits of the backend's model card."""
        gen = generation_settings(backend)
        mt = self._max_tokens if self._max_tokens is not None else \
            min(DEFAULT_MAX_TOKENS, int(gen.get("max_tokens", DEFAULT_MAX_TOKENS)))
        to = self._timeout_s if self._timeout_s is not None else \
            min(DEFAULT_TIMEOUT_S, float(gen.get("timeout_s", DEFAULT_TIMEOUT_S)))
        return mt, to

    @property
    def backend(self):
        with self._lock:
            if self._backend is None:
                from coach.lm.backends import get_backend

                self._backend = get_backend()
            return self._backend

    def judge(self, text: str) -> list[Flag]:
        if not text.strip():
            return []
        system = render("judge", "system", JUDGE_VERSION, types=_types_block())
        user = render("judge", "user", JUDGE_VERSION, draft=escape_draft(text[:4000]))
        backend = self.backend
        max_tokens, timeout_s = self._limits(backend)
        try:
            g = backend.chat([{"role": "system", "content": system},
                              {"role": "user", "content": user}],
                             max_tokens=max_tokens, temperature=0.0, json_schema=SCHEMA,
                             timeout_s=timeout_s)
            obj = g.json()
        except (RuntimeError, ValueError, KeyError, IndexError, TypeError):
            return []  # a failed or malformed backend reply: no flags, never a crash
        return parse_flags(text, obj)

    def detect(self, view: DraftView) -> list[Flag]:
        return self.judge(view.text)


def make_judge(config: CoachConfig) -> LMJudge:
    """Factory for the pipeline registry; fails early with the install hint if weights are absent."""
    from coach.lm.cards import load_card

    card = load_card()
    card.part_paths()  # ModelUnavailableError naming the packages when they are missing
    return LMJudge()


__all__ = ["LMJudge", "make_judge", "parse_flags", "align_quote", "SCHEMA", "ModelUnavailableError"]
