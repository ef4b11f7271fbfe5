"""A progress line for long runs: done/total, rate and ETA, on stderr only.

On a terminal it redraws one line, fitted to the terminal's width (a line that wraps can no longer
be redrawn with a carriage return, and every redraw would scroll a new row); in a log (not a TTY)
it prints a line every few seconds so CI output stays readable. It never prints conversation
text.

Kept hand-written after measuring tqdm and rich (bench/bench_libs.py): in a log, tqdm writes
carriage-return redraws with no newline (one ~5 KB "line" per 6 s run) and rich prints nothing
until the run ends, while this prints a full line every 5 s; on a terminal all three redraw one
line, and this one is the cheapest per update.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO

BAR = 24          # width of the bar on a wide terminal
MIN_BAR = 8       # narrower than this, the bar is dropped and the numbers kept


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


class ProgressBar:
    def __init__(self, total: int, initial: int = 0, stream: TextIO | None = None,
                 unit: str = "conversations") -> None:
        self.total, self.initial, self.unit = total, initial, unit
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = self.last = time.monotonic()
        self.done = initial
        self.shown = -1

    def columns(self) -> int:
        """The width of the terminal the stream writes to (stderr may be one while stdout is
        redirected to a file, so the stream's own descriptor is asked first)."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return shutil.get_terminal_size().columns

    def line(self, done: int, width: int | None = None) -> str:
        """The progress line; with `width`, at most width - 1 characters (the last column is
        left free: writing into it makes some terminals wrap)."""
        elapsed = max(1e-9, time.monotonic() - self.start)
        rate = (done - self.initial) / elapsed
        eta = _clock((self.total - done) / rate) if rate > 0 else "?"
        frac = done / self.total if self.total else 1.0
        rest = (f"{done:,}/{self.total:,} {self.unit} {100 * frac:5.1f}% "
                f"{rate:,.0f}/s ETA {eta}")
        n = BAR
        if width is not None:
            n = min(BAR, width - 1 - len(f"scoring [] {rest}"))
        if n < MIN_BAR:
            line = f"scoring {rest}"
            return line if width is None else line[:max(0, width - 1)]
        bar = "#" * int(n * frac) + "-" * (n - int(n * frac))
        return f"scoring [{bar}] {rest}"

    def update(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.last < (0.2 if self.tty else 5.0) and done < self.total:
            return
        self.last = now
        self._emit(done)

    def _emit(self, done: int) -> None:
        self.shown = done
        if self.tty:
            self.stream.write("\r" + self.line(done, self.columns()) + "\033[K")
        else:
            self.stream.write(self.line(done) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.shown != self.done:
            self._emit(self.done)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
