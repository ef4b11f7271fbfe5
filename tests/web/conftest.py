"""Fixtures for the web tests: a real app server in a subprocess, shared by the API-client and
browser tests, with its own Gradio temp folder and a log file the privacy test reads."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = ROOT / "test-artifacts"
# The rewrite mode the live-server tests use. `fallback` keeps them fast and deterministic;
# set REPLY_COACH_E2E_REWRITE=model to drive the real local model through the browser.
E2E_REWRITE = os.environ.get("REPLY_COACH_E2E_REWRITE", "fallback")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    def __init__(self, url: str, proc: subprocess.Popen, log_path: Path, temp_dir: Path) -> None:
        self.url, self.proc, self.log_path, self.temp_dir = url, proc, log_path, temp_dir

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_app(log_path: Path, env: dict, prefix: tuple[str, ...] = (), timeout: float = 120):
    """`python app.py --port N` on a free local port (optionally under `prefix`, e.g. strace),
    yielding (url, process) once the page answers; stopped on exit."""
    port = free_port()
    log = open(log_path, "w", encoding="utf-8")
    # Its own process group: under a prefix (strace) `proc` is the tracer, and stopping only
    # the tracer left the traced app running (2.5 GB and a core, one per test session).
    proc = subprocess.Popen([*prefix, sys.executable, str(ROOT / "app.py"), "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start within {timeout:.0f} s:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield url, proc
    finally:
        _stop_group(proc)
        log.close()


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the app's whole process group, SIGKILL after 20 s: nothing outlives the test."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # the app itself, if the tracer went first
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> AppServer:
    """`python app.py --port N` on a free local port; stopped at the end of the session."""
    temp_dir = tmp_path_factory.mktemp("gradio-tmp")
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "app-server.log"
    env = {**os.environ, "GRADIO_TEMP_DIR": str(temp_dir), "REPLY_COACH_REWRITE": E2E_REWRITE,
           "PYTHONUNBUFFERED": "1"}
    with running_app(log_path, env) as (url, proc):
        yield AppServer(url, proc, log_path, temp_dir)
