"""POST /api/check (the plain JSON route), the model slot's cap, and the middleware that keeps
a short Gradio API call from printing the draft in a traceback."""
import json
import logging
import threading

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from coach.errors import ConfigError
from coach.web import api
from coach.web.model_slot import ModelBusyError, ModelSlot

FLAGGED = "They changed the billing system, nothing I can do."
SECRET = "zqxv-private-customer-words"


@pytest.fixture
def client(rules_coach):
    def get_coach(detectors):
        if detectors not in (None, "rules", ["rules"]):
            raise ConfigError(f"unknown detector(s) {detectors!r}")
        return rules_coach

    from contextlib import nullcontext
    app = Starlette(routes=api.routes(get_coach, lambda coach: nullcontext()))
    with TestClient(app) as c:
        yield c


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(api.CHECK_PATH, content=data, headers={"Content-Type": content_type})


def test_check_returns_the_check_payload(client, rules_coach):
    from coach.web.check import check_api

    r = post(client, {"text": FLAGGED})
    assert r.status_code == 200
    assert r.json() == check_api(FLAGGED, rules_coach)
    assert [f["type"] for f in r.json()["flags"]] == ["they_language", "powerless"]
    assert post(client, {"text": FLAGGED, "detectors": ["rules"]}).json()["count"] == 2
    assert post(client, {"text": FLAGGED, "detectors": "rules"}).status_code == 200


@pytest.mark.parametrize("body, ctype, status, words", [
    ({"text": "   "}, "application/json", 400, "Nothing to check: paste a draft"),
    ({"text": 42}, "application/json", 400, "must be text"),
    ({"text": "x" * 10_001}, "application/json", 413, "the limit is 10,000"),
    ({"draft": "hi"}, "application/json", 400, "Unknown field"),
    ({}, "application/json", 400, 'Missing field "text"'),
    ([FLAGGED], "application/json", 400, "must be a JSON object"),
    ("{not json", "application/json", 400, "not valid JSON"),
    ({"text": "hi", "detectors": 3}, "application/json", 400, "comma-separated"),
    ({"text": "hi", "detectors": "nope"}, "application/json", 400, "unknown detector"),
    ({"text": "hi"}, "text/plain", 415, "application/json"),
])
def test_bad_requests_get_a_status_and_a_reason(client, body, ctype, status, words):
    r = post(client, body, ctype)
    assert r.status_code == status
    assert words in r.json()["error"]


def test_body_over_the_limit_is_refused_unread(client):
    r = post(client, {"text": "a " * (api.MAX_BODY_BYTES // 2 + 10)})
    assert r.status_code == 413 and "request body" in r.json()["error"]


def test_only_post(client):
    assert client.get(api.CHECK_PATH).status_code == 405


def test_rejections_log_one_short_line_and_no_draft(client, caplog):
    with caplog.at_level(logging.DEBUG, logger="coach.web"):
        post(client, {"text": (SECRET + " ") * 2000})      # too long
        post(client, {"text": SECRET, "detectors": "nope"})  # unknown detector
        post(client, SECRET, "text/plain")                  # not JSON
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 3
    for r in warnings:
        msg = r.getMessage()
        assert "rejected" in msg and "\n" not in msg and len(msg) < 160
        assert SECRET not in msg and not r.exc_info
    assert SECRET not in caplog.text


def test_an_unexpected_failure_is_a_500_with_one_line_and_no_message(rules_coach, caplog):
    def broken(detectors):
        raise RuntimeError(f"boom {SECRET}")

    app = Starlette(routes=api.routes(broken, lambda c: None))
    with TestClient(app) as c, caplog.at_level(logging.DEBUG, logger="coach.web"):
        r = post(c, {"text": FLAGGED})
    assert r.status_code == 500 and "Internal error" in r.json()["error"]
    (rec,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "RuntimeError" in rec.getMessage() and "broken" in rec.getMessage()
    assert SECRET not in caplog.text and FLAGGED not in caplog.text


def test_parallel_requests_each_get_their_own_answer(client, rules_coach):
    """Many callers at once: every answer belongs to its own draft."""
    from concurrent.futures import ThreadPoolExecutor

    drafts = [f"Order {i}: they lost it, nothing I can do." if i % 2 else
              f"Order {i}: I've refunded you today." for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda d: post(client, {"text": d}).json(), drafts))
    for d, a in zip(drafts, answers):
        assert a["clean"] is (d.endswith("today.")), (d, a)
        assert all(d[f["start"]:f["end"]] == f["quote"] for f in a["flags"])


# ---------------------------------------------------------------- the model slot
def _wait_until(cond, timeout=5.0):
    import time

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_model_slot_caps_waiting_checks_but_never_rewrites():
    slot = ModelSlot(max_waiting=1)
    slot.lock.acquire()                     # a rewrite is using the model
    got = threading.Event()

    def waiting_check():
        with slot.hold():
            got.set()

    t = threading.Thread(target=waiting_check)
    t.start()
    _wait_until(lambda: slot.waiting == 1)
    with pytest.raises(ModelBusyError, match="busy"):   # a second check: refused at once
        with slot.hold():
            pass
    rewrite_done = threading.Event()

    def rewrite():
        with slot.hold(capped=False):       # a rewrite is never refused: it waits
            rewrite_done.set()

    r = threading.Thread(target=rewrite)
    r.start()
    assert not got.is_set() and not rewrite_done.is_set()
    slot.lock.release()
    t.join(5)
    r.join(5)
    assert got.is_set() and rewrite_done.is_set()


def test_busy_model_is_a_503_with_retry_after(rules_coach):
    slot = ModelSlot(max_waiting=0)
    app = Starlette(routes=api.routes(lambda d: rules_coach, lambda c: slot.hold()))
    with TestClient(app) as c:
        r = post(c, {"text": FLAGGED})
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "busy" in r.json()["error"]


# ---------------------------------------------------------------- FillApiArgs
@pytest.fixture
def echo():
    """An app behind FillApiArgs that answers with the body and content-length it was given."""
    async def show(request):
        body = await request.body()
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        return JSONResponse({"body": parsed, "raw": body.decode(),
                             "length": request.headers.get("content-length"),
                             "real": len(body)})

    paths = ["/gradio_api/call/check", "/gradio_api/queue/join", "/gradio_api/call/other",
             "/elsewhere"]
    app = Starlette(routes=[Route(p, show, methods=["POST"]) for p in paths],
                    middleware=[Middleware(api.FillApiArgs,
                                           params={"check": [None, ""]},
                                           fn_index={7: "check"})])
    with TestClient(app) as c:
        yield c


def test_fill_api_args_fills_a_short_call(echo):
    r = echo.post("/gradio_api/call/check", json={"data": [SECRET]}).json()
    assert r["body"] == {"data": [SECRET, ""]}
    assert r["length"] == str(r["real"])
    r = echo.post("/gradio_api/call/check", json={"data": []}).json()
    assert r["body"] == {"data": [None, ""]}        # our check then says "Nothing to check: paste a draft"
    r = echo.post("/gradio_api/queue/join", json={"data": ["x"], "fn_index": 7,
                                                  "session_hash": "s"}).json()
    assert r["body"]["data"] == ["x", ""] and r["body"]["session_hash"] == "s"


def test_fill_api_args_leaves_everything_else_alone(echo):
    full = {"data": ["x", "rules"]}
    assert echo.post("/gradio_api/call/check", json=full).json()["body"] == full
    for path, body in (("/gradio_api/call/other", {"data": []}),
                       ("/gradio_api/queue/join", {"data": [], "fn_index": 3}),
                       ("/elsewhere", {"data": []})):
        assert echo.post(path, json=body).json()["body"] == body
    r = echo.post("/gradio_api/call/check", content=b"{nope",
                  headers={"Content-Type": "application/json"})
    assert r.json()["raw"] == "{nope"  # not JSON: passed on untouched (Gradio answers it)


def test_api_params_reads_defaults():
    def check(text: str, detectors: str = "") -> dict: ...
    assert api.api_params({"check": check}) == {"check": [None, ""]}


def test_one_line_is_short_and_single_line():
    assert api.one_line("First part. Second\npart.") == "First part."
    assert len(api.one_line("x" * 500)) == 120
