"""Agreement between two independent labellings of the same messages (eval/real).

Per family and per type, a message is positive for a labeller when they gave it a span of that
family/type. Prints raw agreement and Cohen's kappa, message-level "any problem" agreement, and
span agreement (same type, overlapping quotes). Usage:
    python tools/label_agreement.py INPUT.jsonl A.jsonl B.jsonl [--disagreements OUT.jsonl]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.taxonomy import TYPES  # noqa: E402

FAMILIES = sorted({t.family for t in TYPES.values()})


def load(path: str) -> dict[str, dict]:
    return {r["id"]: r for r in (json.loads(l) for l in open(path, encoding="utf-8") if l.strip())}


def kappa(a: list[bool], b: list[bool]) -> tuple[float, float]:
    """(raw agreement, Cohen's kappa) of two yes/no labellings."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def spans(row: dict, text: str) -> list[tuple[str, int, int]]:
    out = []
    for s in row.get("spans", []):
        i = text.find(s["quote"])
        out.append((s["type"], i, i + len(s["quote"])))
    return out


def report(inp: dict[str, dict], a: dict[str, dict], b: dict[str, dict]) -> dict:
    ids = [i for i in inp if i in a and i in b]
    res: dict = {"n": len(ids), "family": {}, "type": {}}
    for fam in FAMILIES:
        ya = [any(TYPES[s["type"]].family == fam for s in a[i]["spans"]) for i in ids]
        yb = [any(TYPES[s["type"]].family == fam for s in b[i]["spans"]) for i in ids]
        po, k = kappa(ya, yb)
        res["family"][fam] = {"agreement": round(po, 4), "kappa": round(k, 4),
                              "pos_a": sum(ya), "pos_b": sum(yb)}
    for t in TYPES:
        ya = [any(s["type"] == t for s in a[i]["spans"]) for i in ids]
        yb = [any(s["type"] == t for s in b[i]["spans"]) for i in ids]
        po, k = kappa(ya, yb)
        res["type"][t] = {"agreement": round(po, 4), "kappa": round(k, 4),
                          "pos_a": sum(ya), "pos_b": sum(yb)}
    ya = [bool(a[i]["spans"]) for i in ids]
    yb = [bool(b[i]["spans"]) for i in ids]
    po, k = kappa(ya, yb)
    res["any_problem"] = {"agreement": round(po, 4), "kappa": round(k, 4)}
    # Whole-label agreement: the same set of families on the message.
    same = sum({TYPES[s["type"]].family for s in a[i]["spans"]} ==
               {TYPES[s["type"]].family for s in b[i]["spans"]} for i in ids)
    res["same_families"] = round(same / len(ids), 4)
    # Span agreement: a span of A matched by an overlapping span of the same type in B.
    sa = sb = match = 0
    for i in ids:
        x, y = spans(a[i], inp[i]["text"]), spans(b[i], inp[i]["text"])
        sa, sb = sa + len(x), sb + len(y)
        match += sum(any(t == u and s < f and g < e for u, g, f in y) for t, s, e in x)
    res["span_match_a_in_b"] = round(match / max(sa, 1), 4)
    res["spans_a"], res["spans_b"] = sa, sb
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--disagreements", help="write messages whose family sets differ")
    args = ap.parse_args()
    inp, a, b = load(args.input), load(args.a), load(args.b)
    res = report(inp, a, b)
    print(json.dumps(res, indent=1))
    if args.disagreements:
        with open(args.disagreements, "w", encoding="utf-8") as f:
            for i in inp:
                fa = sorted({s["type"] for s in a[i]["spans"]})
                fb = sorted({s["type"] for s in b[i]["spans"]})
                if fa != fb:
                    f.write(json.dumps({**inp[i], "label_1": a[i]["spans"], "note_1": a[i].get("note", ""),
                                        "label_2": b[i]["spans"], "note_2": b[i].get("note", "")},
                                       ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
