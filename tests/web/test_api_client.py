"""The named API endpoints through gradio_client against a live `python app.py`."""
import pytest

from tests.web.conftest import E2E_REWRITE

DRAFT = "They changed the billing system, nothing I can do."


@pytest.fixture(scope="module")
def client(app_server):
    from gradio_client import Client

    return Client(app_server.url, verbose=False)


def test_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/check", "/rewrite"} <= names


def test_check_returns_flags_json(client):
    out = client.predict(DRAFT, api_name="/check")
    assert out["clean"] is False and out["count"] == 2
    assert [f["type"] for f in out["flags"]] == ["they_language", "powerless"]
    for f in out["flags"]:
        assert DRAFT[f["start"]:f["end"]] == f["quote"]
        assert f["message"] and f["suggestion"] and "rules" in f["source"].split("+")
    clean = client.predict("I've refunded your fee and emailed the receipt.", api_name="/check")
    assert clean == {**clean, "clean": True, "count": 0, "flags": []}


def test_check_with_detectors_argument(client):
    out = client.predict(DRAFT, "rules", api_name="/check")
    assert out["detectors"] == ["rules"]


def test_check_rejects_overlong_and_empty_drafts(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the limit is 10,000"):
        client.predict("x" * 10_001, api_name="/check")
    with pytest.raises(AppError, match="Nothing to check: paste a draft"):
        client.predict("   ", api_name="/check")


def test_rewrite_returns_checked_rewrite(client):
    out = client.predict(DRAFT, api_name="/rewrite")
    assert out["rewrite"].strip() and out["rewrite"] != DRAFT
    assert out["source"] in ("model", "transform", "fallback")
    if E2E_REWRITE == "fallback":    # no model: an ownership edit or the template
        assert out["source"] in ("transform", "fallback")
    assert set(out["checks"]) >= {"flags_left", "facts_missing", "promises_added",
                                  "owns_problem"}
    assert isinstance(out["latency_ms"], float)
    assert [f["type"] for f in out["draft_flags"]] == ["they_language", "powerless"]


# ---------------------------------------------------------------- POST /api/check, live server
SECRET = "qvzx-customer-private-words"


def post_json(url, body, content_type="application/json"):
    import json
    import urllib.error
    import urllib.request

    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url + "api/check", data=data, method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_plain_route_answers_as_the_named_endpoint(app_server, client):
    status, out = post_json(app_server.url, {"text": DRAFT})
    assert status == 200
    assert out == client.predict(DRAFT, api_name="/check")
    status, out = post_json(app_server.url, {"text": DRAFT, "detectors": ["rules"]})
    assert status == 200 and out["detectors"] == ["rules"]


def test_plain_route_refuses_bad_calls_with_a_status(app_server):
    assert post_json(app_server.url, {"text": "x" * 10_001})[0] == 413
    assert post_json(app_server.url, {"text": " "})[0] == 400
    assert post_json(app_server.url, {"text": "hi", "detectors": "nope"})[0] == 400
    assert post_json(app_server.url, b"text=hi", "application/x-www-form-urlencoded")[0] == 415


def test_many_callers_at_once_all_get_their_own_answer(app_server):
    from concurrent.futures import ThreadPoolExecutor

    drafts = [f"Ticket {i}: they lost it, nothing I can do." if i % 2 else
              f"Ticket {i}: I've refunded you today." for i in range(50)]
    with ThreadPoolExecutor(25) as pool:
        answers = list(pool.map(lambda d: post_json(app_server.url, {"text": d}), drafts))
    assert [s for s, _ in answers] == [200] * 50
    for d, (_s, a) in zip(drafts, answers):
        assert a["clean"] is d.endswith("today.")
        assert all(d[f["start"]:f["end"]] == f["quote"] for f in a["flags"])


def test_short_gradio_call_gets_defaults_not_a_traceback(app_server):
    """{"data": [draft]} leaves out `detectors`: Gradio alone would print a traceback listing
    the draft; the app fills the default in, so it just works."""
    import json
    import urllib.request

    req = urllib.request.Request(app_server.url + "gradio_api/call/check", method="POST",
                                 data=json.dumps({"data": [SECRET + " nothing I can do."]})
                                 .encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        event_id = json.loads(r.read())["event_id"]
    with urllib.request.urlopen(f"{app_server.url}gradio_api/call/check/{event_id}",
                                timeout=30) as r:
        stream = r.read().decode()
    assert "event: complete" in stream and '"powerless"' in stream


def test_server_log_rejections_one_line_each_and_no_share_hint(app_server, client):
    """Runs last in this module: every rejected call above (and these) left one short line."""
    from gradio_client.exceptions import AppError

    for bad in (SECRET * 400, "   "):
        with pytest.raises(AppError):
            client.predict(bad, api_name="/check")
    post_json(app_server.url, {"text": SECRET * 400})
    post_json(app_server.url, {"text": SECRET, "detectors": "nope"})
    import time

    time.sleep(0.5)  # the server's log lines are written after it answers
    log = app_server.log_text()
    lines = log.splitlines()
    assert lines[0] == f"Reply Coach running on {app_server.url.rstrip('/')} (local only)"
    assert "share=True" not in log and "public link" not in log
    assert "Traceback" not in log and SECRET not in log and DRAFT not in log
    rejected = [ln for ln in lines if "rejected" in ln]
    assert len(rejected) >= 8  # the rejections of this module's tests, one line each
    assert all(len(ln) < 200 for ln in rejected)
