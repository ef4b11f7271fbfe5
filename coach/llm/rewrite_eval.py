"""Rewrite metrics over the flagged drafts of an eval file (`reply-coach eval-rewrite FILE`).

For each draft with at least one gold problem: rewrite it, then measure the share with no flag
left (the shared pipeline on the rewrite), `must_keep` kept verbatim, `must_not_add` violated
(case-insensitive, and only when the draft did not already say it), the share from the model, from
deterministic edits alone ("transform") and from the fallback, and latency p50/p95.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

from coach.metrics import GoldItem, percentile


def evaluate_rewrites(golds: Sequence[GoldItem], rewrite_fn: Callable, limit: int | None = None,
                      progress: Callable[[int, int], None] | None = None) -> tuple[dict, list[dict]]:
    """Run `rewrite_fn(text) -> RewriteResult` over the flagged drafts; return (metrics, rows)."""
    flagged = [g for g in golds if g.types][:limit] if limit else [g for g in golds if g.types]
    rows = []
    for i, g in enumerate(flagged):
        t0 = time.perf_counter()
        res = rewrite_fn(g.text)
        ms = (time.perf_counter() - t0) * 1000
        keep = [m for m in g.row.get("must_keep", []) or [] if isinstance(m, str)]
        bad = [m for m in g.row.get("must_not_add", []) or [] if isinstance(m, str)]
        low, dlow = res.rewrite.lower(), g.text.lower()
        rows.append({
            "id": g.id, "draft": g.text, "rewrite": res.rewrite, "source": res.source,
            "strategy": getattr(res, "strategy", ""),
            "flags_left": res.checks.get("flags_left", []),
            "must_keep_missing": [m for m in keep if m not in res.rewrite],
            "must_not_add_violated": [m for m in bad if m.lower() in low and m.lower() not in dlow],
            "owns_problem": res.checks.get("owns_problem"), "latency_ms": round(ms, 1)})
        if progress:
            progress(i + 1, len(flagged))
    n = len(rows) or 1
    lat = [r["latency_ms"] for r in rows]
    metrics = {
        "n": len(rows),
        "no_flag_left": round(sum(not r["flags_left"] for r in rows) / n, 4),
        "must_keep_kept": round(sum(not r["must_keep_missing"] for r in rows) / n, 4),
        "must_not_add_violations": sum(bool(r["must_not_add_violated"]) for r in rows),
        "from_model": round(sum(r["source"] == "model" for r in rows) / n, 4),
        "from_transform": round(sum(r["source"] == "transform" for r in rows) / n, 4),
        "from_fallback": round(sum(r["source"] == "fallback" for r in rows) / n, 4),
        "owns_problem": round(sum(bool(r["owns_problem"]) for r in rows) / n, 4),
        "latency_ms": {"p50": round(percentile(lat, 50), 1), "p95": round(percentile(lat, 95), 1)},
    }
    return metrics, rows


def format_rewrite_report(m: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines += [f"  flagged drafts rewritten   {m['n']}",
              f"  no flag left               {m['no_flag_left']:.3f}",
              f"  must_keep kept (verbatim)  {m['must_keep_kept']:.3f}",
              f"  must_not_add violations    {m['must_not_add_violations']}",
              f"  from model / edits / fallback  {m['from_model']:.3f} / "
              f"{m.get('from_transform', 0.0):.3f} / {m['from_fallback']:.3f}",
              f"  owns the problem           {m['owns_problem']:.3f}",
              f"  latency p50 / p95          {m['latency_ms']['p50']:.0f} / {m['latency_ms']['p95']:.0f} ms"]
    return "\n".join(lines)
