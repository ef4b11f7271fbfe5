"""`reply-coach train-head`: retrain the embedding head on a trainer's own labelled drafts."""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from coach.errors import InputError


def register(sub, add_pipeline_args, make_config) -> None:
    p = sub.add_parser(
        "train-head", help="train the embedding classifier head on labelled drafts (eval schema)",
        description=(
            "Train the per-type embedding head on DATA.jsonl (eval schema: id, text, spans). "
            "DATA is cut into folds by a hash of (seed, id) to choose calibration and thresholds "
            "on held-out predictions; --extra files are always training. Writes head.json and "
            "head.npz to --out; use them with `reply-coach check/eval --model-dir DIR`."))
    p.add_argument("data", help="labelled drafts (JSONL, eval schema); also used for validation")
    p.add_argument("--extra", action="append", default=[], metavar="FILE",
                   help="extra labelled rows used only for training (repeatable)")
    p.add_argument("--out", required=True, help="directory to write the head to")
    p.add_argument("--seed", type=int, default=13, help="seed of the fold split (default 13)")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--max-clean-fp", type=float, default=0.02,
                   help="largest clean-draft false-positive rate the thresholds may allow "
                        "on validation (default 0.02)")
    p.add_argument("--alone", action="store_true",
                   help="choose thresholds for the head alone; by default they are chosen for "
                        "the default rules + head combination, which is how the head is used")
    p.add_argument("--features", choices=("unit", "unit+context"), default="unit",
                   help="embed the unit alone, or also the mean of the draft's other sentences")
    p.add_argument("--json", action="store_true", help="print the validation metrics as JSON")
    p.set_defaults(func=cmd_train)


def cmd_train(args: argparse.Namespace) -> int:
    from coach.dataset import load_eval
    from coach.embedder.model import get_embedder
    from coach.detectors.embedding.train import train_head

    if args.folds < 2:
        raise InputError("--folds must be at least 2", field="folds")
    if not 0.0 <= args.max_clean_fp <= 1.0:
        raise InputError("--max-clean-fp must be between 0 and 1", field="max-clean-fp")
    data = load_eval(args.data)
    extra = [g for path in args.extra for g in load_eval(path)]
    ids = {g.id for g in data}
    clash = sorted(ids & {g.id for g in extra})
    if clash:
        raise InputError(f"id {clash[0]!r} is in both files; ids must be unique", args.extra[0],
                         field="id")
    t0 = time.perf_counter()
    log = (lambda *_a: None) if args.json else print
    head = train_head(data, extra, get_embedder(), seed=args.seed, folds=args.folds,
                      features=args.features, max_clean_fp=args.max_clean_fp,
                      with_rules=not args.alone, log=log)
    head.meta["data"] = [Path(args.data).name] + [Path(p).name for p in args.extra]
    out = head.save(args.out)
    val = head.meta["validation"]
    if args.json:
        print(json.dumps(val, indent=2))
        return 0
    print(f"trained on {head.meta['n_drafts']} drafts ({head.meta['n_units']} units) in "
          f"{time.perf_counter() - t0:.1f}s; validation = out-of-fold predictions on "
          f"{val['n']} drafts of {args.data} ({val['n_clean']} clean), {args.folds} folds, "
          f"seed {args.seed}; thresholds and figures for {val['scope']}")
    print(f"  {'type':<18} {'thresh':>6} {'P':>6} {'R':>6} {'F1':>6} {'support':>7}")
    for t, m in val["type"].items():
        th = head.thresholds[head.types.index(t)]
        th_s = "off" if th > 1 else f"{th:.2f}"
        print(f"  {t:<18} {th_s:>6} {m['p']:>6.3f} {m['r']:>6.3f} {m['f']:>6.3f} {m['support']:>7}")
    m = val["micro"]
    print(f"  {'micro (family)':<18} {'':>6} {m['p']:>6.3f} {m['r']:>6.3f} {m['f']:>6.3f} "
          f"{m['support']:>7}")
    print(f"  clean-draft FP rate {val['clean_fp_rate']:.3f}")
    for name in ("rules_alone", "head_alone"):
        if name in val:
            m = val[name]
            print(f"  {name.replace('_', ' '):<18} {'':>6} {m['p']:>6.3f} {m['r']:>6.3f} {m['f']:>6.3f}")
    print(f"wrote {out / 'head.json'} and {out / 'head.npz'}")
    return 0
