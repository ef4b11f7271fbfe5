"""The progress line: readable lines in a log, one redrawn line on a terminal of any width."""
import io
import os
import re
import types

import pytest

from coach.score import progress
from coach.score.progress import ProgressBar


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def monotonic(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(progress, "time", types.SimpleNamespace(monotonic=c.monotonic))
    return c


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_whole_line_every_five_seconds_and_the_last_one(clock):
    out = io.StringIO()
    bar = ProgressBar(1000, stream=out)
    start = clock.t
    for done in range(10, 1001, 10):     # 100 updates, one every 0.1 s
        clock.t = start + done / 100
        bar.update(done)
    bar.close()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue() and "\033" not in out.getvalue()
    assert len(lines) == 2               # at 5 s and at the end; close repeats nothing
    assert lines[0].startswith("scoring [") and "500/1,000 conversations" in lines[0]
    assert lines[-1].endswith("100/s ETA 0:00") and "1,000/1,000" in lines[-1]


def test_resume_counts_only_this_runs_work_in_the_rate(clock):
    out = io.StringIO()
    bar = ProgressBar(1000, initial=500, stream=out)
    clock.t += 6
    bar.update(800)                      # 300 in 6 s, not 800: 50/s, 200 left -> 4 s
    assert "800/1,000" in out.getvalue() and "50/s ETA 0:04" in out.getvalue()


@pytest.mark.parametrize("cols", [120, 80, 60, 40, 12])
def test_a_terminal_line_never_wraps(clock, monkeypatch, cols):
    monkeypatch.setenv("COLUMNS", str(cols))
    out = TTY()
    bar = ProgressBar(1_000_000, stream=out)
    for done in range(100_000, 1_000_001, 100_000):
        clock.t += 0.25
        bar.update(done)
    bar.close()
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    redraws = [r.replace("\033[K", "").rstrip("\n") for r in text.split("\r") if r.strip()]
    assert len(redraws) == 10
    assert all(len(r) <= cols - 1 for r in redraws), [len(r) for r in redraws]
    if cols >= 60:                       # the numbers stay whole while they fit
        assert "1,000,000/1,000,000 conversations 100.0%" in redraws[-1]
    if cols >= 80:
        assert re.match(r"scoring \[#+\] ", redraws[-1])


def test_a_wide_terminal_gets_the_full_bar(clock, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    bar = ProgressBar(3, stream=TTY())
    assert bar.line(3, bar.columns()) == bar.line(3)          # nothing cut
    assert "[" + "#" * progress.BAR + "]" in bar.line(3)


def test_the_width_comes_from_the_streams_own_terminal():
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 50, 0, 0))
        with open(slave, "w", closefd=False) as tty:
            bar = ProgressBar(10, stream=tty)
            assert bar.tty and bar.columns() == 50
    finally:
        os.close(slave)
        os.close(master)
