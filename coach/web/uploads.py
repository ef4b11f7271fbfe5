"""Uploaded files: accept only Gradio's own temp copies, within the size limit, of known types.

A web request must never make the app read an arbitrary path on this machine, so every upload
path is resolved and required to sit inside Gradio's upload folder (GRADIO_TEMP_DIR, else
<tmp>/gradio, the same rule as `gradio.utils.get_upload_folder`). Errors name the file the user
picked (its base name), never the temp path.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable, Sequence

from coach.errors import InputError
from coach.web.settings import MAX_UPLOAD_BYTES

log = logging.getLogger("coach.web")

# What the Score and Evaluate tabs write under the upload folder, and how long it may stay
# (the README promises uploads and results are gone after two hours, like Gradio's own cache).
OUTPUT_PREFIXES = ("reply-coach-score-", "reply-coach-eval-")
OUTPUT_MAX_AGE_S = 7200


def upload_root() -> Path:
    """Gradio's upload folder (mirrors gradio.utils.get_upload_folder, without importing gradio)."""
    folder = os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio"
    return Path(folder).resolve()


def _as_path(item: object) -> str:
    """Gradio gives a path string; older clients give an object with `.name` or a dict."""
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    if isinstance(item, dict) and "path" in item:
        return str(item["path"])
    name = getattr(item, "name", None) or getattr(item, "path", None)
    if isinstance(name, str):
        return name
    raise InputError(f"unexpected upload value of type {type(item).__name__}", field="file")


def _shown(path: Path) -> str:
    """The base name, printable in the page: an undecodable byte in a file name (held as a lone
    surrogate) becomes "?", since the page is sent as UTF-8 JSON, which cannot carry it."""
    return path.name.encode("utf-8", "replace").decode("utf-8")


def checked_upload(item: object, suffixes: Sequence[str], root: Path | None = None,
                   max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """The upload's path, after checking where it lives, its type and its size."""
    path = Path(_as_path(item))
    shown = _shown(path)
    root = (root or upload_root()).resolve()
    try:
        real = path.resolve()
        is_file = real.is_file()
    except (OSError, ValueError) as e:
        # a NUL byte (ValueError) or a name longer than the OS allows (ENAMETOOLONG): no file
        # the page uploaded looks like that
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise InputError(f"not a readable upload ({why}); upload the file through the page",
                         shown.replace("\0", "\\0")) from None
    if real != root and root not in real.parents:
        raise InputError("files are only read from the app's upload folder; upload the file "
                         "through the page", shown)
    if not is_file:
        raise InputError("the uploaded file is gone (uploads are cleaned up after a while); "
                         "upload it again", shown)
    if suffixes and real.suffix.lower() not in suffixes:
        raise InputError(f"unsupported file type {real.suffix or '(none)'!r}; expected "
                         f"{' or '.join(suffixes)}", shown)
    try:
        size = real.stat().st_size
    except OSError as e:
        raise InputError(f"cannot read the upload ({e.strerror})", shown) from None
    if size > max_bytes:
        raise InputError(f"the file is {size / 1e6:.1f} MB; the limit is "
                         f"{max_bytes / 1e6:.0f} MB per upload", shown)
    if size == 0:
        raise InputError("the file is empty", shown)
    return real


def checked_uploads(items: Iterable[object] | object | None, suffixes: Sequence[str],
                    root: Path | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> list[Path]:
    """Every upload checked; none at all is an error asking for a file."""
    if items is None:
        items = []
    elif not isinstance(items, (list, tuple)):
        items = [items]
    paths = [checked_upload(i, suffixes, root, max_bytes) for i in items]
    if not paths:
        raise InputError("upload a file first", field="file")
    return paths


def display_name(path: Path) -> str:
    """The name the user uploaded (Gradio keeps it as the base name inside a hashed folder)."""
    return _shown(path)


def remove_old_outputs(root: Path | None = None, max_age_s: float = OUTPUT_MAX_AGE_S,
                       now: float | None = None) -> int:
    """Delete Score/Evaluate output folders under `root` last changed over `max_age_s` ago.

    Called at every Score and Evaluate run, so results (which hold transcript text) do not
    outlive the page's two-hour promise. Returns how many folders were removed.
    """
    root = root or upload_root()
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for d in entries:
        if not d.name.startswith(OUTPUT_PREFIXES) or d.is_symlink() or not d.is_dir():
            continue
        try:
            if now - d.stat().st_mtime <= max_age_s:
                continue
        except OSError:
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed += not d.exists()
    if removed:
        log.info("removed %d old result folder(s)", removed)
    return removed
