"""Reading user files safely: every problem is reported with file, line and field.

Drafts come from people's exports, so we expect BOMs, blank lines, broken encodings, binary files
and rows with missing fields, and say exactly where each one is.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from coach.errors import CoachError, InputError, NothingToCheck

MAX_LINE_BYTES = 8 * 1024 * 1024
# A lone UTF-16 surrogate: not a Unicode character, so no UTF-8 output can hold it. Decoding
# bytes never yields one, but a JSON escape such as "\ud800" does.
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(data: bytes, path: str = "<stdin>") -> str:
    """Decode UTF-8 (with or without BOM); binary or other encodings give a clear error."""
    if b"\x00" in data[:4096]:
        raise InputError("looks like a binary file, not UTF-8 text", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
                         "save the file as UTF-8", path, line) from None


def read_text_arg(value: str) -> str:
    """A draft given on the command line, or `-` for standard input."""
    if value == "-":
        return decode(sys.stdin.buffer.read(), "<stdin>")
    m = _SURROGATE.search(value)
    if m:
        # Python hands over bytes that are not UTF-8 as lone surrogates (surrogateescape), which
        # no UTF-8 output can print: the same error as for standard input.
        raise InputError(f"not valid UTF-8 (at character {m.start()}); pass the draft as UTF-8 "
                         "text", "<argument>")
    return value


def open_bytes(path: str | Path) -> bytes:
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", str(p))
    if p.is_dir():
        raise InputError("is a directory, expected a file", str(p))
    return p.read_bytes()


def find_lone_surrogate(value: object, where: str) -> tuple[str, str] | None:
    """(field path, the surrogate) of the first string holding a lone surrogate, or None."""
    if isinstance(value, str):
        m = _SURROGATE.search(value)
        return (where, m.group()) if m else None
    items = (value.items() if isinstance(value, dict) else
             enumerate(value) if isinstance(value, list) else ())
    for k, v in items:
        key = ascii(k)[1:-1] if isinstance(k, str) else k     # a key may hold one too
        found = find_lone_surrogate(v, f"{where}.{key}" if isinstance(k, str) else f"{where}[{k}]")
        if found:
            return found
    return None


def iter_jsonl(path: str | Path, required: tuple[str, ...] = ("text",),
               skip_bad: bool = False) -> Iterator[tuple[int, dict | None, InputError | None]]:
    """Yield (line number, row, error) for each non-blank line.

    With `skip_bad`, a bad row yields (line, partial row or None, error) and reading goes on;
    otherwise the first bad row raises its InputError. Missing fields and non-string text are
    errors that name the field, and so is a lone surrogate (an escape such as "\\ud800" that
    is not half of a pair) in a field that is used: it is not text, and no output can hold it.
    """
    path = str(path)
    text = decode(open_bytes(path), path)
    # JSON Lines are separated by "\n" only: str.splitlines() would also split on U+2028, U+0085
    # and friends, which JSON allows unescaped inside strings.
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        err = None
        row = None
        if len(line) > MAX_LINE_BYTES:
            err = InputError(f"line is longer than {MAX_LINE_BYTES:,} characters", path, lineno)
        else:
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                err = InputError(f"invalid JSON ({e.msg} at column {e.colno})", path, lineno)
        if err is None and not isinstance(row, dict):
            err = InputError(f"expected a JSON object, got {type(row).__name__}", path, lineno)
            row = None
        if err is None:
            for f in required:
                if f not in row:
                    err = InputError("missing field", path, lineno, f)
                    break
                if f == "text" and not isinstance(row[f], str):
                    err = InputError(f"must be a string, got {type(row[f]).__name__}", path,
                                     lineno, f)
                    break
        if err is None:
            for f in dict.fromkeys(("id", *required)):
                found = find_lone_surrogate(row.get(f), f)
                if found:
                    err = InputError(f"holds a lone surrogate ({ascii(found[1])[1:-1]}), which is "
                                     "not a Unicode character; fix the \\u escape", path, lineno,
                                     found[0])
                    break
        if err is not None and not skip_bad:
            raise err
        yield lineno, row, err


def write_jsonl_line(out: IO[str], obj: dict) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def map_jsonl(path: str, out_path: str | None, skip_bad: bool, fn: Callable[[dict], Any],
              write: Callable[[IO[str], Any, dict, Any], None], verb: str = "checked"
              ) -> tuple[int, int]:
    """Run `fn` on every row of a JSONL file of drafts and `write` each result, in input order,
    to `out_path` (standard output when None).

    One place for the row loop that `check --input` and `rewrite --input` share: a bad row (bad
    JSON, missing or non-string `text`, a draft the pipeline refuses) raises an InputError naming
    file, line and field, or with `skip_bad` becomes an `{"id", "line", "error"}` row and the run
    goes on. Returns (rows done, rows skipped).

    `out_path` is written to a temporary file beside it and renamed over it only when the run
    finishes, so a run stopped by a bad row (or Ctrl-C) leaves no half-written output and an
    earlier output file as it was.
    """
    if not out_path:
        return _map_rows(path, sys.stdout, skip_bad, fn, write)
    target = Path(out_path)
    if target.is_dir():
        raise CoachError(f"--out {out_path}: is a directory, expected a file name")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        out = open(tmp, "w", encoding="utf-8")
    except OSError as e:
        raise CoachError(f"--out {out_path}: cannot write there ({e.strerror})") from None
    try:
        with out:
            n, bad = _map_rows(path, out, skip_bad, fn, write)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    print(f"reply-coach: {verb} {n} rows ({bad} skipped) -> {out_path}", file=sys.stderr)
    return n, bad


def _map_rows(path: str, out: IO[str], skip_bad: bool, fn: Callable[[dict], Any],
              write: Callable[[IO[str], Any, dict, Any], None]) -> tuple[int, int]:
    n = bad = 0
    for lineno, row, err in iter_jsonl(path, ("text",), skip_bad=skip_bad):
        rid = row.get("id") if isinstance(row, dict) else None
        if find_lone_surrogate(rid, "id"):
            rid = None      # the error row says why; the id itself cannot be written
        if err is None:
            try:
                result = fn(row)
            except InputError as e:
                err = InputError(e.reason, path, lineno, e.field or "text")
                if not skip_bad:
                    raise err from None
        if err is not None:
            bad += 1
            print(f"reply-coach: skipped {err}", file=sys.stderr)
            write_jsonl_line(out, {"id": rid, "line": lineno, "error": str(err)})
            continue
        n += 1
        write(out, rid, row, result)
        out.flush()
    if n == 0 and bad == 0:
        raise NothingToCheck("the file has no drafts", path)
    return n, bad
