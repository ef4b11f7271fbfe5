"""Merge the writers' drafts into the training corpus: checked, de-duplicated, split, twinned.

Input: one JSONL file per writer (each written from its own brief, never shown an eval set):
{"id", "text", "spans": [{"type", "quote"}], "twins": [{"quote", "fixed"}], "hard", "domain",
"channel"}. Output, in --out (default eval/corpus/):
  train.jsonl  drafts to train on, in the eval schema (+ writer, domain, channel)
  test.jsonl   a held-out slice of the corpus (every 10th near-duplicate group) to measure on
  pairs.jsonl  problem sentence -> smallest owned fix (the clean twins), for the rewrite bank
  twins in train/test: the draft with every problem sentence replaced by its fix, labelled
               clean (id "<id>~twin"), in the same split as its original
  stats.json   counts per writer, type, split; what was dropped and why
Rules: a row with a quote not in its text, an unknown type, or a span outside every twin
sentence is dropped (reported); exact duplicates (normalised text) are dropped; near-duplicates
(cosine >= 0.9 between MiniLM sentence vectors of whole drafts) form one group and a group never
straddles train and test; a draft within cosine 0.9 of any evaluation text (--eval files: the
test splits) is dropped, so no test item has a near-twin in training. Deterministic.

    python tools/build_corpus.py /work/corpus/out/*.jsonl --eval eval/test.jsonl \
        --eval eval/real/real-test.jsonl [--eval blind.jsonl] [--out eval/corpus]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.taxonomy import TYPES  # noqa: E402

NEAR = 0.9


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.lower())).strip()


def check_row(r: dict) -> str | None:
    """Why the row is unusable, or None."""
    text = r.get("text")
    if not isinstance(text, str) or not text.strip():
        return "no text"
    twins = r.get("twins") or []
    for s in r.get("spans") or []:
        if s.get("type") not in TYPES:
            return f"unknown type {s.get('type')!r}"
        if not isinstance(s.get("quote"), str) or s["quote"] not in text:
            return "span quote not in text"
        if not any(isinstance(t.get("quote"), str) and s["quote"] in t["quote"] for t in twins):
            return "span outside every twin sentence"
    for t in twins:
        if not isinstance(t.get("quote"), str) or t["quote"] not in text:
            return "twin quote not in text"
        if not isinstance(t.get("fixed"), str) or not t["fixed"].strip():
            return "twin without a fix"
    return None


def twin_text(r: dict) -> str:
    text = r["text"]
    for t in sorted(r["twins"], key=lambda t: -len(t["quote"])):
        text = text.replace(t["quote"], t["fixed"], 1)
    return text


def groups(vecs: np.ndarray, near: float = NEAR) -> list[int]:
    """Union-find groups of rows whose vectors are within cosine `near`, in blocks."""
    parent = list(range(len(vecs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(0, len(vecs), 1024):
        sims = vecs[a:a + 1024] @ vecs.T
        for i, j in zip(*np.nonzero(sims >= near)):
            i, j = int(i) + a, int(j)
            if i < j:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    return [find(i) for i in range(len(vecs))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--eval", action="append", default=[], help="evaluation files to keep clear of")
    ap.add_argument("--out", default=str(ROOT / "eval" / "corpus"))
    ap.add_argument("--test-every", type=int, default=10, help="every Nth group goes to test")
    args = ap.parse_args()
    from coach.embedder.model import get_embedder

    rows, dropped = [], Counter()
    seen: set[str] = set()
    for path in sorted(args.inputs):
        writer = Path(path).stem
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                dropped["bad json"] += 1
                continue
            why = check_row(r)
            if why:
                dropped[why] += 1
                continue
            key = norm(r["text"])
            if key in seen:
                dropped["duplicate text"] += 1
                continue
            seen.add(key)
            r["writer"] = writer
            rows.append(r)
    emb = get_embedder()
    vecs = emb.encode([r["text"] for r in rows])
    eval_texts = [json.loads(l)["text"] for p in args.eval
                  for l in Path(p).read_text(encoding="utf-8").splitlines() if l.strip()]
    if eval_texts:
        ev = emb.encode(eval_texts)
        near_eval = (vecs @ ev.T).max(axis=1) >= NEAR
        dropped["near an evaluation text"] = int(near_eval.sum())
        keep = ~near_eval
        rows = [r for r, k in zip(rows, keep) if k]
        vecs = vecs[keep]
    grp = groups(vecs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    splits: dict[str, list[dict]] = {"train": [], "test": []}
    pairs, per_type = [], Counter()
    for r, g in zip(rows, grp):
        h = int(hashlib.sha256(rows[g]["id"].encode()).hexdigest(), 16)
        split = "test" if h % args.test_every == 0 else "train"
        spans = [{"type": s["type"], "quote": s["quote"]} for s in r["spans"]]
        types = sorted({s["type"] for s in spans})
        base = {"id": r["id"], "text": r["text"], "spans": spans, "types": types,
                "families": sorted({TYPES[t].family for t in types}), "hard": bool(r.get("hard")),
                "writer": r["writer"], "domain": r.get("domain", ""),
                "channel": r.get("channel", ""), "group": rows[g]["id"]}
        splits[split].append(base)
        per_type.update(types)
        if spans:
            splits[split].append({**base, "id": r["id"] + "~twin", "text": twin_text(r),
                                  "spans": [], "types": [], "families": [], "hard": True,
                                  "twin_of": r["id"]})
            for t in r["twins"]:
                ty = sorted({s["type"] for s in spans if s["quote"] in t["quote"]})
                pairs.append({"id": r["id"], "types": ty, "problem": t["quote"],
                              "fixed": t["fixed"], "writer": r["writer"],
                              "domain": r.get("domain", ""), "split": split})
    for name, items in splits.items():
        with (out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for x in items:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
    with (out / "pairs.jsonl").open("w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    stats = {"drafts": len(rows), "writers": dict(Counter(r["writer"] for r in rows)),
             "split": {k: len(v) for k, v in splits.items()}, "types": dict(per_type),
             "flagged": sum(bool(r["spans"]) for r in rows), "pairs": len(pairs),
             "groups": len(set(grp)), "dropped": dict(dropped)}
    (out / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
