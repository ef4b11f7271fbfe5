"""Build eval/real/real-dev.jsonl and real-test.jsonl from the pool and the labels.

Each half of the pool (H1, H2) was labelled by two labellers who never saw each other's labels
(eval/real/labels/H1_A + H1_B, H2_C + H2_D); messages whose type sets differ were adjudicated by
a third (labels/adjudicated.jsonl). A message whose two labellings agree on the types keeps the
first labeller's spans, each narrowed to the second labeller's overlapping same-type quote where
that one is shorter (the guidelines ask for the shortest clause). The split is the pool's.
Deterministic: same inputs, byte-identical outputs.

    python tools/build_real_set.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"
PAIRS = (("H1_A", "H1_B"), ("H2_C", "H2_D"))
TRAIN_LABELS = ("T1_E", "T2_F")
sys.path.insert(0, str(ROOT))

from coach.taxonomy import TYPES  # noqa: E402


def load(path: Path) -> dict[str, dict]:
    return {r["id"]: r for r in (json.loads(l) for l in path.open(encoding="utf-8") if l.strip())}


def _span(text: str, s: dict) -> tuple[int, int]:
    i = text.find(s["quote"])
    return i, i + len(s["quote"])


def agreed_spans(text: str, a: list[dict], b: list[dict]) -> list[dict]:
    out = []
    for s in a:
        sa, ea = _span(text, s)
        best = s
        for t in b:
            sb, eb = _span(text, t)
            if t["type"] == s["type"] and sb < ea and sa < eb and len(t["quote"]) < len(best["quote"]):
                best = t
        out.append({"type": s["type"], "quote": best["quote"]})
    return out


def main() -> int:
    pool = load(REAL / "pool.jsonl")
    adj = load(REAL / "labels" / "adjudicated.jsonl")
    rows = {}
    for first, second in PAIRS:
        a, b = load(REAL / "labels" / f"{first}.jsonl"), load(REAL / "labels" / f"{second}.jsonl")
        for rid in a:
            text = pool[rid]["text"]
            ta = sorted({s["type"] for s in a[rid]["spans"]})
            tb = sorted({s["type"] for s in b[rid]["spans"]})
            if rid in adj:
                spans, how = adj[rid]["spans"], "adjudicated"
            elif ta == tb:
                spans, how = agreed_spans(text, a[rid]["spans"], b[rid]["spans"]), "agreed"
            else:
                raise SystemExit(f"{rid}: labellers disagree and there is no adjudication")
            seen: set[tuple[str, str]] = set()
            spans = [s for s in spans if not ((s["type"], s["quote"]) in seen
                                              or seen.add((s["type"], s["quote"])))]
            for s in spans:
                assert s["quote"] in text and s["type"] in TYPES, (rid, s)
            types = sorted({s["type"] for s in spans})
            rows[rid] = {"id": rid, "text": text, "spans": spans, "types": types,
                         "families": sorted({TYPES[t].family for t in types}),
                         "context": pool[rid]["context"], "company": pool[rid]["company"],
                         "label": how, "split": pool[rid]["split"]}
    # real-train: the eligible messages the pool did not take (eval/real/train-pool.jsonl),
    # labelled once each (labels/T1_E, labels/T2_F): training data, never scored.
    train_pool = load(REAL / "train-pool.jsonl")
    with (REAL / "real-train.jsonl").open("w", encoding="utf-8") as f:
        n = flagged = 0
        for name in TRAIN_LABELS:
            for rid, lab in load(REAL / "labels" / f"{name}.jsonl").items():
                text = train_pool[rid]["text"]
                seen: set[tuple[str, str]] = set()
                spans = [{"type": s["type"], "quote": s["quote"]} for s in lab["spans"]
                         if s["quote"] in text and s["type"] in TYPES
                         and not ((s["type"], s["quote"]) in seen or seen.add((s["type"], s["quote"])))]
                types = sorted({s["type"] for s in spans})
                f.write(json.dumps({"id": rid, "text": text, "spans": spans, "types": types,
                                    "families": sorted({TYPES[t].family for t in types}),
                                    "context": train_pool[rid]["context"],
                                    "company": train_pool[rid]["company"], "label": name,
                                    "split": "real-train"}, ensure_ascii=False) + "\n")
                n, flagged = n + 1, flagged + bool(spans)
    print(f"real-train: {n} messages, {flagged} flagged")
    missing = set(pool) - set(rows)
    if missing:
        raise SystemExit(f"{len(missing)} pool messages have no labels, e.g. {sorted(missing)[:3]}")
    for split in ("real-dev", "real-test"):
        with (REAL / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for rid in pool:          # pool order
                if rows[rid]["split"] == split:
                    f.write(json.dumps(rows[rid], ensure_ascii=False) + "\n")
        n = sum(r["split"] == split for r in rows.values())
        flagged = sum(bool(r["spans"]) and r["split"] == split for r in rows.values())
        print(f"{split}: {n} messages, {flagged} flagged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
