"""The Check handler and the `check` API payload."""
import logging

import pytest

from coach.errors import InputError
from coach.web.check import check_api, check_draft, validate_draft
from coach.web.settings import MAX_DRAFT_CHARS

FLAGGED = "They changed the billing system, nothing I can do."
CLEAN = "I've refunded the £25 fee to your card; you'll see it within 3 working days."


def test_flagged_draft_gets_highlights_legend_and_cards(rules_coach):
    view = check_draft(FLAGGED, rules_coach)
    assert [f.type for f in view.flags] == ["they_language", "powerless"]
    assert "2 problems found" in view.summary_html
    assert ">nothing I can do</mark>" in view.highlight_html
    assert view.cards_html.count("rc-card ") == 2
    assert "2 found" in view.legend_html


def test_clean_draft_says_so(rules_coach):
    view = check_draft(CLEAN, rules_coach)
    assert view.flags == []
    assert "No problems found" in view.summary_html and "rc-notice-ok" in view.summary_html
    assert view.cards_html == "" and "<mark" not in view.highlight_html


@pytest.mark.parametrize("bad, words", [("", "Nothing to check: paste a draft"), ("   \n", "Nothing to check: paste a draft"),
                                         (None, "Nothing to check: paste a draft"), (42, "must be text"),
                                         ("x" * (MAX_DRAFT_CHARS + 1), "the limit is 10,000")])
def test_bad_drafts_get_a_clear_notice(rules_coach, bad, words):
    view = check_draft(bad, rules_coach)
    assert "rc-notice-error" in view.summary_html and words in view.summary_html
    assert view.flags == [] and view.highlight_html == ""


def test_limit_is_inclusive():
    assert validate_draft("x" * MAX_DRAFT_CHARS) == "x" * MAX_DRAFT_CHARS
    with pytest.raises(InputError, match="10,001 characters"):
        validate_draft("x" * (MAX_DRAFT_CHARS + 1))


def test_check_api_payload(rules_coach):
    out = check_api(FLAGGED, rules_coach)
    assert out["clean"] is False and out["count"] == 2 and out["detectors"] == ["rules"]
    f = out["flags"][1]
    assert set(f) == {"family", "type", "start", "end", "quote", "message", "suggestion",
                      "severity", "source"}
    assert FLAGGED[f["start"]:f["end"]] == f["quote"] == "nothing I can do"
    assert check_api(CLEAN, rules_coach)["clean"] is True
    with pytest.raises(InputError):
        check_api("", rules_coach)


def test_no_draft_text_in_logs(rules_coach, caplog):
    with caplog.at_level(logging.DEBUG):
        check_draft(FLAGGED, rules_coach)
        check_api(FLAGGED, rules_coach)
    assert caplog.records, "the handler should log sizes"
    assert all("billing" not in r.getMessage() for r in caplog.records)
