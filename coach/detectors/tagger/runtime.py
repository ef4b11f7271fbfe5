"""Run the exported tagger: ONNX Runtime and the `tokenizers` library, never torch.

Start-up is the price of every CLI call and of the app's first check, so loading the tagger is
reading three files (the graph, its tokenizer, its meta) into onnxruntime and tokenizers. Windows
run one at a time (see BATCH); a call with many windows spreads them over one single-thread
session per core, which keeps both cores busy where one two-thread session does not, and can
start in the background while the caller runs the rules (`OrtTagger.start`).
"""
from __future__ import annotations

import json
import os
import queue
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from coach.errors import ModelUnavailableError
from coach.paths import data_dir
from coach.detectors.tagger.labels import LABELS
from coach.detectors.tagger.windows import MAX_TOKENS, Window, batch_inputs, draft_windows
from coach.text import DraftView

DEFAULT_TAGGER_DIR = data_dir("models") / "tagger"
META = "tagger.json"
GRAPH = "tagger.onnx"
TOKENIZER = "tokenizer.json"
# One window per run: the int8 graph quantises activations dynamically, with one scale per
# input tensor, so a window batched with others would get other probabilities than alone
# (measured: up to 0.32 apart) and results would depend on what else is checked. One window
# at a time gives every window the same answer everywhere, at the speed fp32 reaches batched
# (dev set: 178 vs 172 drafts/s on 2 cores) and a quarter of its size.
BATCH = 1
# Calls with at least this many new windows spread them over one single-thread session per core:
# measured on the dev sets' windows (2 cores), 13.1k tokens/s against 8.1k for one session with
# two threads, which a lone short window still uses (its latency is lower there).
PARALLEL_FROM = 4
CACHE_WINDOWS = 20_000   # ~ 20,000 x 40 tokens x 15 labels x 4 bytes: ~50 MB at most


@dataclass
class TaggerMeta:
    """What `reply-coach train` wrote beside the graph: labels, thresholds, provenance."""

    labels: tuple[str, ...]
    thresholds: dict[str, float]
    max_tokens: int = MAX_TOKENS
    encoder: str = ""
    info: dict = field(default_factory=dict)

    @classmethod
    def load(cls, model_dir: Path) -> "TaggerMeta":
        path = Path(model_dir) / META
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelUnavailableError(
                f"no tagger at {model_dir} ({META} missing): train one with `reply-coach train "
                "DATA.jsonl --out DIR`, reinstall the package (make setup) for the shipped one, "
                "or run with `--detectors rules`") from None
        except (OSError, ValueError) as e:
            raise ModelUnavailableError(f"{path}: unreadable tagger meta ({e})") from None
        labels = tuple(data.get("labels") or ())
        if labels != LABELS:
            raise ModelUnavailableError(
                f"{path}: the tagger was trained for labels {list(labels)[:3]}..., this version "
                f"expects {list(LABELS)[:3]}...; retrain it with `reply-coach train`")
        return cls(labels, {k: float(v) for k, v in data["thresholds"].items()},
                   int(data.get("max_tokens", MAX_TOKENS)), str(data.get("encoder", "")),
                   {k: v for k, v in data.items()
                    if k not in ("labels", "thresholds", "max_tokens", "encoder")})

    def save(self, model_dir: Path) -> Path:
        path = Path(model_dir) / META
        data = {"labels": list(self.labels), "thresholds": self.thresholds,
                "max_tokens": self.max_tokens, "encoder": self.encoder, **self.info}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def load_tokenizer(path: Path):
    """The encoder's fast tokenizer, with the padding and truncation a tokenizer.json may carry
    switched off: windows are cut and padded by coach.detectors.tagger.windows."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


class OrtTagger:
    """Token probabilities (softmax over LABELS) for the windows of many drafts."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        self.dir = Path(model_dir or DEFAULT_TAGGER_DIR)
        self.meta = TaggerMeta.load(self.dir)
        for name in (GRAPH, TOKENIZER):
            if not (self.dir / name).is_file():
                raise ModelUnavailableError(
                    f"the tagger at {self.dir} has no {name}; reinstall the package (make setup) "
                    "or retrain it with `reply-coach train`")
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelUnavailableError("onnxruntime is not installed; install it with "
                                        "`.venv/bin/pip install onnxruntime` (or make setup)") \
                from None
        self.tokenizer = load_tokenizer(self.dir / TOKENIZER)
        so = ort.SessionOptions()
        # REPLY_COACH_TAGGER_THREADS: threads per run. The app serves many agents at once and
        # sets 1 (runs then proceed side by side, one per core, with no thread spinning).
        threads = threads or int(os.environ.get("REPLY_COACH_TAGGER_THREADS", 0) or 0)
        so.intra_op_num_threads = threads or min(os.cpu_count() or 2, 8)
        so.inter_op_num_threads = 1
        if so.intra_op_num_threads == 1:
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.dir / GRAPH), so,
                                            providers=["CPUExecutionProvider"])
        self.threads = so.intra_op_num_threads
        self._ort = ort
        self._workers: list = []          # single-thread sessions, made on the first long call
        self._pool: ThreadPoolExecutor | None = None
        self.cls_id = self.tokenizer.token_to_id("[CLS]")
        self.sep_id = self.tokenizer.token_to_id("[SEP]")
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def windows(self, view: DraftView) -> list[Window]:
        return draft_windows(view, self.tokenizer, self.meta.max_tokens)

    def probs(self, windows: Sequence[Window]) -> list[np.ndarray]:
        """Per window, an (n_tokens, n_labels) array of label probabilities.

        Results are cached by the window's token ids (bounded LRU): support replies repeat
        greetings, sign-offs and stock sentences, transcripts repeat them hundreds of times, and
        live checking re-sends a draft whose sentences mostly did not change. A window that
        comes twice in one call runs once (a pasted transcript repeats its stock messages)."""
        return self.start(windows)()

    def start(self, windows: Sequence[Window]) -> Callable[[], list[np.ndarray]]:
        """`probs(windows)` begun now, finished by calling what it returns.

        Many windows: one single-thread session works through them in the background at once,
        and the caller's thread, once it has done its own work (the rules, in the pipeline),
        takes windows from the same queue with a second session until none is left. Two cores
        then stay busy with two threads, where running the rules first left one core idle
        while they ran, and running them beside two tagger threads made three threads share
        two cores (measured slower). A window's answer is bit-identical in any single-thread
        session (and in the two-thread one), so where it runs never changes a flag."""
        out: list[np.ndarray | None] = [None] * len(windows)
        keys = [w.ids.tobytes() for w in windows]
        first: dict[bytes, int] = {}      # a window repeated within the call runs once
        with self._lock:
            for i, k in enumerate(keys):
                hit = self._cache.get(k)
                if hit is not None:
                    self._cache.move_to_end(k)
                    out[i] = hit
                elif k not in first:
                    first[k] = i
        order = sorted(first.values(), key=lambda i: len(windows[i].ids))

        def filled() -> list[np.ndarray]:
            for i, k in enumerate(keys):
                if out[i] is None:
                    out[i] = out[first[k]]
            return out  # type: ignore[return-value]

        if self.threads > 1 and len(order) >= PARALLEL_FROM:
            workers = self._worker_sessions()
            todo: queue.SimpleQueue[int] = queue.SimpleQueue()
            for i in order:
                todo.put(i)
            assert self._pool is not None
            bg = [self._pool.submit(self._drain, w, windows, todo, keys, out) for w in workers[1:]]

            def finish() -> list[np.ndarray]:
                self._drain(workers[0], windows, todo, keys, out)
                for f in bg:
                    f.result()
                return filled()
            return finish

        def run_here() -> list[np.ndarray]:
            self._run(self.session, windows, order, keys, out)
            return filled()
        return run_here

    def _drain(self, session, windows: Sequence[Window], todo: "queue.SimpleQueue[int]",
               keys: list[bytes], out: list) -> None:
        """Run windows taken from `todo` on `session` until it is empty."""
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            self._run(session, windows, [i], keys, out)

    def _worker_sessions(self) -> list:
        with self._lock:
            if not self._workers:
                for _ in range(self.threads):
                    so = self._ort.SessionOptions()
                    so.intra_op_num_threads = 1
                    so.inter_op_num_threads = 1
                    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    so.graph_optimization_level = self._ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                    so.log_severity_level = 3
                    self._workers.append(self._ort.InferenceSession(
                        str(self.dir / GRAPH), so, providers=["CPUExecutionProvider"]))
                # one session per core: the caller's thread drains with the first
                self._pool = ThreadPoolExecutor(self.threads - 1, thread_name_prefix="tagger")
            return self._workers

    def _run(self, session, windows: Sequence[Window], order: list[int], keys: list[bytes],
             out: list) -> None:
        """Run `order`'s windows on one session, BATCH at a time, into `out` and the cache."""
        for k in range(0, len(order), BATCH):
            idx = order[k:k + BATCH]
            batch = [windows[i] for i in idx]
            feeds = batch_inputs(batch, self.cls_id, self.sep_id, self.pad_id)
            logits = session.run(None, feeds)[0]
            logits = logits - logits.max(axis=-1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=-1, keepdims=True)
            with self._lock:
                for j, i in enumerate(idx):
                    out[i] = p[j, 1:len(windows[i].ids) + 1]
                    self._cache[keys[i]] = out[i]
                while len(self._cache) > CACHE_WINDOWS:
                    self._cache.popitem(last=False)
