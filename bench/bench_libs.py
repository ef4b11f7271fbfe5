"""Hand-written code against well-kept libraries: fact extraction, sentence splitting, progress.

For each library that is installed, prints quality (agreement with the current outputs on the
dev drafts, and what each side finds that the other misses) and speed (us per call, import time,
peak RSS delta). Libraries that are not installed are listed as such. Of these, the project
depends on phonenumbers and urlextract only: coach.rewrite.verify reads phone numbers and web
addresses with them first and keeps its patterns as the fallback; "current" in the fact section
is the patterns alone (the library steps stubbed out), and its last block compares the two.
Install the candidates into a scratch venv to rerun the full comparison, e.g.

    python -m venv /tmp/libvenv
    /tmp/libvenv/bin/pip install pyyaml phonenumbers dateparser datefinder urlextract \
        quantulum3 pysbd blingfire nltk syntok tqdm rich
    PYTHONPATH=. /tmp/libvenv/bin/python bench/bench_libs.py

Usage: python bench/bench_libs.py [--section facts,sentences,progress] [--show N]
                                  [--progress-seconds 6]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

DEV = ROOT / "eval" / "dev.jsonl"
BANK = ROOT / "prompts" / "rewrite_bank.jsonl"


def dev_rows() -> list[dict]:
    return [json.loads(l) for l in open(DEV, encoding="utf-8") if l.strip()]


def bank_texts() -> list[str]:
    rows = [json.loads(l) for l in open(BANK, encoding="utf-8") if l.strip()]
    return [r["draft"] for r in rows] + [r["rewrite"] for r in rows]


def per_call_us(fn: Callable[[str], object], texts: list[str], budget_s: float = 1.0) -> float:
    """Best mean microseconds per call over whole passes of `texts` (at least one pass)."""
    for t in texts[:20]:
        fn(t)
    best, spent = float("inf"), 0.0
    while True:
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        dt = time.perf_counter() - t0
        best, spent = min(best, dt / len(texts)), spent + dt
        if spent >= budget_s:
            return best * 1e6


def _rss_mb() -> float:
    """Peak RSS of this process in MiB. VmHWM, not getrusage's ru_maxrss: a child started by a
    big parent inherits the parent's ru_maxrss across fork+exec, which hides the delta."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def probe(section: str, name: str) -> dict:
    """Import cost and peak RSS delta of one candidate, in a fresh interpreter (this file with
    --_probe). The baseline already has `coach` imported: the project always has it loaded."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_probe", section, name]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def _run_probe(section: str, name: str) -> None:
    import coach  # noqa: F401  (baseline: the package is loaded)

    texts = [r["text"] for r in dev_rows()]
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    fn = ({**FACT_CANDIDATES, **EXTRACTORS} if section == "facts" else SPLITTERS)[name][1]()
    import_ms = (time.perf_counter() - t0) * 1000
    rss1 = _rss_mb()
    for t in texts:
        fn(t)
    print(json.dumps({"import_ms": import_ms, "rss_import_mb": rss1 - rss0,
                      "rss_run_mb": _rss_mb() - rss0}))


def fmt_probe(p: dict) -> str:
    if "error" in p:
        return f"probe failed: {p['error']}"
    return (f"import {p['import_ms']:7.1f} ms   peak RSS +{p['rss_import_mb']:6.1f} MiB after "
            f"import, +{p['rss_run_mb']:6.1f} MiB after all dev drafts")


# ====================================================================== facts
_TRAIL = ",.;:"


def _clean(text: str, a: int, b: int) -> tuple[str, int, int]:
    """The hit without surrounding space and clause punctuation (as extract_facts trims)."""
    s = text[a:b]
    while s and s[0].isspace():
        s, a = s[1:], a + 1
    while s and (s[-1].isspace() or s[-1] in _TRAIL):
        s, b = s[:-1], b - 1
    return s, a, b


def _find_spans(text: str, needles: list[str]) -> list[tuple[str, int, int]]:
    """Spans of strings a library returns without offsets, in order of appearance."""
    out, pos = [], 0
    for n in needles:
        i = text.find(n, pos)
        if i < 0:
            i = text.find(n)
        if i >= 0:
            out.append((n, i, i + len(n)))
            pos = i + len(n)
    return out


def _phonenumbers(regions: tuple[str, ...], valid: bool = True):
    def setup():
        import phonenumbers
        from phonenumbers import Leniency, PhoneNumberMatcher

        len_ = Leniency.VALID if valid else Leniency.POSSIBLE
        phonenumbers.parse("020 7946 0831", "GB")      # load the metadata now, not in the loop

        def find(text: str):
            seen: dict[tuple[int, int], str] = {}
            for reg in regions:
                for m in PhoneNumberMatcher(text, reg, leniency=len_):
                    seen.setdefault((m.start, m.end), m.raw_string)
            return [_clean(text, a, b) for (a, b) in sorted(seen)]
        return find
    return setup


def _urlextract(emails: bool):
    def setup():
        from urlextract import URLExtract

        ex = URLExtract(extract_email=emails)

        def find(text: str):
            hits = [_clean(text, a, b) for u, (a, b) in ex.find_urls(text, get_indices=True)]
            return [h for h in hits if ("@" in h[0]) == emails]
        return find
    return setup


def _dateparser():
    from dateparser.search import search_dates

    search_dates("on 3 March", languages=["en"])

    def find(text: str):
        hits = search_dates(text, languages=["en"]) or []
        return [_clean(text, a, b) for s, a, b in _find_spans(text, [h[0] for h in hits])]
    return find


def _datefinder():
    import datefinder

    def find(text: str):
        return [_clean(text, a, b) for _d, _s, (a, b) in
                datefinder.find_dates(text, source=True, index=True)]
    return find


def _quantulum():
    from quantulum3 import parser

    parser.parse("£5 and 2 GB")

    def find(text: str):
        return [_clean(text, *q.span) for q in parser.parse(text)
                if q.unit.name != "dimensionless"]
    return find


def hand_written():
    """A context in which coach.rewrite.verify extracts facts with its own patterns only: the
    library steps (phonenumbers, urlextract) return nothing, which is exactly the extractor
    before the switch. The comparisons below are against it."""
    import contextlib

    import coach.rewrite.verify as v

    @contextlib.contextmanager
    def ctx():
        saved = v._library_phones, v._library_urls
        v._library_phones = v._library_urls = lambda src: []
        try:
            yield
        finally:
            v._library_phones, v._library_urls = saved
    return ctx()


def _extractor(libraries: bool):
    def setup():
        import coach.rewrite.verify as v

        if not libraries:
            v._library_phones = v._library_urls = lambda src: []   # probe process only
        return v.extract_facts
    return setup


# name -> (kinds of the current extractor it is compared with, setup returning a finder)
FACT_CANDIDATES: dict[str, tuple[tuple[str, ...], Callable]] = {
    "phonenumbers GB VALID": (("phone",), _phonenumbers(("GB",))),
    "phonenumbers GB POSSIBLE": (("phone",), _phonenumbers(("GB",), valid=False)),
    "phonenumbers GB+IE+US+AU+IN VALID": (("phone",), _phonenumbers(("GB", "IE", "US", "AU", "IN"))),
    "urlextract (URLs)": (("url",), _urlextract(False)),
    "urlextract (e-mails)": (("email",), _urlextract(True)),
    "dateparser.search_dates": (("date", "time"), _dateparser),
    "datefinder": (("date", "time"), _datefinder),
    "quantulum3 (amounts)": (("amount",), _quantulum),
}
# for the probes (import / RSS): extract_facts before and after the switch
EXTRACTORS = {"extract_facts, hand-written patterns only": (("phone",), _extractor(False)),
              "extract_facts, with phonenumbers + urlextract": (("phone",), _extractor(True))}


def _fact_spans(text: str, facts) -> list[tuple[int, int]]:
    spans = []
    for f in facts:
        i = text.find(f.text)
        while i >= 0:
            spans.append((i, i + len(f.text)))
            i = text.find(f.text, i + 1)
    return spans


def _overlaps(a: int, b: int, spans) -> bool:
    return any(a < e and s < b for s, e in spans)


def compare_facts(name: str, show: int) -> None:
    from coach.rewrite.verify import FACT_PATTERNS, _NORM, extract_facts

    kinds, setup = FACT_CANDIDATES[name]
    try:
        find = setup()
    except ImportError as e:
        print(f"\n--- {name}: not installed ({e.name})")
        return
    rows = dev_rows()
    texts = [r["text"] for r in rows]
    agree = both = cur_only = lib_only = 0
    new, missed, new_must, new_other, other = [], [], [], [], []
    guard_cur = guard_lib = n_must = 0
    for r in rows:
        t = r["text"]
        src = t.translate(_NORM)         # the view extract_facts matches on (same length)
        facts = extract_facts(t)
        cur = {f.text for f in facts if f.kind in kinds}
        hits = [h for h in find(src) if h[0]]
        lib = {t[a:b] for _s, a, b in hits}
        agree += cur == lib
        both += len(cur & lib)
        cur_only += len(cur - lib)
        lib_only += len(lib - cur)
        all_spans = _fact_spans(t, facts)
        lib_spans = [(a, b) for _s, a, b in hits]
        must = [(m, t.find(m)) for m in r.get("must_keep", []) if m in t]
        must_spans = [(i, i + len(m)) for m, i in must]
        for m, i in must:
            n_must += 1
            guard_cur += _overlaps(i, i + len(m), all_spans)
            guard_lib += _overlaps(i, i + len(m), lib_spans)
        for s, a, b in hits:
            if not _overlaps(a, b, all_spans):          # a fact no current fact covers
                rec = (r["id"], t[a:b], t[max(0, a - 40):b + 30].replace("\n", " "))
                new.append(rec)
                (new_must if _overlaps(a, b, must_spans) else new_other).append(rec)
        for s in sorted(lib - cur):
            covering = [f"{f.kind}:{f.text}" for f in facts if f.kind not in kinds
                        and (s in f.text or f.text in s)]
            if covering or any(s in c or c in s for c in cur):
                other.append((r["id"], s, covering or ["extent differs from " + "/".join(
                    sorted(c for c in cur if s in c or c in s))]))
        for c in sorted(cur - lib):
            if not any(c in t[a:b] or t[a:b] in c for _s, a, b in hits):
                missed.append((r["id"], c))
    n_cur, n_lib = both + cur_only, both + lib_only
    print(f"\n--- {name}   vs current kind(s) {'+'.join(kinds)}   ({len(rows)} dev drafts)")
    print(f"  exact agreement per draft: {agree}/{len(rows)} = {agree / len(rows):.1%}")
    print(f"  facts: current {n_cur}, library {n_lib}, both {both}; "
          f"current-only {cur_only}, library-only {lib_only}")
    print(f"  library hits no current fact (any kind) covers: {len(new)} "
          f"({len(new_must)} on a must_keep, {len(new_other)} not)")
    print(f"  current facts the library misses entirely: {len(missed)}")
    print(f"  dev must_keep strings covered: current {guard_cur}/{n_must}, "
          f"library alone {guard_lib}/{n_must}")
    for title, recs in (("new, on a must_keep", new_must), ("new, not a must_keep", new_other)):
        for rid, s, ctx in recs[:show]:
            print(f"    {title}: {rid} {s!r}  ...{ctx}...")
    for rid, s, cov in other[:show]:
        print(f"    library-only, overlapping current facts: {rid} {s!r} vs {', '.join(cov)}")
    for rid, c in missed[:show]:
        print(f"    missed by library: {rid} {c!r}")

    bank_new = []
    for t in bank_texts():           # the rewrite bank: drafts and their good rewrites
        spans = _fact_spans(t, extract_facts(t))
        for _s, a, b in find(t.translate(_NORM)):
            if _s and not _overlaps(a, b, spans):
                bank_new.append((t[a:b], t[max(0, a - 40):b + 30].replace("\n", " ")))
    print(f"  rewrite bank ({len(bank_texts())} drafts+rewrites): library hits no current fact "
          f"covers: {len(bank_new)}")
    for s, ctx in bank_new[:show]:
        print(f"    bank, new: {s!r}  ...{ctx}...")

    cur_pat = FACT_PATTERNS[kinds[0]]
    lib_us = per_call_us(find, [t.translate(_NORM) for t in texts])
    pat_us = per_call_us(lambda s: list(cur_pat.finditer(s)), texts)
    all_us = per_call_us(extract_facts, texts)
    print(f"  speed: library {lib_us:9.1f} us/call   current '{kinds[0]}' pattern {pat_us:6.1f} "
          f"us/call (ratio {lib_us / pat_us:7.1f}x)   whole extract_facts {all_us:6.1f} us/call "
          f"(ratio {lib_us / all_us:5.2f}x)")
    print(f"  cost: {fmt_probe(probe('facts', name))}")


def compare_switched(show: int) -> None:
    """extract_facts as shipped (libraries first, patterns as fallback) against the patterns
    alone, on the dev drafts and the rewrite bank: what changed, and what it costs."""
    import coach.rewrite.verify as v

    rows = dev_rows()
    texts = [r["text"] for r in rows] + bank_texts()
    ids = [r["id"] for r in rows] + ["bank"] * (len(texts) - len(rows))
    try:
        after = [v.extract_facts(t) for t in texts]
    except ImportError as e:
        print(f"\n--- switched extract_facts: {e.name} not installed")
        return
    with hand_written():
        before = [v.extract_facts(t) for t in texts]
    changed = [(i, sorted(set(b) - set(a), key=str), sorted(set(a) - set(b), key=str))
               for i, b, a in zip(ids, before, after) if a != b]
    print(f"\n--- extract_facts as shipped vs hand-written patterns only "
          f"({len(rows)} dev drafts + {len(texts) - len(rows)} bank texts)")
    print(f"  identical facts: {len(texts) - len(changed)}/{len(texts)}")
    for i, gone, new in changed[:show]:
        print(f"    {i}: {[f'{f.kind}:{f.text}' for f in gone]} -> "
              f"{[f'{f.kind}:{f.text}' for f in new]}")
    # interleaved passes: the machine's load drifts, so both sides see the same drift
    dev = [r["text"] for r in rows]
    lib, pat = [], []
    for _ in range(5):
        lib.append(per_call_us(v.extract_facts, dev, budget_s=0.3))
        with hand_written():
            pat.append(per_call_us(v.extract_facts, dev, budget_s=0.3))
    src = [t.translate(v._NORM) for t in dev]
    ph = per_call_us(v._library_phones, src, budget_s=0.3)
    ur = per_call_us(v._library_urls, src, budget_s=0.3)
    print(f"  speed: {min(lib):.1f} us/call shipped vs {min(pat):.1f} us/call patterns only "
          f"(ratio {min(lib) / min(pat):.2f}x; best of 5 interleaved); of which phonenumbers "
          f"{ph:.1f} us, urlextract {ur:.1f} us per call (gated: "
          f"{sum(bool(v._PHONEISH.search(t)) for t in src)} and "
          f"{sum(bool(v._DOMAINISH.search(t)) for t in src)} of {len(src)} dev drafts reach them)")
    # the hot path: one verify() per rewrite candidate (extract_facts runs in it twice)
    from coach import Coach, CoachConfig

    coach = Coach(CoachConfig(detectors=("rules",)))
    ver, ver_pat = [], []
    for _ in range(3):
        ver.append(per_call_us(lambda t: v.verify(t, t, coach), dev, budget_s=0.5))
        with hand_written():
            ver_pat.append(per_call_us(lambda t: v.verify(t, t, coach), dev, budget_s=0.5))
    print(f"  verify(draft, candidate) with the rules pipeline: {min(ver) / 1000:.2f} ms/call "
          f"shipped vs {min(ver_pat) / 1000:.2f} ms/call patterns only "
          f"(ratio {min(ver) / min(ver_pat):.2f}x)")
    for name in EXTRACTORS:
        print(f"  {name}: {fmt_probe(probe('facts', name))}")


def section_facts(show: int, only: list[str]) -> None:
    print("=" * 30, "fact extraction (coach.rewrite.verify.extract_facts)", "=" * 30)
    print("'current' below is the hand-written patterns alone (the library steps stubbed out).")
    with hand_written():
        for name in FACT_CANDIDATES:
            if not only or any(o in name for o in only):
                compare_facts(name, show)
    compare_switched(show)
    print("\nprice-parser is not compared: Price.fromstring parses one price out of a string it "
          "is given, it does not find amounts in running text.")


# ====================================================================== sentences
def _cur_split():
    from coach.text import sentence_bounds

    return sentence_bounds


def _pysbd():
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def split(text: str):
        return [(s.start, s.end) for s in seg.segment(text)]
    return split


def _blingfire():
    import blingfire

    def split(text: str):
        _s, offs = blingfire.text_to_sentences_and_offsets(text)
        return list(offs)
    return split


def _punkt_untrained():
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    tok = PunktSentenceTokenizer()      # no abbreviation list: the trained one needs a download

    def split(text: str):
        return list(tok.span_tokenize(text))
    return split


def _syntok():
    import syntok.segmenter as segmenter

    def split(text: str):
        out = []
        for para in segmenter.analyze(text):
            for sent in para:
                a = sent[0].offset
                b = sent[-1].offset + len(sent[-1].value)
                out.append((a, b))
        return out
    return split


SPLITTERS: dict[str, tuple[None, Callable]] = {
    "current sentence_bounds": (None, _cur_split),
    "pysbd": (None, _pysbd),
    "blingfire": (None, _blingfire),
    "nltk punkt (untrained)": (None, _punkt_untrained),
    "syntok": (None, _syntok),
}


def _trim(text: str, spans) -> list[tuple[int, int]]:
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


_ABBREV = re.compile(r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Sr|Jr|vs|etc|approx|no|No|e\.g|i\.e|a\.m|p\.m|"
                     r"[A-Z])\.$")


def _boundary_kind(text: str, start: int) -> str:
    """What separates the sentence starting at `start` from the one before it."""
    before = text[:start].rstrip(" \t")
    if before.endswith("\n") or "\n" in text[len(before.rstrip()):start]:
        return "newline"
    before = before.rstrip()
    last = before.rstrip("\"')]")[-1:] if before else ""
    if last in ";:":
        return "semicolon/colon"
    if last in "-\u2013\u2014":
        return "dash"
    if last in ".!?\u2026":
        word = re.search(r"(\S+)$", before)
        if word and _ABBREV.match(word.group(1).lstrip("(\"'")):
            return "after an abbreviation"
        return "end punctuation"
    return "other"


def _starts(spans) -> set[int]:
    return {a for a, _b in spans[1:]}


def section_sentences(show: int) -> None:
    from collections import Counter

    from coach.text import DraftView

    print("=" * 30, "sentence splitting (coach.text.sentence_bounds)", "=" * 30)
    print("nltk's trained punkt (nltk.sent_tokenize) needs `nltk.download('punkt_tab')`, which "
          "fails without internet; the untrained PunktSentenceTokenizer is measured instead.")
    rows = dev_rows()
    texts = [r["text"] for r in rows]
    masked = [DraftView(t).masked for t in texts]      # what the detectors split
    cur = SPLITTERS["current sentence_bounds"][1]()
    cur_spans = [cur(t) for t in texts]
    cur_us = per_call_us(cur, masked)
    n_cur = sum(len(s) - 1 for s in cur_spans)
    by_kind = Counter(_boundary_kind(t, a) for t, sp in zip(texts, cur_spans) for a in _starts(sp))
    print(f"current: {cur_us:.1f} us/call on the masked dev drafts, {n_cur} boundaries "
          f"({', '.join(f'{k} {v}' for k, v in by_kind.most_common())})")
    print(f"  cost: {fmt_probe(probe('sentences', 'current sentence_bounds'))} "
          "(coach.text is loaded with the coach package)")
    for name, (_x, setup) in SPLITTERS.items():
        if name == "current sentence_bounds":
            continue
        try:
            split = setup()
        except ImportError as e:
            print(f"\n--- {name}: not installed ({e.name})")
            continue
        agree = tp = 0
        lib_total = 0
        cur_only, lib_only = Counter(), Counter()
        ex_cur, ex_lib = [], []
        for r, t, cs in zip(rows, texts, cur_spans):
            ls = _trim(t, split(t))
            agree += ls == cs
            a, b = _starts(cs), _starts(ls)
            tp += len(a & b)
            lib_total += len(b)
            for s in sorted(a - b):
                k = _boundary_kind(t, s)
                cur_only[k] += 1
                ex_cur.append((r["id"], k, t[max(0, s - 35):s] + " | " + t[s:s + 25]))
            for s in sorted(b - a):
                k = _boundary_kind(t, s)
                lib_only[k] += 1
                ex_lib.append((r["id"], k, t[max(0, s - 35):s] + " | " + t[s:s + 25]))
        us = per_call_us(split, masked)
        print(f"\n--- {name}")
        print(f"  identical spans per draft: {agree}/{len(rows)} = {agree / len(rows):.1%}")
        print(f"  boundaries: current {n_cur}, library {lib_total}, shared {tp} "
              f"(library finds {tp / n_cur:.1%} of the current ones; "
              f"{tp / max(lib_total, 1):.1%} of its own are current ones)")
        print(f"  current-only by kind: {dict(cur_only.most_common())}")
        print(f"  library-only by kind: {dict(lib_only.most_common())}")
        for rid, k, ctx in [e for e in ex_cur if "punct" in e[1] or "abbrev" in e[1]][:show]:
            print(f"    current-only ({k}) {rid}: {ctx.replace(chr(10), ' ')!r}")
        for rid, k, ctx in ex_lib[:show]:
            print(f"    library-only ({k}) {rid}: {ctx.replace(chr(10), ' ')!r}")
        print(f"  speed: {us:.1f} us/call (ratio {us / cur_us:.1f}x the current "
              f"{cur_us:.1f} us/call); {1e6 / us:,.0f} drafts/s if splitting were all a check did")
        print(f"  cost: {fmt_probe(probe('sentences', name))}")


# ====================================================================== progress
class _TqdmAdapter:
    """tqdm driven the way coach.score.run drives ProgressBar: update(done), close()."""

    def __init__(self, total: int, initial: int, stream) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, initial=initial, file=stream, unit=" conversations",
                        desc="scoring", dynamic_ncols=True)

    def update(self, done: int) -> None:
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


class _RichAdapter:
    def __init__(self, total: int, initial: int, stream) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        self.p = Progress(TextColumn("scoring"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("conversations"), TimeRemainingColumn(),
                          console=Console(file=stream))
        self.p.start()
        self.task = self.p.add_task("scoring", total=total, completed=initial)

    def update(self, done: int) -> None:
        self.p.update(self.task, completed=done)

    def close(self) -> None:
        self.p.stop()


def _bars() -> dict[str, Callable]:
    from coach.score.progress import ProgressBar

    return {"current ProgressBar": lambda total, initial, s: ProgressBar(total, initial, s),
            "tqdm": _TqdmAdapter, "rich": _RichAdapter}


def _run_progress_child(name: str, seconds: float, total: int, initial: int) -> None:
    """A fake scoring run: updates every 10 ms for `seconds`, progress to stderr."""
    t0 = time.perf_counter()
    bar = _bars()[name](total, initial, sys.stderr)
    import_ms = (time.perf_counter() - t0) * 1000
    steps = max(1, int(seconds / 0.01))
    for i in range(1, steps + 1):
        time.sleep(0.01)
        bar.update(initial + (total - initial) * i // steps)
    bar.close()
    sys.stderr.flush()
    print(json.dumps({"import_ms": import_ms}))


def _capture(name: str, tty: bool, seconds: float, total: int, initial: int,
             cols: int = 110) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_progress", name, str(seconds),
           str(total), str(initial)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": str(cols)}
    env.pop("NO_COLOR", None)
    if not tty:
        r = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
        err, out = r.stderr, r.stdout
    else:
        import pty
        import select

        master, slave = pty.openpty()
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            ready, _w, _x = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                chunks.append(data)
            elif p.poll() is not None:
                break
        out = p.stdout.read()
        p.wait()
        os.close(master)
        err = b"".join(chunks)
    text = err.decode("utf-8", "replace")
    stdout_lines = [l for l in out.decode().splitlines() if l.strip()]
    info = json.loads(stdout_lines[-1]) if stdout_lines else {}
    visible = [l for l in re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text))
               if l.strip()]
    return {"bytes": len(err), "newlines": text.count("\n"), "redraws": text.count("\r"),
            "ansi": len(re.findall(r"\x1b\[", text)), "last": visible[-1] if visible else "",
            "first": visible[0] if visible else "", "stdout_extra": len(stdout_lines) - 1,
            "longest": max((len(l) for l in visible), default=0),
            "import_ms": info.get("import_ms", float("nan"))}


def section_progress(seconds: float) -> None:
    print("=" * 30, "progress output (coach.score.progress.ProgressBar)", "=" * 30)
    total = 1000
    bars = {}
    for name in ("current ProgressBar", "tqdm", "rich"):
        try:
            bars[name] = _bars()[name](10, 0, io.StringIO())
        except ImportError as e:
            print(f"--- {name}: not installed ({e.name})")
    for name in bars:
        stream = open(os.devnull, "w")
        bar = _bars()[name](10**9, 0, stream)
        n = 200_000
        t0 = time.perf_counter()
        for i in range(1, n + 1):
            bar.update(i)
        us = (time.perf_counter() - t0) / n * 1e6
        bar.close()
        stream.close()
        print(f"\n--- {name}: {us:.2f} us per update() (non-TTY stream, {n:,} updates)")
        for tty in (False, True):
            c = _capture(name, tty, seconds, total, 0)
            print(f"  {'TTY    ' if tty else 'non-TTY'} {seconds:.0f} s run: {c['bytes']:6,} bytes, "
                  f"{c['newlines']:3} newlines, {c['redraws']:4} carriage returns, "
                  f"{c['ansi']:4} escape sequences, stdout lines {c['stdout_extra']}, "
                  f"construct+import {c['import_ms']:.0f} ms")
            print(f"      first: {c['first'][:110]!r}")
            print(f"      last:  {c['last'][:110]!r}")
        # a narrow terminal: a redraw longer than the width wraps, and every later redraw then
        # scrolls a new row instead of overwriting the line
        c = _capture(name, True, 1.0, 1_000_000, 0, cols=60)
        print(f"  TTY 60 columns, 1,000,000 total: longest redraw {c['longest']} characters "
              f"({'fits' if c['longest'] < 60 else 'fills every column' if c['longest'] == 60 else 'wraps'})")
        # resume: 500 of 1000 done before; the rate and ETA must count only this run's work
        c = _capture(name, False, 1.0, total, 500)
        print(f"  resume (initial=500, 500 more in ~1 s, so ~500/s): last: {c['last'][:110]!r}")


# ====================================================================== main
def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--_probe":
        _run_probe(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--_progress":
        _run_progress_child(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--section", default="facts,sentences,progress")
    ap.add_argument("--show", type=int, default=12, help="disagreements printed per list")
    ap.add_argument("--only", default="", help="fact candidates whose name contains one of these "
                                               "comma-separated words (default: all)")
    ap.add_argument("--progress-seconds", type=float, default=6.0,
                    help="length of the fake run (over 5 s shows the non-TTY interval)")
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}   {sys.executable}")
    for s in a.section.split(","):
        if s == "facts":
            section_facts(a.show, [o for o in a.only.split(",") if o])
        elif s == "sentences":
            section_sentences(a.show)
        elif s == "progress":
            section_progress(a.progress_seconds)
        else:
            ap.error(f"unknown section {s!r}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
