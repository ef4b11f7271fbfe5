"""Length scaling of `check`: time per KB from 1 KB to 1 MB, and the marginal ratio.

A pasted transcript or a long e-mail thread must not stall a run: checking has to grow linearly
with the draft. The long drafts are dev drafts joined one after another (blank line between), so
they read like a transcript; they repeat once the dev set runs out, which the embedding cache
serves within a run (each run starts with empty caches), so the figures say how many distinct
sentences each size holds. Linear time gives a
1 MB / 100 KB ratio of 10.

A long draft must also find what its parts find: `--agreement KB` checks a KB-long draft of
joined drafts once as a whole and once draft by draft, and prints how many of the draft-by-draft
flags the whole finds (same type, same span; and the same family overlapping) and how many it adds.

Usage: python bench/bench_length.py [--detectors rules,embedding] [--sizes 1,10,100,1000]
       [--agreement 200]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach import Coach, CoachConfig  # noqa: E402
from coach.text import sentence_bounds  # noqa: E402


def build(texts: list[str], size: int) -> str:
    """A draft of exactly `size` characters made of whole dev drafts (the last one cut)."""
    parts, n, i = [], 0, 0
    while n < size:
        t = texts[i % len(texts)] + "\n\n"
        parts.append(t)
        n += len(t)
        i += 1
    return "".join(parts)[:size]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=",".join(str(ROOT / "eval" / f) for f in
                                               ("dev.jsonl", "train_extra.jsonl")),
                    help="comma-separated JSONL files whose `text` rows make the drafts")
    ap.add_argument("--detectors", default="rules,embedding")
    ap.add_argument("--sizes", default="1,10,100,1000", help="sizes in KB (1 KB = 1,000 chars)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (the fastest counts)")
    ap.add_argument("--adversarial", action="store_true",
                    help="also one word or phrase repeated with no sentence end ('they ', "
                         "'the ', 'they changed '), which once made rule patterns backtrack")
    ap.add_argument("--agreement", type=int, default=0, metavar="KB",
                    help="also compare a KB-long draft checked whole with its drafts checked one "
                         "by one")
    a = ap.parse_args()
    texts = [json.loads(l)["text"] for path in a.data.split(",")
             for l in open(path, encoding="utf-8") if l.strip()]
    t0 = time.perf_counter()
    coach = Coach(CoachConfig(detectors=tuple(a.detectors.split(","))))
    coach.check("warm up the pipeline: my hands are tied.")
    print(f"detectors: {a.detectors}   load {time.perf_counter() - t0:.2f} s")
    print(f"{'size':>8} {'seconds':>9} {'ms/KB':>8} {'flags':>7} {'sentences':>10} {'distinct':>9}")
    times: dict[int, float] = {}
    emb = next((d.embedder for d in coach.detectors if hasattr(d, "embedder")), None)
    tag = next((d.tagger for d in coach.detectors if hasattr(d, "tagger")), None)

    def clear() -> None:
        """Each run starts uncached: a smaller size is a prefix of a larger one, and a repeat
        would otherwise be served from the first run's windows."""
        if emb is not None:
            emb._cache.clear()
        if tag is not None:
            tag._cache.clear()

    for kb in (int(s) for s in a.sizes.split(",")):
        draft = build(texts, kb * 1000)
        best = float("inf")
        for _ in range(a.repeat):
            clear()
            t = time.perf_counter()
            flags = coach.check(draft)
            best = min(best, time.perf_counter() - t)
        times[kb] = best
        sents = [draft[s:e] for s, e in sentence_bounds(draft)]
        print(f"{kb:>6}KB {best:>9.3f} {best * 1000 / kb:>8.2f} {len(flags):>7} {len(sents):>10} "
              f"{len(set(sents)):>9}")
    if 100 in times and 1000 in times:
        print(f"marginal ratio 1 MB / 100 KB: {times[1000] / times[100]:.1f} (linear = 10)")
    if a.agreement:
        agreement(coach, texts, a.agreement * 1000)
    if a.adversarial:
        print("repeated tokens (16 KB and 64 KB; linear = 4x):")
        for tok in ("they ", "the ", "they changed "):
            t = []
            for n in (16_000, 64_000):
                d = (tok * (n // len(tok) + 1))[:n]
                t0 = time.perf_counter()
                coach.check(d)
                t.append(time.perf_counter() - t0)
            print(f"  {tok!r:16} {t[0]:.2f} s  {t[1]:.2f} s  ratio {t[1] / t[0]:.1f}")
    return 0


def agreement(coach: Coach, texts: list[str], size: int) -> None:
    """Flags of the whole long draft against those of its drafts checked one by one."""
    draft = build(texts, size)
    parts, at, pos = [], [], 0
    for i in range(len(texts) * (size // max(1, sum(map(len, texts))) + 2)):
        t = texts[i % len(texts)]
        if pos + len(t) > len(draft):
            break
        parts.append(t)
        at.append(pos)
        pos += len(t) + 2
    whole = [f for f in coach.check(draft) if f.end <= pos]
    alone = [(f.family, f.type, f.start + off, f.end + off)
             for off, fl in zip(at, coach.check_many(parts)) for f in fl]
    got = {(f.family, f.type, f.start, f.end) for f in whole}
    exact = sum(1 for x in alone if x in got)
    fam = [(f.family, f.start, f.end) for f in whole]
    overlap = sum(1 for fa, _t, s, e in alone if any(g == fa and a < e and s < b for g, a, b in fam))
    extra = sum(1 for g, a, b in fam
                if not any(fa == g and s < b and a < e for fa, _t, s, e in alone))
    print(f"agreement on {size // 1000} KB ({len(parts)} drafts): one by one {len(alone)} flags, "
          f"whole {len(whole)}; found by the whole: same type and span {exact} "
          f"({exact / max(1, len(alone)):.1%}), same family overlapping {overlap} "
          f"({overlap / max(1, len(alone)):.1%}); only in the whole: {extra}")


if __name__ == "__main__":
    sys.exit(main())
