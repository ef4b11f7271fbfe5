"""Run a Coach over an eval set and score it; format the results for people."""
from __future__ import annotations

import time
from typing import Sequence

from coach.flags import Flag
from coach.metrics import GoldItem, PredItem, score
from coach.pipeline import Coach
from coach.taxonomy import FAMILIES, TYPE_NAMES


def predict(coach: Coach, golds: Sequence[GoldItem]) -> tuple[list[PredItem], list[list[Flag]]]:
    """Check each draft one at a time (so latency is per draft, as an agent would see it)."""
    preds, all_flags = [], []
    for g in golds:
        t0 = time.perf_counter()
        flags = coach.check(g.text)
        ms = (time.perf_counter() - t0) * 1000
        preds.append(PredItem({f.family for f in flags}, {f.type for f in flags},
                              [(f.family, f.type, f.start, f.end) for f in flags], ms))
        all_flags.append(flags)
    return preds, all_flags


def evaluate(coach: Coach, golds: Sequence[GoldItem]) -> tuple[dict, list[PredItem], list[list[Flag]]]:
    preds, flags = predict(coach, golds)
    return score(golds, preds), preds, flags


def _row(name: str, m: dict) -> str:
    return f"  {name:<18} {m['p']:>6.3f} {m['r']:>6.3f} {m['f']:>6.3f} {m['support']:>6}"


def format_report(res: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"  drafts: {res['n']} ({res['n_clean']} clean)")
    lines.append(f"  {'':<18} {'P':>6} {'R':>6} {'F1':>6} {'support':>6}")
    lines.append("  family")
    lines += ["  " + _row(f, res["family"][f]) for f in FAMILIES]
    lines.append("  type")
    lines += ["  " + _row(t, res["type"][t]) for t in TYPE_NAMES]
    lines.append(_row("micro (family)", res["micro"]))
    lines.append(_row("micro (type)", res["micro_type"]))
    lines.append(_row("span", res["span"]))
    lines.append(f"  clean-draft FP rate  {res['clean_fp_rate']:.3f}")
    h = res["hard"]
    lines.append(f"  hard subset ({h['n']} drafts, {h['n_clean']} clean): micro-F1 "
                 f"{h['micro']['f']:.3f}  clean FP rate {h['clean_fp_rate']:.3f}")
    lat = res["latency_ms"]
    lines.append(f"  latency per draft: p50 {lat['p50']:.2f} ms, p95 {lat['p95']:.2f} ms")
    return "\n".join(lines)


def _cmp(name: str, a: dict, b: dict) -> str:
    return (f"  {name:<18} {a['f']:>6.3f} {b['f']:>6.3f} {b['f'] - a['f']:>+7.3f}")


def format_comparison(a: dict, b: dict, name_a: str, name_b: str) -> str:
    """Two configurations side by side (F1 per family/type, FP rates), with the difference."""
    lines = [f"  {'F1':<18} {name_a[:6]:>6} {name_b[:6]:>6} {'diff':>7}", "  family"]
    lines += ["  " + _cmp(f, a["family"][f], b["family"][f]) for f in FAMILIES]
    lines.append("  type")
    lines += ["  " + _cmp(t, a["type"][t], b["type"][t]) for t in TYPE_NAMES]
    lines.append(_cmp("micro (family)", a["micro"], b["micro"]))
    lines.append(_cmp("micro (type)", a["micro_type"], b["micro_type"]))
    lines.append(_cmp("span", a["span"], b["span"]))
    lines.append(_cmp("hard micro", a["hard"]["micro"], b["hard"]["micro"]))
    for key, label in (("clean_fp_rate", "clean FP rate"),):
        lines.append(f"  {label:<18} {a[key]:>6.3f} {b[key]:>6.3f} {b[key] - a[key]:>+7.3f}")
    lines.append(f"  {'p50 ms':<18} {a['latency_ms']['p50']:>6.2f} {b['latency_ms']['p50']:>6.2f}")
    return "\n".join(lines)


def format_errors(golds: Sequence[GoldItem], flags: Sequence[Sequence[Flag]]) -> str:
    """Misses and false alarms per draft, for trainers reading where a detector goes wrong."""
    out = []
    for g, fl in zip(golds, flags):
        pred = {f.type for f in fl}
        missed, extra = g.types - pred, pred - g.types
        if not missed and not extra:
            continue
        out.append(f"[{g.id}]{' (hard)' if g.hard else ''} {g.text}")
        for t in sorted(missed):
            quotes = [g.text[s:e] for _f, ty, s, e in g.spans if ty == t]
            out.append(f"   MISS  {t}: {quotes}")
        for f in fl:
            if f.type in extra:
                out.append(f"   FALSE {f.type}: {f.quote!r} ({f.rule})")
    return "\n".join(out)
