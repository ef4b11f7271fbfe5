"""Throughput and latency of the default pipeline (rules + embedding), as a user would see it.

Prints: model load time (constructing the Coach, which loads torch, the weights and the head),
drafts/s when checking in batches, p50/p95 ms per single draft, and peak RSS. Drafts come from
the dev set (never the held-out test set). The embedding cache is cleared before each timed pass
so repeated drafts do not flatter the figures. Speed is never asserted in tests; this prints.

    .venv/bin/python bench/bench_pipeline.py [--detectors rules,embedding] [--threads N]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def dev_texts() -> list[str]:
    from coach.dataset import load_eval

    dev = ROOT / "eval" / "dev.jsonl"
    paths = [dev] if dev.exists() else sorted((ROOT / "eval" / "parts").glob("dev_*.jsonl"))
    return [g.text for p in paths for g in load_eval(p)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--detectors", default=None, help="default: CoachConfig's default")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--tagger-dir", default=None, help="another trained tagger (default: shipped)")
    ap.add_argument("--repeat", type=int, default=2, help="passes over the dev drafts")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from coach import Coach, CoachConfig

    cfg = CoachConfig() if not args.detectors else CoachConfig(detectors=tuple(args.detectors.split(",")))
    if args.tagger_dir:
        from dataclasses import replace

        cfg = replace(cfg, tagger_dir=args.tagger_dir)
    coach = Coach(cfg)
    coach.check("Warm-up: thanks for waiting, I've sent the replacement.")
    load_s = time.perf_counter() - t0
    texts = dev_texts()
    emb = next((d.embedder for d in coach.detectors if hasattr(d, "embedder")), None)
    tag = next((d.tagger for d in coach.detectors if hasattr(d, "tagger")), None)

    def clear() -> None:
        """Uncached figures: the embedding and tagger caches are emptied before each pass."""
        if emb is not None:
            emb._cache.clear()
        if tag is not None:
            tag._cache.clear()

    n_batch = 0
    t_batch = 0.0
    for _ in range(args.repeat):
        clear()
        t = time.perf_counter()
        for i in range(0, len(texts), args.batch):
            coach.check_many(texts[i:i + args.batch])
        t_batch += time.perf_counter() - t
        n_batch += len(texts)
    lat = []
    for _ in range(args.repeat):
        clear()
        for text in texts:
            t = time.perf_counter()
            coach.check(text)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    cached = []
    for text in texts[:100]:   # second look at the same draft (the app re-checks on each edit)
        t = time.perf_counter()
        coach.check(text)
        cached.append((time.perf_counter() - t) * 1000)
    cached.sort()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"detectors: {','.join(cfg.detectors)}  torch threads: {torch.get_num_threads()}  "
          f"cpus: {os.cpu_count()}  drafts: {len(texts)} (dev), {args.repeat} passes")
    print(f"model load (imports + weights + head + first check): {load_s:.2f} s")
    print(f"batch (size {args.batch}): {n_batch / t_batch:.1f} drafts/s")
    print(f"single draft: p50 {lat[len(lat) // 2]:.1f} ms, p95 {lat[int(len(lat) * 0.95)]:.1f} ms")
    print(f"single draft, cached re-check: p50 {cached[len(cached) // 2]:.2f} ms")
    print(f"peak RSS: {rss_mb:.0f} MB")
    print(f"load average now: {os.getloadavg()[0]:.2f} (other processes share these cores)")


if __name__ == "__main__":
    main()
