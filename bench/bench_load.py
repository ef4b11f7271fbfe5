"""Load benchmark of the web app's check endpoints: many agents checking drafts at once.

Starts `python app.py` on a free loopback port (or uses `--url` of one already running, which
must be on this machine), then for 1, 5, 20 and 50 concurrent clients sends a fixed number of
checks per client, each client waiting for its answer before sending the next (a closed loop, no
think time: a burst at least as hard as that many agents pressing Check together). Prints p50,
p95 and max latency, throughput and the error count per route and concurrency, plus the time one
check takes in-process (no HTTP, no queue) for the ratio, and (when it started the app, or with
--pid) the server's CPU time per call: on a shared machine latency swings with other people's
load, CPU per call much less. Prints figures; asserts nothing.

Routes:
  api     POST /api/check with JSON {"text", "detectors"}: the plain HTTP route (thread pool)
  gradio  Gradio's queued named endpoint `/check` (POST /gradio_api/call/check, then its event
          stream), which is what gradio_client's `predict(api_name="/check")` goes through

Drafts are dev-set drafts. By default every call's draft is new: a sentence of its own in front
("I am looking at case 123 for you today."), which the embedding model has not seen and must
encode, as for a new reply (a "Ticket 123:" prefix would not do: it is split off as a reference
and never embedded, so every draft would be a cache hit after one pass);
`--repeat-drafts` sends dev drafts as they are, so after the first pass every sentence is in the
embedder's cache (as when live checking re-checks a draft that changed in one place).

    .venv/bin/python bench/bench_load.py [--url http://127.0.0.1:7860/] [--clients 1,5,20,50]
        [--calls 20] [--routes api,gradio] [--repeat-drafts] [--detectors rules,embedding]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from coach.metrics import percentile  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ROUTES = ("api", "gradio")


def dev_texts(limit: int = 200) -> list[str]:
    lines = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()][:limit]


def fresh_text(n: int, text: str) -> str:
    """`text` with one sentence no earlier call has sent (so it is embedded, not looked up)."""
    return f"I am looking at case {n} for you today. {text}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(log_path: Path) -> tuple[subprocess.Popen, str]:
    """`python app.py` on a free loopback port (fallback rewrites: the bench never rewrites)."""
    port = free_port()
    env = {**os.environ, "REPLY_COACH_REWRITE": "fallback", "PYTHONUNBUFFERED": "1",
           "GRADIO_TEMP_DIR": tempfile.mkdtemp(prefix="bench-load-gradio-")}
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1",
                             "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"app exited with {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise SystemExit(f"app did not start within 180 s; see {log_path}")
        time.sleep(0.5)


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0


async def call_api(client, base: str, text: str, detectors: str) -> None:
    r = await client.post(base + "api/check", json={"text": text, "detectors": detectors})
    if r.status_code != 200:
        raise RuntimeError(f"HTTP {r.status_code}")
    if "flags" not in r.json():
        raise RuntimeError("no flags in the answer")


async def call_gradio(client, base: str, text: str, detectors: str) -> None:
    r = await client.post(base + "gradio_api/call/check", json={"data": [text, detectors]})
    if r.status_code != 200:
        raise RuntimeError(f"HTTP {r.status_code} joining the queue")
    event_id = r.json()["event_id"]
    event = None
    async with client.stream("GET", f"{base}gradio_api/call/check/{event_id}") as s:
        async for line in s.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError("error event")
                data = json.loads(line.split(":", 1)[1])
                if not data or "flags" not in data[0]:
                    raise RuntimeError("no flags in the answer")
                return
    raise RuntimeError("stream ended without a result")


async def run_level(base: str, route: str, clients: int, calls: int, texts: list[str],
                    fresh: bool, detectors: str, counter: list[int]) -> Result:
    import httpx

    fn = call_api if route == "api" else call_gradio
    res = Result()
    limits = httpx.Limits(max_connections=clients * 2 + 4, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits, trust_env=False) as client:
        start = asyncio.Event()

        async def one_client(c: int) -> None:
            await start.wait()
            for i in range(calls):
                counter[0] += 1
                text = texts[(c * calls + i) % len(texts)]
                if fresh:
                    text = fresh_text(counter[0], text)
                t0 = time.perf_counter()
                try:
                    await fn(client, base, text, detectors)
                except Exception as e:  # noqa: BLE001 (counted, not raised: a bench)
                    res.errors.append(f"{type(e).__name__}: {e}")
                    continue
                res.latencies_ms.append((time.perf_counter() - t0) * 1000)

        tasks = [asyncio.create_task(one_client(c)) for c in range(clients)]
        t0 = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        res.wall_s = time.perf_counter() - t0
    return res


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc), or None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def single_call_ms(texts: list[str], detectors: str, fresh: bool) -> tuple[float, float]:
    """p50/p95 ms of one `Coach.check` in this process: the work of one check, no HTTP."""
    from coach import Coach, CoachConfig

    config = CoachConfig(detectors=tuple(detectors.split(","))) if detectors else CoachConfig()
    coach = Coach(config)
    coach.check("warm up: my hands are tied.")
    if not fresh:
        coach.check_many(texts)  # as the load runs see them after their first pass
    times = []
    for n, t in enumerate(texts):
        t = fresh_text(10_000_000 + n, t) if fresh else t
        t0 = time.perf_counter()
        coach.check(t)
        times.append((time.perf_counter() - t0) * 1000)
    return percentile(times, 50), percentile(times, 95)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running app (loopback only); default: start one")
    ap.add_argument("--clients", default="1,5,20,50")
    ap.add_argument("--calls", type=int, default=20, help="checks per client at each level")
    ap.add_argument("--routes", default="api,gradio")
    ap.add_argument("--detectors", default="", help="comma list; default: the app's")
    ap.add_argument("--repeat-drafts", action="store_true",
                    help="send dev drafts unchanged (embedder cache warm after one pass)")
    ap.add_argument("--no-single", action="store_true", help="skip the in-process single check")
    ap.add_argument("--pid", type=int, help="with --url: the server's pid, for CPU per call")
    a = ap.parse_args()
    levels = [int(x) for x in a.clients.split(",") if x.strip()]
    routes = [r.strip() for r in a.routes.split(",") if r.strip()]
    if any(r not in ROUTES for r in routes):
        ap.error(f"--routes: choose from {', '.join(ROUTES)}")
    fresh = not a.repeat_drafts
    texts = dev_texts()

    proc = None
    pid = a.pid
    log_path = Path(tempfile.gettempdir()) / "bench-load-app.log"
    if a.url:
        base = a.url if a.url.endswith("/") else a.url + "/"
        if urlparse(base).hostname not in LOOPBACK:
            ap.error("--url must be a loopback address (127.0.0.1, localhost or ::1)")
    else:
        t0 = time.perf_counter()
        proc, base = start_app(log_path)
        pid = proc.pid
        print(f"app started at {base} in {time.perf_counter() - t0:.1f} s (log: {log_path})")
    try:
        if not a.no_single:
            p50, p95 = single_call_ms(texts, a.detectors, fresh)
            print(f"one check in-process ({a.detectors or 'app default detectors'}, "
                  f"{'new drafts' if fresh else 'cached sentences'}): p50 {p50:.1f} ms, "
                  f"p95 {p95:.1f} ms")
        else:
            p50 = 0.0
        print(f"{a.calls} calls per client, closed loop; drafts: "
              f"{'new each call' if fresh else 'dev drafts repeated'}; cpus: {os.cpu_count()}")
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        print(f"{'route':<8}{'clients':>8}{'calls':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
              f"{'calls/s':>9}{'errors':>8}{'p50/one':>9}{'cpu ms/call':>12}")
        counter = [0]
        for route in routes:
            # one untimed call per route: connections, first-call costs
            asyncio.run(run_level(base, route, 1, 2, texts, fresh, a.detectors, counter))
            for n in levels:
                cpu0 = cpu_seconds(pid)
                r = asyncio.run(run_level(base, route, n, a.calls, texts, fresh, a.detectors,
                                          counter))
                cpu1 = cpu_seconds(pid)
                cpu = (f"{(cpu1 - cpu0) * 1000 / (n * a.calls):.1f}"
                       if cpu0 is not None and cpu1 is not None else "-")
                lat = r.latencies_ms
                ratio = f"{percentile(lat, 50) / p50:.1f}x" if p50 and lat else "-"
                print(f"{route:<8}{n:>8}{n * a.calls:>7}{percentile(lat, 50):>9.1f}"
                      f"{percentile(lat, 95):>9.1f}{max(lat, default=0):>9.1f}"
                      f"{len(lat) / r.wall_s if r.wall_s else 0:>9.1f}{len(r.errors):>8}"
                      f"{ratio:>9}{cpu:>12}")
                if r.errors:
                    kinds = sorted(set(r.errors))[:3]
                    print(f"          errors: {'; '.join(kinds)}")
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
