"""Validate an eval-schema JSONL file (used while writing data; see eval/GUIDELINES.md)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from coach.taxonomy import TYPES as _TYPES  # noqa: E402  (one place for the taxonomy)

TYPES = {name: t.family for name, t in _TYPES.items()}
CHANNELS = {"chat", "email", "social", "phone_note"}


def main(path: str) -> int:
    bad = 0
    ids = set()
    n = flagged = hard = 0
    for ln, line in enumerate(open(path, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"{path}:{ln}: bad JSON: {e}"); bad += 1; continue
        n += 1
        def err(m):
            nonlocal bad
            bad += 1
            print(f"{path}:{ln} ({r.get('id')}): {m}")
        for k in ["id", "text", "families", "types", "spans", "hard", "must_keep", "must_not_add", "note", "domain", "channel"]:
            if k not in r:
                err(f"missing field {k}")
        if r.get("id") in ids:
            err("duplicate id")
        ids.add(r.get("id"))
        t = r.get("text", "")
        fams, types = set(), set()
        for s in r.get("spans", []):
            if s.get("type") not in TYPES:
                err(f"unknown type {s.get('type')}")
                continue
            if TYPES[s["type"]] != s.get("family"):
                err(f"family {s.get('family')} wrong for type {s['type']}")
            if s.get("quote", "") not in t or not s.get("quote"):
                err(f"quote not in text: {s.get('quote')!r}")
            fams.add(s["family"]); types.add(s["type"])
        if sorted(fams) != r.get("families") or sorted(types) != r.get("types"):
            err(f"families/types must be sorted unique from spans: {sorted(fams)} {sorted(types)}")
        for m in r.get("must_keep", []):
            if m not in t:
                err(f"must_keep not in text: {m!r}")
        for m in r.get("must_not_add", []):
            if m.lower() in t.lower():
                err(f"must_not_add appears in text: {m!r}")
        if r.get("channel") not in CHANNELS:
            err(f"bad channel {r.get('channel')}")
        flagged += bool(r.get("spans"))
        hard += bool(r.get("hard"))
    print(f"{path}: {n} rows, {flagged} flagged ({flagged/max(n,1):.0%}), {hard} hard, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(max(main(p) for p in sys.argv[1:]))
