"""The ONNX Runtime path of the embedder gives PyTorch's vectors, and falls back cleanly."""
import sys

import numpy as np
import pytest

from coach.embedder import onnx_runtime as ox
from coach.embedder.model import Embedder

pytestmark = pytest.mark.slow

TEXTS = ["I'm afraid there's nothing I can do about that.",
         "Your order #A-5512 ships on Tuesday.",
         "Caf\u00e9 \U0001F600 \u2014 we apologise for any inconvenience.",
         "ok"]


def test_default_embedder_runs_on_onnxruntime_with_torch_vectors(embedder, tmp_path, monkeypatch):
    assert embedder.runtime == "onnxruntime", embedder.runtime_note
    torch_emb = Embedder(runtime="torch")
    assert torch_emb.runtime == "torch"
    a = torch_emb.encode(TEXTS)
    embedder._cache.clear()
    b = embedder.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert ox.parity(a, b) > ox.PARITY_MIN_COSINE
    # Order is kept even though batches are sorted by length inside.
    assert np.argmax(b @ b[1]) == 1


def test_missing_onnxruntime_falls_back_to_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)   # `import onnxruntime` now fails
    e = Embedder()
    assert e.runtime == "torch"
    assert "onnxruntime not used" in e.runtime_note
    assert e.encode(["hello there"]).shape == (1, 384)


def test_a_mismatching_graph_is_refused(monkeypatch):
    monkeypatch.setattr(ox, "PARITY_MIN_COSINE", 1.5)      # no real graph can pass this
    e = Embedder()
    assert e.runtime == "torch" and "differ" in e.runtime_note


def test_env_var_forces_torch(monkeypatch):
    monkeypatch.setenv("REPLY_COACH_EMBED_RUNTIME", "torch")
    assert Embedder().runtime == "torch"


def test_graph_is_cached_by_weights(tmp_path):
    from coach.embedder.model import model_path

    p1 = ox.graph_path(model_path(), tmp_path)
    p2 = ox.graph_path(model_path(), tmp_path)
    assert p1 == p2 and p1.parent == tmp_path and p1.suffix == ".onnx"
