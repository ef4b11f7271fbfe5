"""Measure every rule's precision on the dev sets and write the trust file the pipeline merges by.

Rules are evidence, not the engine: a rule that fires on clean real messages must not decide
alone. For each rule this counts, on the dev sets (never a test split), the drafts where it fired
on a draft labelled with its family (true) and where it did not (false); precision is measured
on `real-dev` where the rule fired there at least MIN_FIRES times, else on all dev sets
together. The pipeline keeps a flag of a rule whose precision is below the trust line only where
another detector flags the same family in an overlapping span (coach.pipeline.merge_flags).

    python tools/calibrate_rules.py [--real eval/real/real-dev.jsonl] [--dev eval/dev.jsonl]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach import Coach, CoachConfig  # noqa: E402
from coach.dataset import load_eval  # noqa: E402
from coach.detectors.rules.calibration import RULE_TRUST_PATH  # noqa: E402

MIN_FIRES = 3


def counts(path: str, coach: Coach) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g in load_eval(path):
        for f in coach.check(g.text):
            for rid in filter(None, f.rule.split(",")):
                out[rid][0 if f.family in g.families else 1] += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", default=str(ROOT / "eval" / "real" / "real-dev.jsonl"))
    ap.add_argument("--dev", action="append", default=None)
    ap.add_argument("--out", default=str(RULE_TRUST_PATH))
    a = ap.parse_args()
    devs = a.dev or [str(ROOT / "eval" / "dev.jsonl")]
    coach = Coach(CoachConfig(detectors=("rules",)))
    real = counts(a.real, coach)
    dev: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in devs:
        for rid, (t, f) in counts(p, coach).items():
            dev[rid][0] += t
            dev[rid][1] += f
    rules = {}
    for rule in coach.detectors[0].rules:
        rt, rf = real.get(rule.id, [0, 0])
        dt, df = dev.get(rule.id, [0, 0])
        if rt + rf >= MIN_FIRES:
            p, where = rt / (rt + rf), "real-dev"
        elif rt + rf + dt + df:
            p, where = (rt + dt) / (rt + rf + dt + df), "all dev"
        else:
            p, where = 1.0, "never fired"
        rules[rule.id] = {"precision": round(p, 3), "measured_on": where,
                          "real_dev": [rt, rf], "dev": [dt, df]}
    data = {"about": "rule precision on the dev sets (tools/calibrate_rules.py); "
                     "[true, false] fires per set", "sets": [a.real, *devs], "rules": rules}
    Path(a.out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    low = sorted((v["precision"], k) for k, v in rules.items() if v["precision"] < 0.5)
    print(f"{len(rules)} rules; {len(low)} below 0.5: " + ", ".join(f"{k} {p}" for p, k in low))
    return 0


if __name__ == "__main__":
    sys.exit(main())
