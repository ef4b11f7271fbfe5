"""`--engine ray`: the same per-conversation scoring as a Ray Data pipeline.

    staged JSONL shards --ray.data.read_json--> map_batches(score_items) --> ordered results

Reading and validation stay on the driver (readers.py): that is where line numbers are known and
where a CSV's or a Twitter thread's rows are grouped into conversations. The validated
conversations are staged as JSONL shards (`{"seq", "payload"}`), read with `ray.data.read_json`
and scored by `map_batches` with exactly the function the local engine uses (`score_items`).
Results stream back to the driver in input order and go through the same checkpoint and writers
as the local engine, which is why outputs match it byte for byte and `--resume` works here too.

With `--ray-address` the staged paths are `local://`, so read tasks run on the driver's node
and the cluster needs no shared filesystem; the driver must then run on a cluster node (e.g.
`ray job submit`, or address "auto"), not through Ray Client, and `coach` must be importable on
the workers (installed there, or shipped with a runtime_env).
Usage statistics and the dashboard are off: nothing leaves the machine.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Callable

from coach.config import CoachConfig
from coach.errors import CoachError
from coach.score.model import Conversation, Item, Skipped
from coach.score.outputs import dumps_line
from coach.score.scoring import score_items, skipped_record

INSTALL_HINT = ("--engine ray needs Ray, which is an optional extra: pip install -e .[scale] "
                "(or pip install 'ray[data]')")
SHARD_SIZE = 512   # conversations per staged file; one read task each


def _import_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
        import ray.data
    except ImportError:
        raise CoachError(INSTALL_HINT) from None
    return ray


_COACHES: dict[str, object] = {}


def _score_batch(batch: dict, config: CoachConfig) -> dict:
    """Ray task body: decode staged conversations and score them like the local engine."""
    import numpy as np
    from coach.pipeline import Coach

    key = repr(config)
    coach = _COACHES.get(key)
    if coach is None:
        coach = _COACHES[key] = Coach(config)
    convs = [Conversation.from_dict(json.loads(p)) for p in batch["payload"]]
    records = score_items(coach, convs)
    return {"seq": np.array([c.seq for c in convs], dtype=np.int64),
            "record": np.array([json.dumps(r, ensure_ascii=False) for r in records],
                               dtype=object)}


def _stage(todo: list[Item], stage: Path, prefix: str) -> list[str]:
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    convs = [it for it in todo if isinstance(it, Conversation)]
    files = []
    for n, i in enumerate(range(0, len(convs), SHARD_SIZE)):
        path = stage / f"part-{n:06d}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for c in convs[i:i + SHARD_SIZE]:
                f.write(dumps_line({"seq": c.seq, "payload": json.dumps(c.to_dict())}))
        files.append(prefix + str(path.resolve()))
    return files


def run_ray(todo: list[Item], config: CoachConfig, sink: Callable[[list[dict]], None], *,
            workers: int = 1, address: str | None = None, work_dir: Path,
            batch_size: int = 32) -> None:
    """Score `todo` on Ray and hand records to `sink` in input order, batch by batch.

    A local Ray instance is started (with `workers` CPUs when > 1) unless Ray is already
    initialised or `address` names a cluster; an instance started here is shut down after.
    """
    ray = _import_ray()
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)   # our progress line is enough
    started = False
    if not ray.is_initialized():
        kwargs = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=workers if workers > 1 else None, **kwargs)
        started = True
    stage = Path(work_dir) / "ray-input"
    try:
        with warnings.catch_warnings():
            # Ray Data's deprecation notices (and the one for `local://`) are not the user's
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*local://.*")
            _pipeline(ray, todo, config, sink, stage, address, batch_size)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if started:
            ray.shutdown()


def _pipeline(ray, todo: list[Item], config: CoachConfig, sink: Callable[[list[dict]], None],
              stage: Path, address: str | None, batch_size: int) -> None:
    """read_json -> map_batches -> records to `sink` in input order (Skipped ones in place)."""
    # on a cluster, `local://` pins the read tasks to this node, which has the staged files
    files = _stage(todo, stage, "local://" if address else "")
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False
    pending: dict[int, dict] = {}
    queue = iter(todo)
    nxt = next(queue, None)

    def drain() -> None:
        nonlocal nxt
        ready = []
        while nxt is not None:
            if isinstance(nxt, Skipped):
                ready.append(skipped_record(nxt))
            elif nxt.seq in pending:
                ready.append(pending.pop(nxt.seq))
            else:
                break
            nxt = next(queue, None)
        if ready:
            sink(ready)

    if files:
        ds = ray.data.read_json(files).map_batches(
            _score_batch, batch_size=batch_size, fn_kwargs={"config": config})
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            for seq, rec in zip(batch["seq"], batch["record"]):
                pending[int(seq)] = json.loads(rec)
            drain()
    drain()
    if nxt is not None or pending:
        raise CoachError("the Ray engine returned an incomplete result set; run again with "
                         "--resume")
