"""`reply-coach train`: fine-tune the span tagger on labelled drafts and write a model directory."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coach.errors import InputError


def register(sub, add_pipeline_args, make_config) -> None:
    p = sub.add_parser(
        "train", help="fine-tune the span tagger on labelled drafts (eval schema)",
        description=(
            "Fine-tune the MiniLM span tagger end to end (token classification, BIO per type) on "
            "DATA.jsonl (+ --extra files), calibrate per-type thresholds on --calibrate files "
            "(never a test split), export ONNX (int8 where it agrees with fp32 on >= 99 %% of "
            "calibration decisions) and write tagger.onnx, tokenizer.json and tagger.json to "
            "--out. Deterministic for a seed; a stopped run resumes from --out/checkpoint.pt. "
            "Use it with `reply-coach check --detectors tagger --tagger-dir DIR`."))
    p.add_argument("data", help="labelled drafts (JSONL, eval schema)")
    p.add_argument("--extra", action="append", default=[], metavar="FILE",
                   help="more labelled training drafts (repeatable)")
    p.add_argument("--calibrate", action="append", default=[], metavar="FILE", required=True,
                   help="labelled drafts to choose thresholds on (repeatable; a dev set)")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--layers", type=int, default=6, help="encoder layers to keep (1-6)")
    p.add_argument("--lr", type=float, default=8e-5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--max-clean-fp", type=float, default=0.02,
                   help="clean-draft false-positive budget for the thresholds (default 0.02)")
    p.add_argument("--distill-from", default="", metavar="DIR",
                   help="a trained tagger directory whose token probabilities the new one also "
                        "learns (a smaller --layers student of the shipped tagger)")
    p.add_argument("--distill-weight", type=float, default=0.5, metavar="W",
                   help="weight of the teacher's probabilities in the loss (default 0.5)")
    p.add_argument("--checkpoint-every", type=int, default=100, metavar="N")
    p.add_argument("--alone", action="store_true",
                   help="choose thresholds for the tagger alone (default: for rules + tagger, "
                        "the default pipeline)")
    p.add_argument("--calibrate-only", action="store_true",
                   help="keep the trained model in --out and only choose its thresholds again")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    from coach.dataset import load_eval
    from coach.detectors.tagger.train import TrainConfig, build

    if not 1 <= args.layers <= 6:
        raise InputError("--layers must be between 1 and 6", field="layers")
    if args.distill_from and not 0.0 < args.distill_weight <= 1.0:
        raise InputError("--distill-weight must be in (0, 1]", field="distill-weight")
    if args.epochs < 1:
        raise InputError("--epochs must be at least 1", field="epochs")
    train = load_eval(args.data) + [g for p in args.extra for g in load_eval(p)]
    ids = [g.id for g in train]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"id {dup!r} appears twice in the training files", field="id")
    cal_sets = [load_eval(p) for p in args.calibrate]
    cal = [g for s in cal_sets for g in s]
    if args.calibrate_only:
        from coach.detectors.tagger.train import calibrate

        th = calibrate(args.out, cal_sets, args.max_clean_fp, with_rules=not args.alone)
        print(json.dumps({"thresholds": th}, indent=1))
        return 0
    clash = set(ids) & {g.id for g in cal}
    if clash:
        raise InputError(f"id {sorted(clash)[0]!r} is in both training and calibration files",
                         field="id")
    cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                      layers=args.layers, seed=args.seed, ckpt_every=args.checkpoint_every,
                      distill=args.distill_weight if args.distill_from else 0.0,
                      teacher=str(Path(args.distill_from).resolve()) if args.distill_from else "")
    meta = build(train, cal, args.out, cfg, max_clean_fp=args.max_clean_fp,
                 progress=not args.no_progress and sys.stderr.isatty(),
                 meta_info={"data": [Path(args.data).name] + [Path(p).name for p in args.extra],
                            "calibration": [Path(p).name for p in args.calibrate]},
                 with_rules=not args.alone, cal_sizes=[len(s) for s in cal_sets])
    print(json.dumps(meta, indent=1))
    return 0
