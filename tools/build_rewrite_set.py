"""Build eval/rewrite/drafts.jsonl from the writers' files in eval/rewrite/writers/.

Five writers, each with their own brief (eval/rewrite/SOURCE.md), wrote flagged drafts and one
reference rewrite each, without seeing this repository's eval or training sets. Writers A-C make
the `dev` split (read and tuned on), D-E the `test` split (graded once, at the end): a split by
writer keeps each writer's habits on one side. Writers F-G (2026-12-08) make `dev2`, read and
tuned on like dev: a fix fitted to writers A-C's habits shows there as no change. Every row is checked: quotes and `must_keep`
items are substrings of the draft, types are the taxonomy's, `must_not_add` is absent from the
draft, ids are unique.

Usage: python tools/build_rewrite_set.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.taxonomy import TYPES  # noqa: E402

DIR = ROOT / "eval" / "rewrite"
SPLIT = {"A": "dev", "B": "dev", "C": "dev", "D": "test", "E": "test", "F": "dev2", "G": "dev2"}


def check(row: dict, where: str) -> list[str]:
    text = row.get("text")
    errs = []
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: no text"]
    spans = row.get("spans") or []
    if not spans:
        errs.append(f"{where}: no span (every draft here is flagged)")
    for sp in spans:
        if sp.get("type") not in TYPES:
            errs.append(f"{where}: unknown type {sp.get('type')!r}")
        if sp.get("quote") not in text:
            errs.append(f"{where}: quote not in text: {sp.get('quote')!r}")
    for m in row.get("must_keep") or []:
        if m not in text:
            errs.append(f"{where}: must_keep not in text: {m!r}")
    for m in row.get("must_not_add") or []:
        if m.lower() in text.lower():
            errs.append(f"{where}: must_not_add already in text: {m!r}")
    refs = row.get("references") or []
    if not refs or not all(isinstance(r, str) and r.strip() for r in refs):
        errs.append(f"{where}: no reference rewrite")
    return errs


def main() -> int:
    out, errs, seen = [], [], set()
    for w, split in SPLIT.items():
        path = DIR / "writers" / f"writer_{w}.jsonl"
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            where = f"{path.name}:{i}"
            e = check(row, where)
            if row.get("id") in seen:
                e.append(f"{where}: duplicate id {row.get('id')}")
            seen.add(row.get("id"))
            if e:
                errs += e
                continue
            types = sorted({sp["type"] for sp in row["spans"]})
            out.append({"id": row["id"], "text": row["text"],
                        "spans": [{"type": sp["type"], "quote": sp["quote"]}
                                  for sp in row["spans"]],
                        "types": types, "families": sorted({TYPES[t].family for t in types}),
                        "must_keep": row.get("must_keep") or [],
                        "must_not_add": row.get("must_not_add") or [],
                        "references": row["references"], "domain": row.get("domain", ""),
                        "channel": row.get("channel", ""), "writer": w, "split": split})
    for e in errs:
        print(e, file=sys.stderr)
    for split in ("dev", "test", "dev2"):
        rows = [r for r in out if r["split"] == split]
        with open(DIR / f"{split}.jsonl", "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{split}: {len(rows)} drafts")
    print(f"dropped {len(errs)} problems" if errs else "every row checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
