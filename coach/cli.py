"""`reply-coach` command line: check drafts, evaluate detectors, launch the app."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Sequence

from coach.config import CoachConfig
from coach.errors import CoachError, require_draft


# Feature modules that add sub-commands (each has `register(subparsers, add_pipeline_args,
# make_config)`): batch scoring, training the embedding head, rewriting with the local model.
COMMAND_MODULES = ("coach.score.cli", "coach.detectors.embedding.cli", "coach.detectors.tagger.cli", "coach.rewrite.cli")


def _add_pipeline_args(p: argparse.ArgumentParser, multi: bool = False) -> None:
    p.add_argument("--config", help="pipeline config YAML (detectors, rule packs, thresholds)")
    p.add_argument("--detectors", action="append" if multi else "store",
                   help="comma-separated detectors, e.g. rules,embedding" +
                   (" (give twice to compare)" if multi else ""))
    p.add_argument("--rules", action="append", default=[], metavar="PACK.yaml",
                   help="an extra rule pack file (repeatable)")
    p.add_argument("--allowlist", metavar="FILE", help="file of phrases never to flag, one a line")
    p.add_argument("--model-dir", help="a trained embedding head (from `reply-coach train-head`)")
    p.add_argument("--tagger-dir", help="a trained span tagger (from `reply-coach train`)")


def _config(args: argparse.Namespace, detectors: str | None = None,
            path: str | None = None) -> CoachConfig:
    cfg = CoachConfig.from_yaml(path) if path else (
        CoachConfig.from_yaml(args.config) if args.config else CoachConfig())
    if detectors:
        cfg = replace(cfg, detectors=tuple(d.strip() for d in detectors.split(",") if d.strip()),
                      name=detectors)
    if args.rules:
        cfg = replace(cfg, rule_packs=cfg.rule_packs + tuple(args.rules))
    if args.allowlist:
        from coach.io import decode, open_bytes

        lines = decode(open_bytes(args.allowlist), args.allowlist).splitlines()
        cfg = replace(cfg, allowlist=cfg.allowlist + tuple(l.strip() for l in lines
                                                           if l.strip() and not l.startswith("#")))
    if args.model_dir:
        cfg = replace(cfg, model_dir=args.model_dir)
    if getattr(args, "tagger_dir", None):
        cfg = replace(cfg, tagger_dir=args.tagger_dir)
    return cfg


def cmd_check(args: argparse.Namespace) -> int:
    from coach.io import map_jsonl, read_text_arg, write_jsonl_line
    from coach.pipeline import Coach
    from coach.render import announce, format_flags, use_colour

    det = args.detectors if isinstance(args.detectors, str) else None
    coach = Coach(_config(args, det))
    used = coach.config.detectors
    if args.input:
        announce(used)

        def write(out, rid, row, flags):
            if args.format == "text":
                out.write(f"# {rid}\n{format_flags(row['text'], flags)}\n\n")
            else:
                write_jsonl_line(out, {"id": rid, "flags": [f.to_dict() for f in flags]})

        map_jsonl(args.input, args.out, args.skip_bad,
                  lambda row: coach.check(require_draft(row["text"])), write)
        return 0
    if args.text is None:
        raise CoachError("give a draft to check, `-` to read standard input, or --input FILE")
    text = require_draft(read_text_arg(args.text),
                         path="<stdin>" if args.text == "-" else None)
    flags = coach.check(text)
    if args.format == "jsonl":
        print(json.dumps({"flags": [f.to_dict() for f in flags], "detectors": list(used)},
                         ensure_ascii=False))
    else:
        print(format_flags(text, flags, use_colour(sys.stdout), used))
    return 0



def cmd_eval(args: argparse.Namespace) -> int:
    from coach.dataset import load_eval
    from coach.evaluate import evaluate, format_comparison, format_errors, format_report
    from coach.pipeline import Coach

    golds = load_eval(args.file)
    configs: list[CoachConfig] = []
    if args.compare:
        configs = [_config(args, None, p) for p in args.compare]
    elif args.detectors and len(args.detectors) > 1:
        configs = [_config(args, d) for d in args.detectors[:2]]
    else:
        configs = [_config(args, args.detectors[0] if args.detectors else None)]
    results = []
    for cfg in configs:
        res, _preds, flags = evaluate(Coach(cfg), golds)
        res["config"] = cfg.name
        results.append((cfg, res, flags))
    if args.json:
        payload = results[0][1] if len(results) == 1 else {c.name: r for c, r, _ in results}
        print(json.dumps(payload, indent=2))
    else:
        for cfg, res, _ in results:
            print(format_report(res, f"{args.file} [{cfg.name}: {','.join(cfg.detectors)}]"))
            print()
        if len(results) == 2:
            (ca, ra, _), (cb, rb, _) = results
            print(format_comparison(ra, rb, ca.name, cb.name))
    if args.errors:
        print(format_errors(golds, results[-1][2]))
    if args.rewrite:
        _eval_rewrites(args)
    return 0


def _eval_rewrites(args: argparse.Namespace) -> None:
    """`eval --rewrite`: rewrite metrics over the flagged drafts (coach.rewrite.evaluate)."""
    from coach.rewrite.cli import cmd_eval_rewrite

    rw = argparse.Namespace(**vars(args))
    rw.detectors = args.detectors[0] if args.detectors else None
    for name, default in (("model", None), ("backend", None), ("candidates", 3),
                          ("timeout", 30.0), ("rows", None), ("grades", None),
                          ("from_rows", None)):
        setattr(rw, name, getattr(args, name, default))
    print()
    cmd_eval_rewrite(rw, _config)


def cmd_app(args: argparse.Namespace) -> int:
    import app

    return app.main(["--host", args.host, "--port", str(args.port)])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reply-coach", description=(
        "Coach customer-support replies toward ownership: find distancing, scripted apologies "
        "and dead ends, say why they hurt and what to write instead."))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="flag problems in a draft or a JSONL file of drafts")
    p.add_argument("text", nargs="?", help="the draft text, or - to read standard input")
    p.add_argument("--input", help="JSONL file with `id` and `text` per line")
    p.add_argument("--format", choices=["text", "jsonl"], default=None,
                   help="output format (default: text for one draft, jsonl for --input)")
    p.add_argument("--out", help="write results here instead of standard output")
    p.add_argument("--skip-bad", action="store_true",
                   help="write an `error` row for a bad input line and go on")
    _add_pipeline_args(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("eval", help="score detectors on a labelled JSONL file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print one JSON object of metrics")
    p.add_argument("--errors", action="store_true", help="list misses and false alarms")
    p.add_argument("--compare", nargs=2, metavar=("A.yaml", "B.yaml"),
                   help="compare two pipeline configs side by side")
    p.add_argument("--rewrite", action="store_true",
                   help="also rewrite the flagged drafts and report rewrite metrics")
    p.add_argument("--no-model", action="store_true",
                   help="with --rewrite: checked edits, else the fallback; no language model")
    p.add_argument("--limit", type=int, help="with --rewrite: only the first N flagged drafts")
    _add_pipeline_args(p, multi=True)
    p.set_defaults(func=cmd_eval)

    # Commands that live with their feature register themselves: module.register(subparsers).
    import importlib

    for mod in COMMAND_MODULES:
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if e.name is None or not mod.startswith(e.name):
                raise
            continue
        module.register(sub, _add_pipeline_args, _config)

    p = sub.add_parser("app", help="start the web app (127.0.0.1 by default)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.set_defaults(func=cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "format", "x") is None:
        args.format = "jsonl" if args.input else "text"
    try:
        return args.func(args)
    except CoachError as e:
        print(f"reply-coach: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("reply-coach: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
