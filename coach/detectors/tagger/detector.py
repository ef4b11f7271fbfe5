"""The `tagger` detector: token probabilities -> problem spans with exact offsets.

A token's score for a type is P(B-type) + P(I-type). A span is a run of tokens scoring at or
above the type's threshold (thresholds were calibrated per type on the dev sets by `reply-coach
train`; a config's `thresholds` overrides them); one low token inside a run (a comma, "the") does
not cut it. The span runs from its first token's start to its last token's end, so the pipeline's
word-boundary widening only ever completes a word piece. The flag's message names the words that
scored highest, so the agent sees what in the quote causes it.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from coach.config import CoachConfig
from coach.errors import ConfigError
from coach.flags import Flag
from coach.detectors.tagger.labels import type_columns
from coach.detectors.tagger.runtime import OrtTagger
from coach.detectors.tagger.windows import Window
from coach.taxonomy import TYPES
from coach.text import DraftView

GAP = 1           # low tokens allowed inside a run
CUE_TOKENS = 4    # the words named in the message: the best-scoring stretch of this many tokens
MIN_WORDS = 2     # shorter spans are dropped (real-dev: clean false alarms 3.0 -> 2.5 %, recall 0.51 -> 0.48)

_TAGGERS: dict[str, OrtTagger] = {}


def get_tagger(model_dir: str | None = None) -> OrtTagger:
    """One loaded tagger per model directory and process."""
    key = str(model_dir or "")
    if key not in _TAGGERS:
        _TAGGERS[key] = OrtTagger(model_dir)
    return _TAGGERS[key]


def runs(score: np.ndarray, threshold: float, gap: int = GAP) -> list[tuple[int, int]]:
    """[start, end) token runs where score >= threshold, bridging up to `gap` low tokens."""
    out: list[tuple[int, int]] = []
    hits = np.flatnonzero(score >= threshold)
    if hits.size == 0:
        return out
    start = prev = int(hits[0])
    for h in hits[1:].tolist():
        if h - prev > gap + 1:
            out.append((start, prev + 1))
            start = h
        prev = h
    out.append((start, prev + 1))
    return out


def spans_of(window: Window, probs: np.ndarray, thresholds: dict[str, float]
             ) -> list[tuple[str, int, int, float, int, int]]:
    """(type, start, end, score, cue_start, cue_end) per span in one window (draft offsets)."""
    out = []
    for t, b, i in type_columns(probs.shape[1]):
        th = thresholds.get(t, 2.0)
        if th > 1.0:
            continue
        score = probs[:, b] + probs[:, i]
        for a, z in runs(score, th):
            k = min(CUE_TOKENS, z - a)
            sums = np.convolve(score[a:z], np.ones(k), mode="valid")
            c = a + int(np.argmax(sums))
            out.append((t, int(window.offsets[a, 0]), int(window.offsets[z - 1, 1]),
                        float(score[a:z].max()), int(window.offsets[c, 0]),
                        int(window.offsets[c + k - 1, 1])))
    return out


_EDGE = " \t\n.,;:!?-\u2013\u2014\"'()"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """A span without the punctuation and spaces its edge tokens may carry ("tied." -> "tied")."""
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


class TaggerDetector:
    """The fine-tuned span tagger as a pipeline detector (source "tagger", score = max P)."""

    name = "tagger"

    def __init__(self, config: CoachConfig | None = None, tagger: OrtTagger | None = None) -> None:
        config = config or CoachConfig()
        self.tagger = tagger or get_tagger(config.tagger_dir)
        self.thresholds = dict(self.tagger.meta.thresholds)
        for t, v in (config.thresholds or {}).items():
            if t not in TYPES:
                raise ConfigError(f"thresholds: unknown type {t!r}; expected one of {list(TYPES)}")
            if not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
                raise ConfigError(f"thresholds: {t} must be a number between 0 and 1, got {v!r}")
            self.thresholds[t] = float(v)

    def detect(self, view: DraftView) -> list[Flag]:
        return self.detect_many([view])[0]

    def detect_many(self, views: Sequence[DraftView]) -> list[list[Flag]]:
        return self.start_many(views)()

    def start_many(self, views: Sequence[DraftView]) -> Callable[[], list[list[Flag]]]:
        """`detect_many(views)` begun now (the encoder may start in the background), finished
        by calling what it returns: the pipeline runs the rules in between."""
        per_view = [self.tagger.windows(v) for v in views]
        flat = [w for ws in per_view for w in ws]
        pending = self.tagger.start(flat) if flat else (lambda: [])
        return lambda: self._flags(views, per_view, pending())

    def _flags(self, views: Sequence[DraftView], per_view: list[list[Window]],
               probs: list[np.ndarray]) -> list[list[Flag]]:
        out, pos = [], 0
        for view, ws in zip(views, per_view):
            flags = []
            for w in ws:
                for t, s, e, score, cs, ce in spans_of(w, probs[pos], self.thresholds):
                    s, e = _trim(view.text, s, e)
                    if len(view.text[s:e].split()) < MIN_WORDS:
                        continue            # a lone word ("are") carries no dodge
                    ty = TYPES[t]
                    flags.append(Flag(ty.family, t, s, e, view.text[s:e],
                                      ty.explain(view.text[cs:ce]), ty.fix, ty.severity,
                                      "tagger", rule="", score=score))
                pos += 1
            out.append(flags)
        return out
