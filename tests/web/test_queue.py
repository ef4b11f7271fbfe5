"""The rewrite queue tells each waiting caller its place and an estimate (what the page's rewrite
panel shows as "queue: 2/3 | 1.2/8.0s"), while checks are answered meanwhile.

An in-process server whose rewrite waits at a gate, so jobs are held in the queue on purpose:
nothing here depends on how fast the machine is.
"""
import threading
import time

import pytest

import app
from tests.web.conftest import free_port

DRAFT = "They changed the billing system, nothing I can do."


@pytest.fixture
def slow_rewrite_server(monkeypatch):
    from coach.web import rewrite as web_rewrite

    gate = threading.Semaphore(0)
    started = []

    def held_rewrite(text, coach, mode="model", rewrite_fn=None, timeout_s=30.0):
        started.append(text)
        assert gate.acquire(timeout=60), "the test never opened the gate"
        return {"rewrite": f"We changed it ({text[-3:]}).", "source": "fallback", "checks": {},
                "latency_ms": 1.0, "draft_flags": []}

    monkeypatch.setattr(web_rewrite, "run_rewrite", held_rewrite)
    demo = app.build(mode="fallback")
    port = free_port()
    demo.launch(**app.launch_kwargs("127.0.0.1", port), prevent_thread_lock=True)
    try:
        yield f"http://127.0.0.1:{port}/", gate, started
    finally:
        for _ in range(10):
            gate.release()
        demo.close()


def _wait(cond, what, timeout=30.0):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_waiting_rewrites_hear_their_place_and_an_estimate(slow_rewrite_server):
    from gradio_client import Client
    from gradio_client.utils import Status

    url, gate, started = slow_rewrite_server
    client = Client(url, verbose=False)

    # one rewrite first, so the queue has a measured time to estimate from
    warm = client.submit(DRAFT + " 0", api_name="/rewrite")
    _wait(lambda: len(started) == 1, "the first rewrite to start")
    gate.release()
    assert warm.result(timeout=30)["rewrite"]

    jobs = [client.submit(f"{DRAFT} {i}", api_name="/rewrite") for i in (1, 2, 3)]
    _wait(lambda: len(started) == 2, "the second rewrite to start")

    def waiting():
        """{rank: status} of the jobs told they wait (jobs join in any order)."""
        sts = [j.status() for j in jobs]
        return {st.rank: st for st in sts if st.code == Status.IN_QUEUE}

    # (Gradio tells a job its place when it joins and whenever one finishes, so the first in
    # line heard "1 waiting" when it joined; the second heard "2 of 2")
    _wait(lambda: sorted(waiting()) == [0, 1] and waiting()[1].queue_size == 2,
          "two jobs told their place")
    w = waiting()
    assert w[0].eta is not None and w[0].eta > 0, w   # an estimate, from the measured rewrite
    assert w[1].eta is not None and w[1].eta > w[0].eta, w
    second = next(j for j in jobs if j.status().rank == 1)

    # the model is busy with one rewrite and two wait: a check is still answered at once
    assert client.predict(DRAFT, "rules", api_name="/check")["count"] == 2

    gate.release()                                  # the running one finishes...
    _wait(lambda: second.status().code == Status.IN_QUEUE and second.status().rank == 0,
          "the second in line to move up to first")
    gate.release()
    gate.release()
    outs = [j.result(timeout=30) for j in jobs]
    assert [o["rewrite"] for o in outs] == ["We changed it (. 1).", "We changed it (. 2).",
                                            "We changed it (. 3)."]
    assert sorted(started[1:]) == [f"{DRAFT} {i}" for i in (1, 2, 3)]  # each once
