"""Benchmark the local model: load time, prefill/decode tokens/s, rewrite latency, peak RSS.

    .venv/bin/python bench/bench_llm.py [--drafts 20] [--threads N]

Prints figures; asserts nothing. Rewrites use the default strategy on 1-3 sentence flagged
drafts from eval/dev.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=20)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--file", default=str(ROOT / "eval" / "dev.jsonl"))
    a = ap.parse_args()
    if a.threads:
        os.environ["REPLY_COACH_THREADS"] = str(a.threads)
    from coach import Coach, CoachConfig
    from coach.lm.assemble import assemble
    from coach.lm.backends import get_backend
    from coach.lm.cards import load_card
    from coach.rewrite.rewriter import rewrite
    from coach.metrics import percentile

    card = load_card()
    t0 = time.perf_counter()
    assemble(card)
    t_asm = time.perf_counter() - t0
    t0 = time.perf_counter()
    be = get_backend()
    t_load = time.perf_counter() - t0
    print(f"assemble/verify (cached after first run): {t_asm:.2f} s")
    print(f"model load: {t_load:.2f} s ({be.name}, {os.cpu_count()} CPUs)")

    prompt = "Rewrite this support reply so the agent owns the problem: " + \
        "The warehouse lost your parcel and there is nothing I can do about it. " * 6
    g = be.chat([{"role": "user", "content": prompt + f" [{time.time()}]"}], max_tokens=64,
                temperature=0.0)
    print(f"prefill: {g.prompt_tokens} tokens in {g.prompt_ms:.0f} ms = "
          f"{g.prompt_tokens / max(g.prompt_ms, 1e-6) * 1000:.1f} tokens/s")
    print(f"decode: {g.completion_tokens} tokens in {g.decode_ms:.0f} ms = "
          f"{g.completion_tokens / max(g.decode_ms, 1e-6) * 1000:.1f} tokens/s")

    coach = Coach(CoachConfig(detectors=("rules",)))
    rows = [json.loads(l) for l in open(a.file, encoding="utf-8") if l.strip()]
    drafts = [r["text"] for r in rows if r.get("types") and coach.check(r["text"])
              and len(r["text"].split(". ")) <= 3][: a.drafts]
    from coach.rewrite.generate import warm_up

    print(f"warm-up (reads the cached clause system prompt once per process): "
          f"{warm_up(be):.1f} s")
    lat, src = [], []
    for d in drafts:
        r = rewrite(d, coach=coach, backend=be)
        lat.append(r.latency_ms)
        src.append(r.source)
    print(f"rewrite latency over {len(lat)} drafts: p50 {percentile(lat, 50):.0f} ms, "
          f"p95 {percentile(lat, 95):.0f} ms")
    for source in ("model", "transform", "fallback"):
        got = [l for l, s in zip(lat, src) if s == source]
        print(f"  from {source:<9} {len(got):>3}/{len(lat)}"
              + (f"  p50 {statistics.median(got):.0f} ms" if got else ""))
    ok = [l for l, s in zip(lat, src) if s != "fallback"]
    if ok:
        print(f"verified rewrite (model or edits) p50 {statistics.median(ok):.0f} ms")
    batch_vs_sequential(be, coach, drafts[:6])
    fb = [rewrite(d, coach=coach, use_model=False).latency_ms for d in drafts]
    print(f"no model (use_model=False: edits, else fallback): p50 {percentile(fb, 50):.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def batch_vs_sequential(be, coach, drafts, n: int = 3) -> None:
    """n candidates for the first flagged sentence of each draft: one call each (greedy, then
    sampled) against greedy alone then the other n-1 in one batch (what `rewrite` does)."""
    from coach.rewrite import fallback as fb
    from coach.lm.backends import chat_many
    from coach.lm.prompts import escape_draft
    from coach.rewrite.generate import _PART_SCHEMA, _clause_messages, _unit_examples

    seq = bat = 0.0
    for j, d in enumerate(drafts):
        u = fb.flagged_units(d, coach.check(d))[0]
        body = fb.split_greeting(d[u.start:u.end])[1]
        problem = "; ".join(f'{f.type} ("{escape_draft(f.quote)}")' for f in u.flags)
        msgs = _clause_messages(body, problem, _unit_examples(body, u.types, 1))
        kw = {"max_tokens": 20 + 2 * len(body.split()), "json_schema": _PART_SCHEMA}

        def one_by_one() -> float:
            t = time.perf_counter()
            for i in range(n):
                be.chat(msgs, temperature=0.0 if i == 0 else 0.7, seed=7 + i, **kw)
            return time.perf_counter() - t

        def batched() -> float:
            t = time.perf_counter()
            be.chat(msgs, temperature=0.0, **kw)
            chat_many(be, msgs, n - 1, temperature=0.7, seed=8, **kw)
            return time.perf_counter() - t

        # Whichever runs first reads the prompt, the other finds it cached: alternate the order.
        if j % 2 == 0:
            s1 = one_by_one()
            b1 = batched()
        else:
            b1 = batched()
            s1 = one_by_one()
        seq, bat = seq + s1, bat + b1
    k = max(len(drafts), 1)
    print(f"{n} candidates per sentence over {len(drafts)} sentences: one after another "
          f"{seq / k:.1f} s, greedy then a batch {bat / k:.1f} s (ratio {seq / max(bat, 1e-9):.2f}; "
          "which goes first alternates, since the second finds the prompt cached)")


if __name__ == "__main__":
    sys.exit(main())
