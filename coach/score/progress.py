"""A progress line for long runs: done/total, rate and ETA, on stderr only.

On a terminal it redraws one line; in a log (not a TTY) it prints a line every few seconds so CI
output stays readable. It never prints conversation text.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


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

    def line(self, done: int) -> str:
        elapsed = max(1e-9, time.monotonic() - self.start)
        rate = (done - self.initial) / elapsed
        eta = _clock((self.total - done) / rate) if rate > 0 else "?"
        frac = done / self.total if self.total else 1.0
        bar = "#" * int(24 * frac) + "-" * (24 - int(24 * frac))
        return (f"scoring [{bar}] {done:,}/{self.total:,} {self.unit} {100 * frac:5.1f}% "
                f"{rate:,.0f}/s ETA {eta}")

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
            self.stream.write("\r" + self.line(done) + "\033[K")
        else:
            self.stream.write(self.line(done) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.shown != self.done:
            self._emit(self.done)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
