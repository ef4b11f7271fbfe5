"""Live checking: the handler behind highlights-while-typing, and what it does not redo."""
import uuid

import pytest

from coach.web.check import (START_HINT, already_shown, check_draft, live_check_draft,
                             live_detectors, live_off_view, shown_key)

FLAGGED = "They changed the billing system, nothing I can do."


def test_live_detectors_leave_out_the_language_model():
    assert live_detectors(["rules", "embedding", "lm"]) == ("rules", "embedding")
    assert live_detectors(["lm"]) == ()
    assert live_detectors(None) == ()


def test_empty_box_shows_the_hint_not_an_error(rules_coach):
    for text in ("", "   \n", None):
        view = live_check_draft(text, rules_coach)
        assert START_HINT in view.summary_html and "rc-notice-info" in view.summary_html
        assert "rc-notice-error" not in view.summary_html and view.highlight_html == ""
    # Check (not live) still says plainly that there is nothing to check
    assert "rc-notice-error" in check_draft("", rules_coach).summary_html


def test_live_result_is_the_check_result(rules_coach):
    live, full = live_check_draft(FLAGGED, rules_coach), check_draft(FLAGGED, rules_coach)
    assert live.as_tuple() == full.as_tuple() and live.flags == full.flags
    assert ">nothing I can do</mark>" in live.highlight_html


def test_live_says_which_detector_waits_for_check(rules_coach):
    view = live_check_draft(FLAGGED, rules_coach, skipped=["lm"])
    assert "without the Language model detector; press Check" in view.summary_html
    assert view.highlight_html  # the highlights are still there
    # an over-long draft is an error only, with no note about detectors
    long_view = live_check_draft("x" * 10_001, rules_coach, skipped=["lm"])
    assert "the limit is 10,000" in long_view.summary_html and "press Check" not in \
        long_view.summary_html
    off = live_off_view(["lm"])
    assert "Live checking is off" in off.summary_html and off.highlight_html == ""


def test_already_shown_skips_repeats_but_never_a_fuller_check():
    shown = shown_key("Draft A.", ("rules", "embedding", "lm"))
    assert already_shown("Draft A.", ("rules", "embedding"), shown)      # subset: nothing new
    assert not already_shown("Draft A!", ("rules", "embedding"), shown)  # text changed
    rules_only = shown_key("Draft A.", ("rules",))
    assert not already_shown("Draft A.", ("rules", "embedding"), rules_only)  # more detectors
    assert not already_shown("Draft A.", ("rules",), None)
    assert not already_shown("Draft A.", ("rules",), "garbage")
    assert already_shown("Draft A.", ("rules",), ["Draft A.", ["rules"]])  # as gr.State keeps it


# ---------------------------------------------------------------- only changed sentences
@pytest.fixture(scope="module")
def embedding_coach():
    from coach import Coach, CoachConfig
    from coach.errors import ModelUnavailableError

    try:
        return Coach(CoachConfig(detectors=("rules", "embedding")))
    except ModelUnavailableError as e:
        pytest.skip(f"embedding model not installed: {e}")


@pytest.fixture
def model_inputs(embedding_coach, monkeypatch):
    """Every text that reaches the embedding model itself (past the embedder's cache)."""
    emb = next(d for d in embedding_coach.detectors if d.name == "embedding").embedder
    seen: list[str] = []
    backend = emb._ort if emb._ort is not None else emb.model
    real = backend.encode

    def spy(texts, *args, **kw):
        seen.extend(texts)
        return real(texts, *args, **kw)

    monkeypatch.setattr(backend, "encode", spy)
    return seen


def test_unchanged_sentences_are_not_embedded_again(embedding_coach, model_inputs):
    tag = uuid.uuid4().hex[:8]  # sentences no other test (or earlier run) has cached
    s1 = f"I have looked into the order {tag} you placed on Monday."
    s2 = f"The replacement headphones {tag} left our warehouse this morning."
    s3 = f"You will get a tracking link for parcel {tag} by email tonight."
    draft1 = f"{s1} {s2}"
    view1 = live_check_draft(draft1, embedding_coach)
    assert s1 in model_inputs and s2 in model_inputs  # the spy sees what the model encodes

    model_inputs.clear()
    draft2 = f"{draft1} {s3}"                          # the agent types one more sentence
    view2 = live_check_draft(draft2, embedding_coach)
    assert model_inputs, "the new sentence should have gone to the model"
    assert all(t in s3 for t in model_inputs), model_inputs
    assert s1 not in model_inputs and s2 not in model_inputs

    model_inputs.clear()
    s2b = s2.replace("this morning", "an hour ago")   # then edits the middle sentence
    draft3 = f"{s1} {s2b} {s3}"
    view3 = live_check_draft(draft3, embedding_coach)
    assert model_inputs and all(t in s2b for t in model_inputs), model_inputs

    model_inputs.clear()
    live_check_draft(draft3, embedding_coach)          # nothing changed: nothing encoded
    assert model_inputs == []

    # and the saving never changes the answer: the flags are those of a full check
    for draft, view in ((draft1, view1), (draft2, view2), (draft3, view3)):
        assert [f.to_dict() for f in view.flags] == \
            [f.to_dict() for f in embedding_coach.check(draft)]
