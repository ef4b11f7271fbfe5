"""Blind grading rounds for rewrites (eval/REWRITE_RUBRIC.md).

  make   ROUND ROWS.jsonl[=SYSTEM] ... [--references N] [--graders 2] [--shards 2]
         Pool the rewrites of several systems (eval-rewrite --rows files) with N writers'
         references, shuffle them under opaque item ids, and write one file per grader shard
         (eval/rewrite/rounds/ROUND/shard-K.jsonl: item, draft, rewrite) and the key
         (eval/rewrite/rounds/ROUND/key.jsonl: item -> draft id, system, rewrite), which graders
         never see. Identical rewrites of one draft by two systems are one item.
         --skip-graded FINAL.jsonl ...: leave out rewrites already graded for the same draft in
         earlier rounds (their grade carries over: `combine`), so readers grade only what changed.
  combine OUT.jsonl FINAL.jsonl ...
         One grades file for eval-rewrite --grades from several rounds' final.jsonl; where a
         rewrite of a draft was graded in more than one, the later file's grade counts.
  merge  ROUND
         Read grades/<grader>.jsonl of the round (each item graded by two graders), report exact
         agreement and Cohen's kappa (and A/B-vs-rest agreement), list disagreements for
         adjudication (disagreements.jsonl), and, once adjudicated.jsonl exists, write
         final.jsonl: {"id", "rewrite", "grade", "system"} rows for eval-rewrite --grades.

Usage: python tools/rewrite_grading.py make r1 base.jsonl=before new.jsonl=after --references 40
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = ROOT / "eval" / "rewrite" / "rounds"
GRADES = ("A", "B", "C", "D")


def _read(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def make(a: argparse.Namespace) -> int:
    rnd = ROUNDS / a.round
    drafts = {}
    for split in ("dev", "test", "dev2"):
        p = ROOT / "eval" / "rewrite" / f"{split}.jsonl"
        if p.exists():
            drafts.update({r["id"]: r for r in _read(p)})
    graded = {(r["id"], r["rewrite"]) for f in a.skip_graded for r in _read(Path(f))}
    items: dict[tuple[str, str], dict] = {}
    skipped = 0
    for spec in a.rows:
        path, _, system = spec.partition("=")
        system = system or Path(path).stem
        for r in _read(Path(path)):
            if not r.get("rewrite", "").strip():
                continue   # no rewrite offered: nothing for a reader to grade (counted as D)
            key = (r["id"], r["rewrite"])
            if key in graded:
                skipped += 1
                continue
            items.setdefault(key, {"id": r["id"], "draft": r["draft"], "rewrite": r["rewrite"],
                                   "systems": []})["systems"].append(system)
    rng = random.Random(a.seed)
    ids = sorted({k[0] for k in items})
    for did in rng.sample(ids, min(a.references, len(ids))):
        ref = drafts[did]["references"][0]
        items.setdefault((did, ref), {"id": did, "draft": drafts[did]["text"], "rewrite": ref,
                                      "systems": []})["systems"].append("reference")
    pool = list(items.values())
    rng.shuffle(pool)
    key = []
    for i, it in enumerate(pool):
        it["item"] = "i" + hashlib.sha1(f"{a.round}:{i}:{it['id']}".encode()).hexdigest()[:8]
        key.append({"item": it["item"], "id": it["id"], "systems": it["systems"],
                    "rewrite": it["rewrite"]})
    _write(rnd / "key.jsonl", key)
    for s in range(a.shards):
        shard = [{"item": it["item"], "draft": it["draft"], "rewrite": it["rewrite"]}
                 for k, it in enumerate(pool) if k % a.shards == s]
        _write(rnd / f"shard-{s + 1}.jsonl", shard)
        print(f"shard-{s + 1}: {len(shard)} items")
    print(f"{len(pool)} items from {len(ids)} drafts -> {rnd}"
          + (f" ({skipped} rewrites already graded, left out)" if skipped else ""))
    return 0


def combine(a: argparse.Namespace) -> int:
    grades: dict[tuple[str, str], dict] = {}
    for f in a.finals:
        for r in _read(Path(f)):
            grades[(r["id"], r["rewrite"])] = {"id": r["id"], "rewrite": r["rewrite"],
                                               "grade": r["grade"], "round": Path(f).parent.name}
    _write(Path(a.out), list(grades.values()))
    print(f"{len(grades)} graded rewrites from {len(a.finals)} rounds -> {a.out}")
    return 0


def kappa(pairs: list[tuple[str, str]], labels) -> float:
    n = len(pairs)
    if not n:
        return 0.0
    po = sum(x == y for x, y in pairs) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    pe = sum(ca[l] * cb[l] for l in labels) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def merge(a: argparse.Namespace) -> int:
    rnd = ROUNDS / a.round
    key = {r["item"]: r for r in _read(rnd / "key.jsonl")}
    by_item: dict[str, dict[str, dict]] = {}
    for g in sorted((rnd / "grades").glob("*.jsonl")):
        for r in _read(g):
            if r.get("item") not in key or r.get("grade") not in GRADES:
                print(f"{g.name}: bad row {r}", file=sys.stderr)
                continue
            by_item.setdefault(r["item"], {})[g.stem] = r
    pairs, dis = [], []
    for item, gs in by_item.items():
        if len(gs) < 2:
            continue
        (g1, r1), (g2, r2) = sorted(gs.items())[:2]
        pairs.append((r1["grade"], r2["grade"]))
        if r1["grade"] != r2["grade"]:
            dis.append({"item": item, "grades": {g1: r1["grade"], g2: r2["grade"]},
                        "why": {g1: r1.get("why", ""), g2: r2.get("why", "")}})
    band = {"A": "AB", "B": "AB", "C": "C", "D": "D"}
    ab = [(band[x], band[y]) for x, y in pairs]
    print(f"items graded twice: {len(pairs)} of {len(key)}")
    if pairs:
        print(f"exact agreement {sum(x == y for x, y in pairs) / len(pairs):.3f}, "
              f"Cohen's kappa {kappa(pairs, GRADES):.3f}")
        print(f"A/B vs C vs D agreement {sum(x == y for x, y in ab) / len(ab):.3f}, "
              f"kappa {kappa(ab, ('AB', 'C', 'D')):.3f}")
    _write(rnd / "disagreements.jsonl", dis)
    print(f"disagreements: {len(dis)} -> {rnd / 'disagreements.jsonl'}")
    adj_path = rnd / "adjudicated.jsonl"
    adj = {r["item"]: r["grade"] for r in _read(adj_path)} if adj_path.exists() else {}
    final, missing = [], 0
    for item, k in key.items():
        gs = [r["grade"] for r in by_item.get(item, {}).values()]
        if not gs:
            missing += 1
            continue
        grade = gs[0] if len(set(gs)) == 1 else adj.get(item)
        if grade is None:
            missing += 1
            continue
        for system in k["systems"]:
            final.append({"id": k["id"], "rewrite": k["rewrite"], "grade": grade,
                          "system": system, "item": item})
    _write(rnd / "final.jsonl", final)
    mix: dict[str, Counter] = {}
    for r in final:
        mix.setdefault(r["system"], Counter())[r["grade"]] += 1
    for s, c in sorted(mix.items()):
        n = sum(c.values())
        print(f"  {s:<10} n={n:<4} " + "  ".join(f"{g} {c[g] / n:.2f}" for g in GRADES))
    print(f"final grades: {len(final)} rows ({missing} items without a final grade yet)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("round")
    m.add_argument("rows", nargs="+")
    m.add_argument("--references", type=int, default=40)
    m.add_argument("--shards", type=int, default=2)
    m.add_argument("--seed", type=int, default=11)
    m.add_argument("--skip-graded", nargs="*", default=[], metavar="FINAL.jsonl")
    g = sub.add_parser("merge")
    g.add_argument("round")
    c = sub.add_parser("combine")
    c.add_argument("out")
    c.add_argument("finals", nargs="+")
    a = ap.parse_args()
    return {"make": make, "merge": merge, "combine": combine}[a.cmd](a)


if __name__ == "__main__":
    raise SystemExit(main())
