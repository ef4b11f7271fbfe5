"""`reply-coach score`: score transcript files into per-agent scorecards and an HTML report."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from coach.config import CoachConfig


def register(sub, add_pipeline_args: Callable, make_config: Callable) -> None:
    p = sub.add_parser(
        "score", help="score transcripts (JSONL, CSV, Twitter CSV) into per-agent scorecards",
        description="Score every agent turn of the given transcripts and write turns.jsonl, "
                    "scorecards.json, scorecards.csv and report.html into --out.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="JSONL (one conversation a line), CSV (one turn a row) or the Twitter "
                        "customer-support CSV layout")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the outputs")
    p.add_argument("--columns", metavar="OURS=THEIRS,...",
                   help="CSV column names, e.g. text=body,agent=agent_name (ours: "
                        "conversation_id, agent, role, text, timestamp)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="scoring processes")
    p.add_argument("--skip-bad", action="store_true",
                   help="report a malformed conversation (file and line) and go on")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed run from its checkpoint in --out")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--format", action="append", default=[], choices=["sarif"],
                   dest="formats", help="also write scorecards.sarif (SARIF 2.1.0)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local processes (default) or a Ray Data pipeline")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="an existing Ray cluster (default: start a local instance)")
    p.add_argument("--checkpoint-every", type=int, default=200, metavar="N",
                   help="conversations between checkpoints (default 200)")
    add_pipeline_args(p)
    p.set_defaults(func=lambda args: cmd_score(args, make_config))


def _config(args: argparse.Namespace, make_config: Callable) -> CoachConfig:
    """The shared pipeline config: the same default as `check` and the app, so a QA lead sees
    the flags agents see; `--detectors rules` is the fast mode."""
    return make_config(args, args.detectors)


def cmd_score(args: argparse.Namespace, make_config: Callable) -> int:
    from coach.errors import CoachError
    from coach.score.run import Options, run

    if args.checkpoint_every < 1:
        raise CoachError("--checkpoint-every must be >= 1")
    config = _config(args, make_config)
    from coach.render import announce

    announce(config.detectors)
    summary = run(args.inputs, args.out, columns=args.columns, workers=args.workers,
                  skip_bad=args.skip_bad, resume=args.resume, quiet=args.quiet,
                  config=config, engine=args.engine,
                  ray_address=args.ray_address, formats=tuple(dict.fromkeys(args.formats)),
                  options=Options(checkpoint_every=args.checkpoint_every))
    for rec in summary["skipped_records"]:
        print(f"reply-coach: skipped {rec['error']}", file=sys.stderr)
    if summary["agents"]:
        cards_by_rank = "reply-coach: weakest agents: " + ", ".join(
            f"{c['agent']} ({c['ownership_score']:.1f})" for c in _weakest(summary))
        if not args.quiet:
            print(cards_by_rank, file=sys.stderr)
    for name, path in summary["paths"].items():
        print(path)
    return 0


def _weakest(summary: dict, n: int = 3) -> list[dict]:
    import json

    with open(summary["paths"]["scorecards.json"], encoding="utf-8") as f:
        cards = json.load(f)["agents"]
    return list(reversed(cards[-n:]))
