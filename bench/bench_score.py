"""Rules-only batch scoring throughput, in agent turns per second, with 1 and 2 workers.

    .venv/bin/python bench/bench_score.py [--conversations 25000] [--agent-turns 2]

Each figure is end to end (read the JSONL, score, checkpoint, write every output); the
"pipeline only" line is `Coach.check_many` on the same turns in one process, for reference.
CPU seconds (this process plus its worker processes) are printed too: on a shared machine the
wall-clock rate depends on the neighbours, turns per CPU second much less.
Prints figures; asserts nothing (the target is >= 2,000 agent turns/s).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from coach import Coach, CoachConfig  # noqa: E402
from coach.score.run import score_paths  # noqa: E402
from coach.score.synthetic import write_synthetic  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker pool)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conversations", type=int, default=25_000)
    ap.add_argument("--agent-turns", type=int, default=2)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = write_synthetic(Path(tmp) / "syn.jsonl", args.conversations,
                              agent_turns=args.agent_turns)
        turns = args.conversations * args.agent_turns
        print(f"{args.conversations:,} synthetic conversations, {turns:,} agent turns, "
              f"{src.stat().st_size / 1e6:.1f} MB; cpu count {os.cpu_count()}")
        texts = [t["text"] for line in open(src, encoding="utf-8")
                 for t in json.loads(line)["turns"] if t["role"] == "agent"]
        coach = Coach(CoachConfig(detectors=("rules",)))
        c0, t0 = _cpu(), time.perf_counter()
        coach.check_many(texts)
        dt, cpu = time.perf_counter() - t0, _cpu() - c0
        print(f"pipeline only (check_many, 1 process): {turns / dt:,.0f} agent turns/s; "
              f"{turns / cpu:,.0f} per CPU second")
        for w in [int(x) for x in args.workers.split(",")]:
            out = Path(tmp) / f"out-{w}"
            c0, t0 = _cpu(), time.perf_counter()
            s = score_paths([str(src)], str(out), workers=w)
            dt, cpu = time.perf_counter() - t0, _cpu() - c0
            assert s["agent_turns"] == turns
            print(f"score --workers {w}: {dt:6.2f} s  {turns / dt:,.0f} agent turns/s "
                  f"({s['conversations'] / dt:,.0f} conversations/s) end to end; "
                  f"{cpu:.1f} CPU s, {turns / cpu:,.0f} agent turns per CPU second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
