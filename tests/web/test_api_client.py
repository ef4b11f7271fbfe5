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
        assert f["message"] and f["suggestion"] and f["source"] == "rules"
    clean = client.predict("I've refunded your fee and emailed the receipt.", api_name="/check")
    assert clean == {**clean, "clean": True, "count": 0, "flags": []}


def test_check_with_detectors_argument(client):
    out = client.predict(DRAFT, "rules", api_name="/check")
    assert out["detectors"] == ["rules"]


def test_check_rejects_overlong_and_empty_drafts(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the limit is 10,000"):
        client.predict("x" * 10_001, api_name="/check")
    with pytest.raises(AppError, match="Paste a draft"):
        client.predict("   ", api_name="/check")


def test_rewrite_returns_checked_rewrite(client):
    out = client.predict(DRAFT, api_name="/rewrite")
    assert out["rewrite"].strip() and out["rewrite"] != DRAFT
    assert out["source"] in ("model", "fallback")
    if E2E_REWRITE == "fallback":
        assert out["source"] == "fallback"
    assert set(out["checks"]) >= {"flags_left", "facts_missing", "promises_added",
                                  "owns_problem"}
    assert isinstance(out["latency_ms"], float)
    assert [f["type"] for f in out["draft_flags"]] == ["they_language", "powerless"]
