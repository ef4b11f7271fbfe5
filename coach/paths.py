"""Where things are: the shipped data folders (`models/`, `prompts/`) and the local cache.

Both are top-level folders of the repository, their single source of truth. A wheel carries them
as package data under `coach/_data/` (pyproject.toml maps them there); a source checkout or an
editable install reads them from the repository. `data_dir` is the one place that decides, and
every module that reads models/ or prompts/ gets its folder from it.
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIRS = ("models", "prompts")
_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder `name` ("models" or "prompts"): installed package data first, else the source
    tree. When neither exists, the package-data path is returned, so a caller's missing-file error
    names where an install should have put it."""
    if name not in DATA_DIRS:
        raise ValueError(f"unknown data folder {name!r}; expected one of {', '.join(DATA_DIRS)}")
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    # The source tree: coach/ sits beside pyproject.toml (checkout, editable install). Requiring
    # pyproject.toml keeps an unrelated top-level `models/` in site-packages from being taken.
    source = _PACKAGE.parent / name
    if source.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return source
    return installed


def cache_dir() -> Path:
    """Where derived files live (assembled model weights, exported ONNX graphs):
    $REPLY_COACH_CACHE or ~/.cache/reply-coach. One place, because the LM runtime and the
    embedder both write there and neither should import the other to find it."""
    env = os.environ.get("REPLY_COACH_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "reply-coach"
