"""Batch scoring runs: read transcripts, score agent turns, write scorecards and the report.

`score_paths` is the one entry point for the CLI and the web app. A run is three stages:

1. read every input into Conversation/Skipped records (readers.py), numbered in input order;
2. score the records not yet done, in order, on the local engine (this process or a pool of
   processes fed by an ordered, chunked `imap`) or on Ray (engine_ray.py), appending each
   result to the checkpoint part file;
3. derive every output from the part file alone (scoring.py, outputs.py, report.py).

Because stage 3 only reads the ordered part file, the engine, the worker count and
interruptions cannot change a byte of the outputs.
"""
from __future__ import annotations

import multiprocessing as mp
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from coach import __version__
from coach.config import CoachConfig
from coach.errors import CoachError
from coach.pipeline import DETECTORS, Coach
from coach.score import outputs
from coach.score.checkpoint import Checkpoint, fingerprint
from coach.score.model import Item, Skipped
from coach.score.progress import ProgressBar
from coach.score.readers import load_inputs, parse_columns
from coach.score.report import render_report
from coach.score.scoring import Aggregator, score_items, turn_rows

ENGINES = ("local", "ray")
FORMATS = ("sarif",)
SKIP_HINT = " (use --skip-bad to report and skip malformed conversations)"


@dataclass
class Options:
    """Knobs of a run beyond `score_paths`' public arguments (tuning and tests)."""

    checkpoint_every: int = 200   # conversations between checkpoints
    chunk_size: int = 32          # conversations per task sent to a worker


def score_paths(paths: list[str], out_dir: str, *, columns: dict[str, str] | None = None,
                workers: int = 1, skip_bad: bool = False, resume: bool = False,
                quiet: bool = True, progress: Callable[[int, int], None] | None = None,
                config: CoachConfig | None = None, engine: str = "local",
                ray_address: str | None = None, formats: tuple[str, ...] = ()) -> dict:
    """Score transcripts into DIR; returns scorecards.json's summary plus "paths" {name: path}.

    `progress(done, total)` is called as conversations finish; `quiet=False` also draws a
    progress line on stderr. The default pipeline (as `check`) is used unless `config` says otherwise.
    """
    return run(paths, out_dir, columns=columns, workers=workers, skip_bad=skip_bad,
               resume=resume, quiet=quiet, progress=progress, config=config, engine=engine,
               ray_address=ray_address, formats=formats)


def run(paths: list[str], out_dir: str, *, columns: dict[str, str] | str | None = None,
        workers: int = 1, skip_bad: bool = False, resume: bool = False, quiet: bool = True,
        progress: Callable[[int, int], None] | None = None, config: CoachConfig | None = None,
        engine: str = "local", ray_address: str | None = None, formats: tuple[str, ...] = (),
        options: Options | None = None) -> dict:
    opts = options or Options()
    config = config or CoachConfig()   # the same default pipeline as `check` and the app
    paths = [str(p) for p in paths]
    _check_args(config, workers, engine, formats)
    cols = parse_columns(columns)

    def note(msg: str) -> None:
        if not quiet:
            print(f"reply-coach: {msg}", file=sys.stderr)

    items = load_inputs(paths, cols)
    if not skip_bad:
        bad = next((it for it in items if isinstance(it, Skipped)), None)
        if bad is not None:
            raise CoachError(bad.error + SKIP_HINT)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CoachError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)

    ckpt = Checkpoint(out, fingerprint(paths, cols, config, skip_bad), opts.checkpoint_every)
    done = ckpt.start(resume, note)
    total = len(items)
    bar = None if quiet else ProgressBar(total, done)

    def sink(records: list[dict]) -> None:
        if not skip_bad:
            bad_rec = next((r for r in records if r["kind"] == "skipped"), None)
            if bad_rec is not None:
                raise CoachError(bad_rec["error"] + SKIP_HINT)
        ckpt.write(records)
        if bar:
            bar.update(ckpt.done)
        if progress:
            progress(ckpt.done, total)

    try:
        todo = items[done:]
        if todo:
            if engine == "ray":
                from coach.score.engine_ray import run_ray

                run_ray(todo, config, sink, workers=workers, address=ray_address,
                        work_dir=ckpt.dir, batch_size=opts.chunk_size)
            else:
                _run_local(todo, config, sink, workers, opts.chunk_size)
        ckpt.save()
    except BaseException:
        # keep everything finished so far for --resume (a crash, an error or Ctrl-C)
        try:
            ckpt.save()
        finally:
            ckpt.close()
        raise
    finally:
        if bar:
            bar.close()
    summary = _write_outputs(out, ckpt, paths, config, formats)
    ckpt.remove()
    note(f"scored {summary['conversations']:,} conversations, {summary['agent_turns']:,} agent "
         f"turns, {summary['agents']:,} agents ({summary['skipped']:,} skipped) -> {out}")
    return summary


def _check_args(config: CoachConfig, workers: int, engine: str,
                formats: tuple[str, ...]) -> None:
    if engine not in ENGINES:
        raise CoachError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise CoachError(f"unknown output format(s) {bad}; available: {', '.join(FORMATS)}")
    if not isinstance(workers, int) or workers < 1:
        raise CoachError(f"--workers must be a whole number >= 1, got {workers!r}")
    unknown = [d for d in config.detectors if d not in DETECTORS]
    if unknown or not config.detectors:
        Coach(config)  # raises the pipeline's own ConfigError


def _chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


_WORKER_COACH: Coach | None = None


def _init_worker(config: CoachConfig) -> None:
    global _WORKER_COACH
    _WORKER_COACH = Coach(config)


def _score_chunk(chunk: list[Item]) -> list[dict]:
    assert _WORKER_COACH is not None
    return score_items(_WORKER_COACH, chunk)


def _run_local(todo: list[Item], config: CoachConfig, sink: Callable[[list[dict]], None],
               workers: int, chunk_size: int) -> None:
    """Score in order: in this process, or in `workers` processes via an ordered chunked imap.

    Workers are spawned (not forked) so a caller with threads, such as the web app, is safe;
    each builds its own Coach once.
    """
    if workers == 1:
        coach = Coach(config)
        for chunk in _chunks(todo, chunk_size):
            sink(score_items(coach, chunk))
        return
    ctx = mp.get_context("spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
        for records in pool.imap(_score_chunk, _chunks(todo, chunk_size)):
            sink(records)


def _write_outputs(out: Path, ckpt: Checkpoint, paths: list[str], config: CoachConfig,
                   formats: tuple[str, ...]) -> dict:
    agg = Aggregator()
    sarif = outputs.SarifBuilder(__version__) if "sarif" in formats else None
    turns_path = out / outputs.TURNS
    tmp = turns_path.with_name(turns_path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        for rec in ckpt.records():
            agg.add(rec)
            if rec["kind"] != "conversation":
                continue
            for row in turn_rows(rec):
                f.write(outputs.dumps_line(row))
                if sarif:
                    sarif.add(row)
    tmp.replace(turns_path)
    cards = agg.scorecards()
    summary = {**agg.summary(), "inputs": paths, "detectors": list(config.detectors)}
    written = {outputs.TURNS: turns_path}
    files = [(outputs.SCORECARDS_JSON, outputs.scorecards_json(cards, summary)),
             (outputs.SCORECARDS_CSV, outputs.scorecards_csv(cards)),
             (outputs.REPORT, render_report(cards, summary, {c["agent"]: agg.worst_turns(
                 c["agent"]) for c in cards}))]
    if sarif:
        files.append((outputs.SARIF, sarif.document()))
    for name, text in files:
        outputs.atomic_write(out / name, text)
        written[name] = out / name
    return {**summary, "paths": {k: str(v) for k, v in written.items()}}
