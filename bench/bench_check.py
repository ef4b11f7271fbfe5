"""Benchmark `check` throughput over the dev set (rules only by default).

Prints drafts/s in batch, p50/p95 ms per single draft, and the ratio to the 1,000 drafts/s
target. Usage: python bench/bench_check.py [--detectors rules] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach import Coach, CoachConfig  # noqa: E402
from coach.metrics import percentile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--detectors", default="rules")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--target", type=float, default=1000.0, help="drafts/s target")
    a = ap.parse_args()
    texts = [json.loads(l)["text"] for l in open(a.data, encoding="utf-8") if l.strip()]
    t0 = time.perf_counter()
    coach = Coach(CoachConfig(detectors=tuple(a.detectors.split(","))))
    coach.check("warm up the pipeline: my hands are tied.")
    load_s = time.perf_counter() - t0

    rates = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        coach.check_many(texts)
        rates.append(len(texts) / (time.perf_counter() - t))
    single = []
    for text in texts:
        t = time.perf_counter()
        coach.check(text)
        single.append((time.perf_counter() - t) * 1000)
    rate = statistics.median(rates)
    print(f"detectors: {a.detectors}   drafts: {len(texts)}   repeats: {a.repeat}")
    print(f"pipeline load: {load_s:.2f} s")
    print(f"batch throughput: {rate:,.0f} drafts/s (median of {a.repeat}; min {min(rates):,.0f}, "
          f"max {max(rates):,.0f})   target {a.target:,.0f} -> ratio {rate / a.target:.2f}x")
    print(f"single draft: p50 {percentile(single, 50):.3f} ms   p95 {percentile(single, 95):.3f} ms"
          f"   max {max(single):.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
