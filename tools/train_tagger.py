"""The recipe of the shipped span tagger (models/tagger/): which data, which split, which settings.

Training data: the multi-writer corpus (eval/corpus/train.jsonl, drafts and their clean twins),
the labelled real training messages (eval/real/real-train.jsonl), the written dev set and extra
rows, and two thirds of real-dev. Calibration (thresholds, the int8 check): the other third of
real-dev and the corpus's held-out slice. Test splits (eval/test.jsonl, real-test, the blind
written set) are never read here. The real-dev thirds are fixed by a hash of the message id.

    python tools/train_tagger.py --out models/tagger [--work DIR] [--layers 6] [--epochs 2]
        [--real-weight 1]

`--real-weight N` reads the real training messages (real-train and the real-dev training
thirds) N times per epoch: real messages are a quarter of the drafts, and they are what the
tagger is weakest on.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "eval" / "real"


def third(rid: str) -> int:
    return int(hashlib.sha256(rid.encode()).hexdigest(), 16) % 3


def split_real_dev(work: Path) -> tuple[Path, Path]:
    rows = [json.loads(l) for l in (REAL / "real-dev.jsonl").open(encoding="utf-8") if l.strip()]
    a, b = work / "real-dev-train.jsonl", work / "real-dev-calibrate.jsonl"
    with a.open("w", encoding="utf-8") as fa, b.open("w", encoding="utf-8") as fb:
        for r in rows:
            (fb if third(r["id"]) == 0 else fa).write(json.dumps(r, ensure_ascii=False) + "\n")
    return a, b


def copy_of(work: Path, files: list[Path], k: int) -> Path:
    """The real training messages once more, ids suffixed (training ids must be unique)."""
    out = work / f"real-again-{k}.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for path in files:
            for line in path.open(encoding="utf-8"):
                if line.strip():
                    r = json.loads(line)
                    r["id"] = f"{r['id']}~{k}"
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / "models" / "tagger"))
    ap.add_argument("--work", default=str(ROOT / ".cache" / "tagger-train"),
                    help="where checkpoints and intermediate files go (not committed)")
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--distill-from", default="",
                    help="a tagger directory to distil from (e.g. models/tagger for a student)")
    ap.add_argument("--max-clean-fp", type=float, default=0.03)
    ap.add_argument("--real-weight", type=int, default=1,
                    help="how many times per epoch the real training messages are read")
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    dev_train, dev_cal = split_real_dev(work)
    if a.real_weight < 1:
        ap.error("--real-weight must be at least 1")
    again = [arg for k in range(2, a.real_weight + 1)
             for arg in ("--extra", str(copy_of(work, [REAL / "real-train.jsonl", dev_train], k)))]
    cmd = [sys.executable, "-m", "coach.cli", "train", str(ROOT / "eval/corpus/train.jsonl"),
           "--extra", str(REAL / "real-train.jsonl"), "--extra", str(ROOT / "eval/dev.jsonl"),
           "--extra", str(ROOT / "eval/train_extra.jsonl"), "--extra", str(dev_train),
           *again,
           "--calibrate", str(dev_cal), "--calibrate", str(ROOT / "eval/corpus/test.jsonl"),
           "--out", str(work / "model"), "--layers", str(a.layers), "--epochs", str(a.epochs),
           "--max-clean-fp", str(a.max_clean_fp), "--no-progress"]
    if a.distill_from:
        cmd += ["--distill-from", a.distill_from]
    print(" ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("tagger.onnx", "tokenizer.json", "tagger.json"):
        shutil.copyfile(work / "model" / name, out / name)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
