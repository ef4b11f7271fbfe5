"""Uploads are read only from Gradio's temp folder, within size and type limits."""
import os
from pathlib import Path

import pytest

from coach.errors import InputError
from coach.web.uploads import checked_upload, checked_uploads, upload_root


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "gradio"
    (r / "abc123").mkdir(parents=True)
    return r


def put(root, name, data=b'{"a": 1}\n'):
    p = root / "abc123" / name
    p.write_bytes(data)
    return p


def test_accepts_a_file_in_the_upload_folder(root):
    p = put(root, "chats.jsonl")
    assert checked_upload(str(p), (".jsonl",), root) == p.resolve()
    assert checked_uploads([str(p)], (".jsonl",), root) == [p.resolve()]
    assert checked_upload({"path": str(p)}, (".jsonl",), root) == p.resolve()


def test_rejects_paths_outside_the_upload_folder(root, tmp_path):
    outside = tmp_path / "secret.jsonl"
    outside.write_text("{}\n")
    with pytest.raises(InputError, match="only read from the app's upload folder"):
        checked_upload(str(outside), (".jsonl",), root)
    sneaky = root / "abc123" / ".." / ".." / "secret.jsonl"
    with pytest.raises(InputError, match="upload folder"):
        checked_upload(str(sneaky), (".jsonl",), root)


def test_size_type_and_empty_limits_name_the_file(root):
    big = put(root, "big.csv", b"x" * 2001)
    with pytest.raises(InputError, match=r"^big.csv: the file is 0.0 MB; the limit is"):
        checked_upload(str(big), (".csv",), root, max_bytes=2000)
    with pytest.raises(InputError, match="unsupported file type '.txt'"):
        checked_upload(str(put(root, "notes.txt")), (".csv", ".jsonl"), root)
    with pytest.raises(InputError, match="empty"):
        checked_upload(str(put(root, "e.csv", b"")), (".csv",), root)
    with pytest.raises(InputError, match="upload a file first"):
        checked_uploads(None, (".csv",), root)


def test_upload_root_matches_gradio(monkeypatch, tmp_path):
    from gradio.utils import get_upload_folder

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    assert upload_root() == Path(get_upload_folder()).resolve()
    monkeypatch.delenv("GRADIO_TEMP_DIR")
    assert upload_root() == Path(get_upload_folder()).resolve()
    assert os.fspath(upload_root()).endswith("gradio")
