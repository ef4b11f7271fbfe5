"""Scoring detectors against labelled drafts (as spaCy's Scorer does): P/R/F1 per family and type,
micro-F1 over (draft, family) pairs, clean-draft false-positive rate, the hard subset, span
overlap and latency. Pure functions over plain data, so the numbers are unit-tested by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from coach.taxonomy import FAMILIES, TYPE_NAMES


@dataclass
class GoldItem:
    id: str
    text: str
    families: set[str]
    types: set[str]
    spans: list[tuple[str, str, int, int]]  # (family, type, start, end)
    hard: bool = False
    row: dict = field(default_factory=dict)


@dataclass
class PredItem:
    families: set[str]
    types: set[str]
    spans: list[tuple[str, str, int, int]]
    latency_ms: float = 0.0


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "fp": fp, "fn": fn,
            "support": tp + fn}


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), as numpy's default."""
    if not values:
        return 0.0
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _labels(golds: Sequence[GoldItem], preds: Sequence[PredItem], attr: str,
            names: Iterable[str]) -> dict:
    out = {}
    for name in names:
        tp = fp = fn = 0
        for g, p in zip(golds, preds):
            gi, pi = name in getattr(g, attr), name in getattr(p, attr)
            tp += gi and pi
            fp += pi and not gi
            fn += gi and not pi
        out[name] = prf(tp, fp, fn)
    return out


def _micro(golds: Sequence[GoldItem], preds: Sequence[PredItem], attr: str = "families") -> dict:
    tp = fp = fn = 0
    for g, p in zip(golds, preds):
        gs, ps = getattr(g, attr), getattr(p, attr)
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    return prf(tp, fp, fn)


def _clean_fp(golds: Sequence[GoldItem], preds: Sequence[PredItem]) -> tuple[float, int]:
    clean = [(g, p) for g, p in zip(golds, preds) if not g.families]
    if not clean:
        return 0.0, 0
    return round(sum(bool(p.families) for _g, p in clean) / len(clean), 4), len(clean)


def span_match(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Spans match when they overlap by at least half of the shorter one."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and overlap >= shorter / 2


def _spans(golds: Sequence[GoldItem], preds: Sequence[PredItem]) -> dict:
    tp = n_pred = n_gold = 0
    for g, p in zip(golds, preds):
        n_pred += len(p.spans)
        n_gold += len(g.spans)
        used: set[int] = set()
        for fam, _t, s, e in p.spans:
            for i, (gf, _gt, gs, ge) in enumerate(g.spans):
                if i not in used and gf == fam and span_match((s, e), (gs, ge)):
                    used.add(i)
                    tp += 1
                    break
    res = prf(tp, n_pred - tp, n_gold - tp)
    res.update(n_pred=n_pred, n_gold=n_gold)
    return res


def score(golds: Sequence[GoldItem], preds: Sequence[PredItem]) -> dict:
    """All eval metrics as one JSON-able dict (the shape printed by `reply-coach eval --json`)."""
    if len(golds) != len(preds):
        raise ValueError("golds and preds differ in length")
    clean_fp, n_clean = _clean_fp(golds, preds)
    hard = [(g, p) for g, p in zip(golds, preds) if g.hard]
    hg, hp = [g for g, _ in hard], [p for _, p in hard]
    hard_fp, hard_clean = _clean_fp(hg, hp)
    lat = [p.latency_ms for p in preds]
    return {
        "n": len(golds),
        "n_clean": n_clean,
        "micro": _micro(golds, preds),
        "micro_type": _micro(golds, preds, "types"),
        "family": _labels(golds, preds, "families", FAMILIES),
        "type": _labels(golds, preds, "types", TYPE_NAMES),
        "clean_fp_rate": clean_fp,
        "hard": {"n": len(hard), "n_clean": hard_clean, "micro": _micro(hg, hp),
                 "clean_fp_rate": hard_fp},
        "span": _spans(golds, preds),
        "latency_ms": {"p50": round(percentile(lat, 50), 3), "p95": round(percentile(lat, 95), 3),
                       "mean": round(sum(lat) / len(lat), 3) if lat else 0.0},
    }


def locate(text: str, quote: str, taken: set[tuple[int, int]]) -> tuple[int, int] | None:
    """Offsets of the first not-yet-used occurrence of quote in text."""
    i = text.find(quote)
    while i >= 0:
        if (i, i + len(quote)) not in taken:
            return i, i + len(quote)
        i = text.find(quote, i + 1)
    return None
