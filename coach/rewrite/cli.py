"""`reply-coach rewrite` and `reply-coach eval-rewrite`: registered by coach/cli.py.

`rewrite "text"` prints the rewrite and its checks; `rewrite --input FILE.jsonl --format jsonl
[--out OUT.jsonl]` writes one row per input line, in order: {"id", "rewrite", "source", "checks":
{"flags_left", "facts_missing", "promises_added", "owns_problem"}, "latency_ms"}. A bad row stops
the run with file, line and field (or is written as an error row with --skip-bad).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Callable

from coach.errors import CoachError, require_draft


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-model", action="store_true",
                   help="skip the language model: checked ownership edits, else the rule-based fallback (fast)")
    p.add_argument("--model", metavar="NAME|DIR",
                   help="a model card name in models/ (default qwen2.5-coder-1.5b-instruct) or a "
                        "Hugging Face model directory (transformers backend)")
    p.add_argument("--backend", choices=["llama.cpp", "transformers"],
                   help="runtime (default: llama.cpp on CPU, transformers with a GPU)")
    p.add_argument("--candidates", type=int, default=3, metavar="N",
                   help="model candidates per flagged sentence: greedy + sampled (default 3)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="hard time limit per draft in seconds (default 30)")


def register(sub, add_pipeline_args: Callable, make_config: Callable) -> None:
    p = sub.add_parser("rewrite", help="suggest a verified ownership rewrite of a draft")
    p.add_argument("text", nargs="?", help="the draft text, or - to read standard input")
    p.add_argument("--input", help="JSONL file with `id` and `text` per line")
    p.add_argument("--format", choices=["text", "jsonl"], default=None)
    p.add_argument("--out", help="write results here instead of standard output")
    p.add_argument("--skip-bad", action="store_true",
                   help="write an `error` row for a bad input line and go on")
    _add_model_args(p)
    add_pipeline_args(p)
    p.set_defaults(func=lambda a: cmd_rewrite(a, make_config))

    p = sub.add_parser("eval-rewrite", help="rewrite the flagged drafts of an eval file and "
                       "report what a reader would see: problem clauses kept, flags left, facts "
                       "lost, offers or names added, repeats, similarity to references, latency "
                       "and, with --grades, the grade mix and how well the proxies predict it")
    p.add_argument("file")
    p.add_argument("--grades", metavar="GRADES.jsonl",
                   help='graded rewrites ({"id", "rewrite", "grade"} rows, e.g. '
                        "eval/rewrite/rounds/<round>/final.jsonl, or several rounds joined by "
                        "`tools/rewrite_grading.py combine`) to match against this run")
    p.add_argument("--from-rows", metavar="ROWS.jsonl",
                   help="score the rewrites of an earlier --rows file instead of rewriting again")
    p.add_argument("--json", action="store_true", help="print one JSON object of metrics")
    p.add_argument("--rows", metavar="OUT.jsonl", help="also write every draft/rewrite pair here")
    p.add_argument("--limit", type=int, help="only the first N flagged drafts")
    _add_model_args(p)
    add_pipeline_args(p)
    p.set_defaults(func=lambda a: cmd_eval_rewrite(a, make_config))


def _coach_and_backend(args, make_config):
    from coach.pipeline import Coach

    from coach.render import announce

    coach = Coach(make_config(args, args.detectors))   # the default pipeline unless told
    announce(coach.config.detectors)   # the verifier re-checks candidates with these
    backend = None
    if not args.no_model:
        from coach.errors import ModelUnavailableError
        from coach.lm.backends import get_backend

        try:
            backend = get_backend(args.model, args.backend)
        except ModelUnavailableError as e:
            if args.model or args.backend:
                raise
            print(f"reply-coach: {e}; using the rule-based fallback", file=sys.stderr)
    return coach, backend


def _rewriter(args, make_config):
    from coach.rewrite.rewriter import rewrite

    if args.candidates < 1:
        raise CoachError("--candidates must be >= 1")
    if args.timeout <= 0:
        raise CoachError("--timeout must be > 0")
    coach, backend = _coach_and_backend(args, make_config)

    def run(text: str):
        return rewrite(text, coach=coach, n_candidates=args.candidates,
                       use_model=backend is not None, timeout_s=args.timeout, backend=backend)
    return run


def cmd_rewrite(args: argparse.Namespace, make_config: Callable) -> int:
    from coach.io import map_jsonl, read_text_arg, write_jsonl_line

    if args.format is None:
        args.format = "jsonl" if args.input else "text"
    if not args.input and args.text is None:
        raise CoachError("give a draft to rewrite, `-` to read standard input, or --input FILE")
    run = _rewriter(args, make_config)
    if not args.input:
        text = require_draft(read_text_arg(args.text),
                             path="<stdin>" if args.text == "-" else None)
        res = run(text)
        if args.format == "jsonl":
            print(json.dumps(res.to_dict(), ensure_ascii=False))
        else:
            print(res.rewrite)
            ck = res.checks
            print(f"\n[{res.source}] flags left: {len(ck['flags_left'])}, facts missing: "
                  f"{ck['facts_missing'] or 'none'}, promises added: {ck['promises_added'] or 'none'}, "
                  f"owns the problem: {'yes' if ck['owns_problem'] else 'no'}, "
                  f"{res.latency_ms:.0f} ms", file=sys.stderr)
        return 0

    def rewrite_row(row: dict):
        return run(require_draft(row["text"]))

    def write(out, rid, _row, res):
        if args.format == "text":
            out.write(f"# {rid} [{res.source}]\n{res.rewrite}\n\n")
        else:
            write_jsonl_line(out, res.to_dict(rid))

    map_jsonl(args.input, args.out, args.skip_bad, rewrite_row, write, verb="rewrote")
    return 0


def cmd_eval_rewrite(args: argparse.Namespace, make_config: Callable) -> int:
    from coach.dataset import load_eval
    from coach.io import write_jsonl_line
    from coach.rewrite.evaluate import evaluate_rewrites, format_rewrite_report

    from coach.rewrite.evaluate import load_grades

    golds = load_eval(args.file)
    grades = load_grades(args.grades) if args.grades else None
    if args.from_rows:
        run = _replay(args.from_rows)
    else:
        run = _rewriter(args, make_config)

    def progress(i: int, n: int) -> None:
        if sys.stderr.isatty():
            print(f"\r  rewriting {i}/{n}", end="" if i < n else "\n", file=sys.stderr)

    metrics, rows = evaluate_rewrites(golds, run, args.limit, progress, grades=grades)
    if args.rows:
        with open(args.rows, "w", encoding="utf-8") as f:
            for r in rows:
                write_jsonl_line(f, r)
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        print(format_rewrite_report(metrics, f"{args.file} [rewrite]"))
    return 0


def _replay(path: str) -> Callable:
    """A rewrite function answering from an earlier `--rows` file (keyed by draft text), so the
    proxies and grades of a run can be computed again without the model."""
    from types import SimpleNamespace

    from coach.io import iter_jsonl

    done = {}
    for _lineno, row, _err in iter_jsonl(path, ("draft", "rewrite")):
        done[row["draft"]] = row

    def run(text: str):
        row = done.get(text)
        if row is None:
            raise CoachError(f"{path}: no rewrite of the draft {text[:40]!r}...; rerun without "
                             "--from-rows")
        return SimpleNamespace(rewrite=row["rewrite"], source=row.get("source", ""),
                               strategy=row.get("strategy", ""),
                               checks={"flags_left": [] if row.get("own_checks_passed", True)
                                       else ["(failed)"]})
    return run
