"""The Suggest-rewrite handler: mode, diff, checks and errors (a stub stands in for the model)."""
from dataclasses import dataclass, field

from coach.errors import ModelUnavailableError
from coach.web.rewrite import rewrite_draft, run_rewrite, source_note, working_html

DRAFT = "They changed the billing system, nothing I can do."


@dataclass
class FakeResult:
    rewrite: str
    source: str
    checks: dict
    latency_ms: float
    flags: list = field(default_factory=list)


def fake(source="model", text="We changed the billing system, and I'll walk you through it."):
    calls = []

    def fn(draft, *, coach=None, use_model=True, timeout_s=30.0):
        calls.append({"draft": draft, "use_model": use_model, "coach": coach})
        return FakeResult(text, source, {"flags_left": [], "facts_missing": [],
                                         "promises_added": [], "owns_problem": True}, 1234.0)
    return fn, calls


def test_model_rewrite_view(rules_coach):
    fn, calls = fake()
    view = rewrite_draft(DRAFT, rules_coach, "model", fn)
    assert calls == [{"draft": DRAFT, "use_model": True, "coach": rules_coach}]
    assert view.text.startswith("We changed")
    assert "local model in 1.2 s" in view.status_html
    assert "<del" in view.diff_html and "<ins" in view.diff_html
    assert view.checks_html.count("— passed") == 4


def test_fallback_mode_never_asks_the_model(rules_coach):
    fn, calls = fake("fallback", "We [what we did], and I'll [next step].")
    view = rewrite_draft(DRAFT, rules_coach, "fallback", fn)
    assert calls[0]["use_model"] is False
    assert "REPLY_COACH_REWRITE=fallback" in view.status_html
    assert "Fill in the [bracketed] parts" in view.status_html


def test_bad_draft_and_missing_model_are_notices(rules_coach):
    fn, calls = fake()
    assert "Nothing to check: paste a draft" in rewrite_draft("  ", rules_coach, "model", fn).status_html
    assert calls == []

    def broken(*_a, **_k):
        raise ModelUnavailableError("install the model package")
    view = rewrite_draft(DRAFT, rules_coach, "model", broken)
    assert "install the model package" in view.status_html and view.text == ""


def test_run_rewrite_payload(rules_coach):
    fn, _ = fake()
    out = run_rewrite(DRAFT, rules_coach, "model", fn)
    assert set(out) == {"rewrite", "source", "checks", "latency_ms", "draft_flags"}
    assert out["latency_ms"] == 1234.0


def test_real_fallback_rewrite_is_checked(rules_coach):
    """The shared rewrite function in fallback mode (no model load): a rewrite with checks."""
    out = run_rewrite(DRAFT, rules_coach, "fallback")
    # no model: an ownership edit ("We changed...", an owned hand-off) or the template
    assert out["source"] in ("transform", "fallback") and out["rewrite"].strip()
    assert out["rewrite"] != DRAFT and "nothing I can do" not in out["rewrite"]
    assert {"flags_left", "facts_missing", "promises_added", "owns_problem"} <= set(out["checks"])
    assert [f["type"] for f in out["draft_flags"]] == ["they_language", "powerless"]


def test_working_message_depends_on_mode():
    assert "several seconds" in working_html("model")
    assert "rule-based" in working_html("fallback")
    for mode in ("model", "fallback"):
        assert "your place in line and an estimate" in working_html(mode)


def test_transform_source_is_shown_as_a_checked_edit():
    note = source_note({"source": "transform", "latency_ms": 12.0,
                        "rewrite": "We changed the billing system."}, "model")
    assert "Ownership edit" in note and "checked" in note and "Fill in" not in note


def test_clean_draft_says_so_and_shows_no_diff(rules_coach):
    fn, _ = fake("unchanged", "Thanks, your refund of £20 went out today.")
    view = rewrite_draft("Thanks, your refund of £20 went out today.", rules_coach, "model", fn)
    assert "No problem found" in view.status_html and "rc-notice-ok" in view.status_html
    assert view.diff_html == "" and view.changes_html == ""


def test_no_rewrite_is_a_warning_with_the_reasons(rules_coach):
    def fn(draft, *, coach=None, use_model=True, timeout_s=30.0):
        return FakeResult("", "no_rewrite", {"flags_left": [{"type": "powerless"}],
                                             "facts_missing": ["#1"], "promises_added": [],
                                             "owns_problem": False}, 10.0)
    view = rewrite_draft(DRAFT, rules_coach, "model", fn)
    assert view.text == "" and "rc-notice-warn" in view.status_html
    assert "No rewrite passed the checks" in view.status_html and "fact" in view.status_html


def test_time_shown_is_the_time_waited(rules_coach):
    import time

    def slow(draft, *, coach=None, use_model=True, timeout_s=30.0):
        time.sleep(0.3)   # e.g. the model loading, which the rewrite's own figure leaves out
        return FakeResult("We changed it, and I'll walk you through it.", "model",
                          {"flags_left": [], "facts_missing": [], "promises_added": [],
                           "owns_problem": True}, 5.0)
    out = run_rewrite(DRAFT, rules_coach, "model", slow)
    assert out["latency_ms"] >= 300


def test_model_rewrite_lists_what_changed(rules_coach):
    fn, _ = fake()
    view = rewrite_draft(DRAFT, rules_coach, "model", fn)
    assert 'class="rc-change"' in view.changes_html and "Now" in view.changes_html
