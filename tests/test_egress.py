"""Nothing leaves the machine: the app and the CLI, traced by strace, open no socket beyond
loopback while they serve a check and a rewrite (with the real embedding and language models).

The browser test only watches the page's requests; this watches the processes themselves, so
a library's telemetry (onnxruntime resolved `mobile.events.data.microsoft.com` on import) fails
here. Every connect/sendto/sendmsg with an internet address is a failure, even one that the
closed network refused: the attempt is what the promise forbids.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.conftest import running_app

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
STRACE = shutil.which("strace")
DRAFT = "They changed the billing system, nothing I can do."
_CALL = re.compile(r"\b(connect|sendto|sendmsg|sendmmsg)\(")
_INET = re.compile(r'sa_family=AF_INET6?\b.*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")')


def _need_strace() -> str:
    if STRACE is None:
        if os.environ.get("CI"):
            pytest.fail("strace is not installed: `make test` installs it (Debian package strace)")
        pytest.skip("strace is not installed (make test installs it where it can)")
    return STRACE


def _strace(out: Path) -> list[str]:
    return [_need_strace(), "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg",
            "-o", str(out)]


def leaks(trace: str) -> list[str]:
    """The traced socket calls that address anything but loopback (AF_UNIX/netlink are local)."""
    bad = []
    for line in trace.splitlines():
        if not _CALL.search(line) or "AF_INET" not in line:
            continue
        m = _INET.search(line)
        addr = (m.group(1) or m.group(2)) if m else ""
        if not (addr.startswith("127.") or addr in ("::1", "::") or addr.startswith("::ffff:127.")):
            bad.append(line.strip())
    return bad


def test_leaks_parser_catches_a_dns_query_and_allows_loopback():
    dns = ('123 connect(11, {sa_family=AF_INET, sin_port=htons(53), '
           'sin_addr=inet_addr("10.255.255.53")}, 16) = 0')
    v6 = ('9 connect(3, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
          'inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH')
    local = ('5 connect(7, {sa_family=AF_INET, sin_port=htons(7860), '
             'sin_addr=inet_addr("127.0.0.1")}, 16) = 0')
    unix = '5 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT'
    assert leaks("\n".join([dns, v6, local, unix])) == [dns, v6]


def test_the_tracer_sees_a_real_attempt(tmp_path):
    """The whole strace pipeline catches a process that aims at the internet. A UDP connect to
    TEST-NET-1 (192.0.2.1, reserved for documentation) sends no packet, so nothing leaves."""
    trace = tmp_path / "probe.trace"
    code = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
            "s.connect(('192.0.2.1', 53)); s.close()")
    subprocess.run(_strace(trace) + [sys.executable, "-c", code], check=False, timeout=60)
    found = leaks(trace.read_text(errors="replace"))
    assert len(found) == 1 and "192.0.2.1" in found[0]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY",
                                                            "HF_HUB_OFFLINE")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def test_cli_check_and_rewrite_stay_on_the_machine(tmp_path):
    cli = [sys.executable, "-m", "coach.cli"]
    for name, args in (("check", ["check", DRAFT]), ("rewrite", ["rewrite", DRAFT])):
        trace = tmp_path / f"{name}.trace"
        r = subprocess.run(_strace(trace) + cli + args, cwd=ROOT, env=_env(), capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        assert r.stdout.strip(), f"{name} printed nothing"
        assert leaks(trace.read_text(errors="replace")) == [], \
            f"`reply-coach {name}` tried to reach the network"


def test_app_serving_check_and_rewrite_stays_on_the_machine(tmp_path):
    from gradio_client import Client

    trace = tmp_path / "app.trace"
    env = _env(REPLY_COACH_REWRITE="model", GRADIO_TEMP_DIR=str(tmp_path / "gr"))
    with running_app(tmp_path / "app.log", env, prefix=tuple(_strace(trace)), timeout=180) as (
            url, _proc):
        client = Client(url, verbose=False)
        checked = client.predict(DRAFT, api_name="/check")
        assert checked["count"] >= 1
        rewritten = client.predict(DRAFT, api_name="/rewrite")
        assert rewritten["rewrite"].strip() and rewritten["rewrite"] != DRAFT
    assert leaks(trace.read_text(errors="replace")) == [], "the app tried to reach the network"
