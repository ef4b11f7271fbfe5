"""Rewrite metrics over the flagged drafts of an eval file (`reply-coach eval-rewrite FILE`).

The rewrite's own checks said 100 % while a strict reader graded almost every rewrite D
(eval/REWRITE_RUBRIC.md), so the checks here are computed again, independently of the result's
own `checks`, as automatic proxies of what a reader sees:

- `clause_kept`: a gold problem quote still in the rewrite, word for word;
- `flags_left`: what the evaluating pipeline (the default detectors) finds in the rewrite;
- `facts_missing`: `must_keep` items and the draft's extracted facts not kept verbatim;
- `offers_added`: `must_not_add` items the draft did not say, and promises the draft lacks;
- `new_entities`: numbers, contacts, names, dates in the rewrite that the draft lacks;
- `duplicated`: a sentence said twice; `placeholders`: [gaps] left to fill; `unchanged`.

`proxy_pass` is none of them. Where the file has `references`, `ref_similarity` is the best
word-bigram F-score against them. Where grades are given (`--grades`: rows with `id`, `rewrite`
and `grade`, matched on both), the report adds the grade mix per source and how well
`proxy_pass` predicts a grade of A or B.
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from coach.errors import InputError
from coach.metrics import GoldItem, percentile

from coach.rewrite.fallback import PLACEHOLDER
from coach.rewrite.verify import duplicated

_WORDS = re.compile(r"[a-z0-9']+")
GRADES = ("A", "B", "C", "D")


def bigram_f(a: str, b: str) -> float:
    """F-score of word 1- and 2-grams: a cheap, symmetric similarity to a reference."""
    def grams(t: str) -> Counter:
        w = _WORDS.findall(t.lower())
        return Counter(w) + Counter(zip(w, w[1:]))
    ga, gb = grams(a), grams(b)
    hit = sum((ga & gb).values())
    if not hit:
        return 0.0
    p, r = hit / sum(ga.values()), hit / sum(gb.values())
    return 2 * p * r / (p + r)


def proxies(g: GoldItem, rewrite: str, coach) -> dict:
    """The automatic proxies of one rewrite of gold draft `g` (see the module docstring)."""
    from coach.rewrite.verify import extract_facts, norm, promises_added

    draft = g.text
    low, dlow = rewrite.lower(), draft.lower()
    quotes = [draft[s:e] for _f, _t, s, e in g.spans]
    keep = [m for m in g.row.get("must_keep", []) or [] if isinstance(m, str)]
    bad = [m for m in g.row.get("must_not_add", []) or [] if isinstance(m, str)]
    facts = [f.text for f in extract_facts(draft)]
    new = [f.text for f in extract_facts(rewrite) if f.text.lower() not in dlow]
    refs = [r for r in g.row.get("references", []) or [] if isinstance(r, str) and r.strip()]
    out = {
        "unchanged": norm(rewrite) == norm(draft),
        "clause_kept": [q for q in quotes if len(q.split()) >= 2 and q.lower() in low],
        "flags_left": [f"{f.type}: {f.quote}" for f in coach.check(rewrite)] if rewrite.strip()
        else [],
        "facts_missing": sorted({m for m in keep + facts if m not in rewrite}),
        "offers_added": sorted({m for m in bad if m.lower() in low and m.lower() not in dlow}
                               | set(promises_added(draft, rewrite))),
        "new_entities": sorted(set(new)),
        "duplicated": duplicated(rewrite),
        "placeholders": [m.group() for m in PLACEHOLDER.finditer(rewrite)],
        "empty": not rewrite.strip(),
    }
    out["proxy_pass"] = not any(out[k] for k in ("unchanged", "clause_kept", "flags_left",
                                                 "facts_missing", "offers_added", "new_entities",
                                                 "duplicated", "placeholders", "empty"))
    if refs:
        out["ref_similarity"] = round(max(bigram_f(rewrite, r) for r in refs), 4)
    return out


def load_grades(path: str | Path) -> dict[tuple[str, str], str]:
    """(draft id, rewrite text) -> grade, from a JSONL of {"id", "rewrite", "grade"}."""
    out = {}
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            raise InputError(f"not JSON ({e.msg})", str(path), lineno) from None
        for k in ("id", "rewrite", "grade"):
            if k not in row:
                raise InputError("missing field", str(path), lineno, k)
        if row["grade"] not in GRADES:
            raise InputError(f"grade must be one of {GRADES}, got {row['grade']!r}", str(path),
                             lineno, "grade")
        out[(str(row["id"]), row["rewrite"])] = row["grade"]
    return out


def evaluate_rewrites(golds: Sequence[GoldItem], rewrite_fn: Callable, limit: int | None = None,
                      progress: Callable[[int, int], None] | None = None, coach=None,
                      grades: dict[tuple[str, str], str] | None = None
                      ) -> tuple[dict, list[dict]]:
    """Run `rewrite_fn(text) -> RewriteResult` over the flagged drafts; return (metrics, rows).
    `coach` is the evaluating pipeline (default: the default detectors)."""
    if coach is None:
        from coach.pipeline import Coach

        coach = Coach()
    flagged = [g for g in golds if g.types]
    flagged = flagged[:limit] if limit else flagged
    rows = []
    for i, g in enumerate(flagged):
        t0 = time.perf_counter()
        res = rewrite_fn(g.text)
        ms = (time.perf_counter() - t0) * 1000
        px = proxies(g, res.rewrite, coach)
        row = {"id": g.id, "draft": g.text, "rewrite": res.rewrite, "source": res.source,
               "strategy": getattr(res, "strategy", ""), **px,
               "own_checks_passed": not (res.checks.get("flags_left")
                                         or res.checks.get("facts_missing")
                                         or res.checks.get("promises_added")),
               "latency_ms": round(ms, 1)}
        if grades is not None and (g.id, res.rewrite) in grades:
            row["grade"] = grades[(g.id, res.rewrite)]
        rows.append(row)
        if progress:
            progress(i + 1, len(flagged))
    return summarise(rows), rows


def summarise(rows: list[dict]) -> dict:
    n = len(rows) or 1
    lat = [r["latency_ms"] for r in rows]
    share = lambda key: round(sum(bool(r.get(key)) for r in rows) / n, 4)  # noqa: E731
    m = {
        "n": len(rows),
        "proxy_pass": share("proxy_pass"),
        "own_checks_passed": share("own_checks_passed"),
        **{k: share(k) for k in ("unchanged", "clause_kept", "flags_left", "facts_missing",
                                 "offers_added", "new_entities", "duplicated", "placeholders",
                                 "empty")},
        "sources": dict(Counter(r["source"] for r in rows)),
        "latency_ms": {"p50": round(percentile(lat, 50), 1), "p95": round(percentile(lat, 95), 1),
                       "max": round(max(lat), 1) if lat else 0.0},
    }
    sims = [r["ref_similarity"] for r in rows if "ref_similarity" in r]
    if sims:
        m["ref_similarity"] = round(sum(sims) / len(sims), 4)
    graded = [r for r in rows if "grade" in r]
    if graded:
        m["graded"] = len(graded)
        m["grades"] = {gr: round(sum(r["grade"] == gr for r in graded) / len(graded), 4)
                       for gr in GRADES}
        by_src: dict[str, Counter] = {}
        for r in graded:
            by_src.setdefault(r["source"], Counter())[r["grade"]] += 1
        m["grades_by_source"] = {s: dict(c) for s, c in sorted(by_src.items())}
        good = [r["grade"] in ("A", "B") for r in graded]
        pred = [bool(r["proxy_pass"]) for r in graded]
        tp = sum(p and g for p, g in zip(pred, good))
        m["proxy_vs_grade"] = {
            "accuracy": round(sum(p == g for p, g in zip(pred, good)) / len(graded), 4),
            "precision": round(tp / sum(pred), 4) if sum(pred) else 0.0,
            "recall": round(tp / sum(good), 4) if sum(good) else 0.0,
            # How often a rewrite each proxy rejects is graded D: the proxies worth trusting.
            "d_rate_when_failed": {k: round(sum(r["grade"] == "D" for r in graded if r.get(k))
                                            / max(1, sum(bool(r.get(k)) for r in graded)), 3)
                                   for k in ("clause_kept", "flags_left", "facts_missing",
                                             "offers_added", "new_entities", "duplicated",
                                             "unchanged")},
        }
    return m


def format_rewrite_report(m: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines += [f"  flagged drafts rewritten   {m['n']}",
              "  sources                    " + ", ".join(f"{k} {v}" for k, v in
                                                          sorted(m["sources"].items())),
              f"  passes every proxy         {m['proxy_pass']:.3f}   (own checks passed "
              f"{m['own_checks_passed']:.3f})",
              f"  returned unchanged         {m['unchanged']:.3f}",
              f"  problem clause kept        {m['clause_kept']:.3f}",
              f"  flags left (re-check)      {m['flags_left']:.3f}",
              f"  facts missing              {m['facts_missing']:.3f}",
              f"  offers added               {m['offers_added']:.3f}",
              f"  new names/contacts/numbers {m['new_entities']:.3f}",
              f"  a sentence repeated        {m['duplicated']:.3f}",
              f"  placeholders left          {m['placeholders']:.3f}"]
    if "ref_similarity" in m:
        lines.append(f"  similarity to references   {m['ref_similarity']:.3f} (word 1-2-gram F)")
    lines.append(f"  latency p50 / p95 / max    {m['latency_ms']['p50']:.0f} / "
                 f"{m['latency_ms']['p95']:.0f} / {m['latency_ms']['max']:.0f} ms")
    if "grades" in m:
        g = m["grades"]
        lines.append(f"  graded {m['graded']}: " + "  ".join(f"{k} {g[k]:.2f}" for k in GRADES))
        for s, c in m["grades_by_source"].items():
            lines.append(f"    {s:<12} " + "  ".join(f"{k} {c.get(k, 0)}" for k in GRADES))
        pv = m["proxy_vs_grade"]
        lines.append(f"  proxy_pass predicts A/B: accuracy {pv['accuracy']:.2f}, precision "
                     f"{pv['precision']:.2f}, recall {pv['recall']:.2f}")
    return "\n".join(lines)
