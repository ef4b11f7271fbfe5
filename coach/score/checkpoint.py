"""Checkpoints for long scoring runs, so `--resume` continues a killed run exactly.

Per-conversation records are appended, in input order, to `DIR/.checkpoint/results.part.jsonl`;
every few hundred conversations the byte length of that file and the number of input items it
covers are saved (atomically) in `state.json`. On resume the part file is cut back to the saved
length, which drops whatever was written after the last checkpoint, and scoring restarts at the
next item: no conversation is lost or counted twice. The final outputs are computed from the
part file alone, so a resumed run writes the same bytes as an uninterrupted one.

A fingerprint of the inputs (their bytes), the column mapping, `--skip-bad` and the pipeline
config (including extra rule-pack contents and the trained model's files) is stored too; resuming with anything different is
refused rather than mixing two runs.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator

from coach import __version__
from coach.config import CoachConfig
from coach.errors import CoachError
from coach.score.outputs import dumps_line

CHECKPOINT_DIR = ".checkpoint"
RESULTS = "results.part.jsonl"
STATE = "state.json"
FORMAT_VERSION = 1


def _file_digest(path: str, h: "hashlib._Hash") -> None:
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        h.update(b"<unreadable>")


def fingerprint(paths: list[str], columns: dict[str, str], config: CoachConfig,
                skip_bad: bool) -> str:
    """What a run depends on; a checkpoint is only resumed by a run with the same fingerprint."""
    h = hashlib.sha256()
    cfg = json.dumps(asdict(config), sort_keys=True, default=str)
    h.update(json.dumps({"v": FORMAT_VERSION, "coach": __version__, "paths": list(paths),
                         "columns": columns, "skip_bad": skip_bad, "config": cfg},
                        sort_keys=True).encode())
    for p in [*paths, *config.rule_packs, *_model_files(config)]:
        h.update(b"\0" + str(p).encode() + b"\0")
        _file_digest(str(p), h)
    return h.hexdigest()


def _model_files(config: CoachConfig) -> list[str]:
    """The files of the trained model a run uses: everything under `model_dir`, or the shipped
    embedding head when the embedding detector runs without one. Retraining in place changes
    their bytes, so a checkpoint made before it is not resumed."""
    if config.model_dir:
        d = Path(config.model_dir)
    elif "embedding" in config.detectors:
        from coach.detectors.embedding.head import DEFAULT_HEAD_DIR  # noqa: PLC0415 (only when used)

        d = DEFAULT_HEAD_DIR
    else:
        return []
    if not d.is_dir():
        return [str(d)]
    return sorted(str(p) for p in d.rglob("*") if p.is_file())


class Checkpoint:
    """The part file of finished records plus the saved position in it."""

    def __init__(self, out_dir: Path, fp: str, every: int = 200) -> None:
        self.dir = Path(out_dir) / CHECKPOINT_DIR
        self.fp, self.every = fp, max(1, every)
        self.done = self.saved_done = 0
        self.offset = 0
        self._f = None

    def start(self, resume: bool, note: Callable[[str], None] = lambda s: None) -> int:
        """Open the part file; with `resume`, continue from the saved state. Returns items done."""
        state_path = self.dir / STATE
        if resume and state_path.exists():
            try:
                state = json.loads(state_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise CoachError(f"{state_path}: unreadable checkpoint ({e}); delete "
                                 f"{self.dir} to start again") from None
            if state.get("fingerprint") != self.fp:
                raise CoachError(f"{self.dir} holds a checkpoint of a different run (other "
                                 "inputs, columns, --skip-bad or pipeline config); run without "
                                 f"--resume to start again, or delete {self.dir}")
            self.done = self.saved_done = int(state["done"])
            self.offset = int(state["offset"])
            self._f = open(self.dir / RESULTS, "r+b")
            self._f.truncate(self.offset)
            self._f.seek(self.offset)
            note(f"resuming after {self.done:,} conversations from {self.dir}")
            return self.done
        if resume:
            note(f"no checkpoint in {self.dir}; starting from the beginning")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self._f = open(self.dir / RESULTS, "wb")
        self._save()
        return 0

    def write(self, records: list[dict]) -> None:
        """Append finished records (in input order); checkpoint when `every` more are done."""
        data = "".join(dumps_line(r) for r in records).encode("utf-8")
        self._f.write(data)
        self.offset += len(data)
        self.done += len(records)
        if self.done - self.saved_done >= self.every:
            self.save()

    def save(self) -> None:
        """Make everything written so far durable, then record the position."""
        self._f.flush()
        os.fsync(self._f.fileno())
        self._save()

    def _save(self) -> None:
        state = {"fingerprint": self.fp, "done": self.done, "offset": self.offset,
                 "format": FORMAT_VERSION}
        tmp = self.dir / (STATE + ".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.dir / STATE)
        self.saved_done = self.done

    def records(self) -> Iterator[dict]:
        """Every finished record, in input order."""
        self._f.flush()
        with open(self.dir / RESULTS, "rb") as f:
            for line in f:
                yield json.loads(line)

    def close(self) -> None:
        if self._f is not None and not self._f.closed:
            self._f.close()

    def remove(self) -> None:
        """After the outputs are written the checkpoint has served its purpose."""
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)
