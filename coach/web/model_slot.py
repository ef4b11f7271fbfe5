"""The one local language model, shared by rewrites and `lm` checks: one call at a time.

Rewrites wait for the model in Gradio's `model` queue (one at a time, with the queue position
shown), so they never pile up here. A check that runs the `lm` detector comes from a check
path that serves many callers at once (the `check` queue, POST /api/check), so it waits here,
in a worker thread. At most `max_waiting` such checks wait at once: one more is refused at once
with ModelBusyError (a clear "busy, try again" message) instead of tying up another worker
thread for many seconds, which would slow every other check in the app.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from coach.errors import CoachError

MAX_WAITING_CHECKS = 4


class ModelBusyError(CoachError):
    """Too many checks already wait for the local language model."""


class ModelSlot:
    def __init__(self, max_waiting: int = MAX_WAITING_CHECKS) -> None:
        self.lock = threading.Lock()
        self.max_waiting = max_waiting
        self._waiting = threading.BoundedSemaphore(max_waiting) if max_waiting > 0 else None
        self._count_lock = threading.Lock()
        self.waiting = 0  # capped callers waiting for the model right now

    def _count(self, delta: int) -> None:
        with self._count_lock:
            self.waiting += delta

    @contextlib.contextmanager
    def hold(self, capped: bool = True) -> Iterator[None]:
        """Hold the model for one call. `capped` (checks): refuse when `max_waiting` callers
        already wait; rewrites pass False, since their own queue lets only one through."""
        if capped:
            if self._waiting is None or not self._waiting.acquire(blocking=False):
                raise ModelBusyError(
                    f"the local language model is busy ({self.max_waiting} checks are already "
                    "waiting for it); try again in a few seconds, or turn the Language model "
                    "detector off on the Settings tab for instant checks")
            self._count(1)
            try:
                self.lock.acquire()
            finally:
                self._count(-1)
                self._waiting.release()
        else:
            self.lock.acquire()
        try:
            yield
        finally:
            self.lock.release()
