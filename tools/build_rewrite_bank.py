"""Build the sentence bank the clause rewrites retrieve from (prompts/rewrite_units.jsonl).

Source: the problem -> clean-twin pairs of the detection corpus (eval/corpus/pairs.jsonl, train
split only: ten writers, every type, many domains), where each twin is the smallest edit that
fixes its problem sentence. A pair enters the bank only if its fix would pass the rewrite
verifier's own tests, since the model imitates what it is shown:
- the fix passes the rewrite verifier (no flag left by the default detectors or the rules
  alone, every fact kept, owns the problem, no dodge);
- the fix adds no promise, offer or finding the problem lacks (coach.rewrite.verify.promises_added);
  an action it takes ("I've rebooked you") may stay: the pair is one sentence of its writer's
  story, and the retriever shows pairs without one first;
- it names no number, date, contact or proper name the problem lacks (extract_facts);
- it is not much longer than the problem (a twin that adds a paragraph of reasons teaches the
  model to invent them), and has no [placeholder].
The hand-written pairs of the old bank (prompts/rewrite_units.hand.jsonl) are checked the same
way and kept where they pass.

Usage: python tools/build_rewrite_bank.py
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.config import CoachConfig  # noqa: E402
from coach.rewrite.verify import NEW_ACTION, extract_facts, promises_added, verify  # noqa: E402
from coach.pipeline import Coach  # noqa: E402

PAIRS = ROOT / "eval" / "corpus" / "pairs.jsonl"
HAND = ROOT / "prompts" / "rewrite_units.hand.jsonl"
OUT = ROOT / "prompts" / "rewrite_units.jsonl"


def why_not(problem: str, fixed: str, coaches: list[Coach]) -> str:
    """'' when the pair may teach the model, else the first reason it may not."""
    if not fixed.strip() or fixed.strip() == problem.strip():
        return "unchanged"
    if "[" in fixed or "]" in fixed or (("..." in fixed or "…" in fixed)
                                        and "..." not in problem and "…" not in problem):
        return "placeholder"
    pw, fw = len(problem.split()), len(fixed.split())
    if pw > 40:
        return "long sentence"
    if fw > 1.6 * pw + 8:   # room for a next step after a short dodge, not for a paragraph
        return "much longer"
    low = problem.lower()
    if any(f.text.lower() not in low for f in extract_facts(fixed)):
        return "new fact"
    if [p for p in promises_added(problem, fixed) if not p.startswith(NEW_ACTION)]:
        return "new promise"
    for c in coaches:
        if not verify(problem, fixed, c).passed_as_example:
            return "fails the verifier"
    return ""


def main() -> int:
    # the default pipeline, and the rules alone uncorroborated (what tests and --detectors rules
    # verify with)
    coaches = [Coach(), Coach(CoachConfig(detectors=("rules",)))]
    rows = [json.loads(l) for l in PAIRS.read_text(encoding="utf-8").splitlines() if l.strip()]
    rows = [r for r in rows if r.get("split") == "train"]
    hand = [json.loads(l) for l in HAND.read_text(encoding="utf-8").splitlines() if l.strip()] \
        if HAND.exists() else []
    kept, reasons, seen, ids = [], Counter(), set(), Counter()
    for src, items in (("corpus", [(r["id"], r.get("domain", ""), r["types"], r["problem"],
                                    r["fixed"]) for r in rows]),
                       ("hand", [(r["id"], r.get("domain", ""), r["types"], r["draft"],
                                  r["rewrite"]) for r in hand])):
        for rid, domain, types, problem, fixed in items:
            key = problem.strip().lower()
            if not types:
                reasons["no type"] += 1
                continue
            if key in seen:
                reasons["duplicate"] += 1
                continue
            r = why_not(problem, fixed, coaches)
            if r:
                reasons[r] += 1
                continue
            seen.add(key)
            ids[rid] += 1
            kept.append({"id": f"{src}:{rid}" + (f".{ids[rid]}" if ids[rid] > 1 else ""), "domain": domain, "types": sorted(types),
                         "draft": problem.strip(), "rewrite": fixed.strip()})
    with open(OUT, "w", encoding="utf-8") as f:
        for r in kept:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from coach.embedder.model import get_embedder
    from coach.rewrite.retrieve import load_bank, save_vectors, vectors_path

    bank = load_bank(OUT)
    save_vectors(vectors_path(OUT), bank, get_embedder().encode([e.draft for e in bank]))
    types = Counter(t for r in kept for t in r["types"])
    print(f"kept {len(kept)} of {len(rows) + len(hand)} pairs; dropped: {dict(reasons)}")
    print("per type: " + ", ".join(f"{t} {n}" for t, n in sorted(types.items())))
    print(f"domains: {len({r['domain'] for r in kept})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
