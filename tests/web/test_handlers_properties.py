"""Property-based tests of the web handlers (hypothesis): whatever the page or an API client
sends, Check, Suggest rewrite and Score answer with page values or a clear notice, never a raw
exception, and user text only ever reaches the HTML escaped."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coach import Coach, CoachConfig
from coach.errors import CoachError, InputError
from coach.taxonomy import TYPES
from coach.web.check import check_api, check_draft
from coach.web.rewrite import rewrite_draft, run_rewrite
from coach.web.score import ScoreView, score_uploads, worst_turns_html
from coach.web.settings import MAX_DRAFT_CHARS
from coach.web.uploads import checked_upload, checked_uploads
from tests.strategies import (conversation_rows, drafts, fewer, jsonl_bytes, turn_csv_bytes,
                              twitter_csv_bytes)

RULES = CoachConfig(detectors=("rules",))
MARKER = "<img src=x onerror=alert(1)>"       # must never reach a page unescaped
_COACH: list[Coach] = []


def rules_coach() -> Coach:
    if not _COACH:
        _COACH.append(Coach(RULES))
    return _COACH[0]


web_drafts = st.one_of(
    drafts(max_pieces=20),
    drafts(max_pieces=8).map(lambda d: MARKER + d + "<script>x</script>"),
    st.integers(MAX_DRAFT_CHARS - 2, MAX_DRAFT_CHARS + 2).map(
        lambda n: ("nothing I can do. " * n)[:n]),                    # at the web limit
)
not_text = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=8),
                     st.lists(st.text(max_size=3), max_size=2),
                     st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


def assert_escaped(*html: str) -> None:
    for h in html:
        assert isinstance(h, str)
        h.encode("utf-8")                     # Gradio serialises it as JSON
        assert "<img" not in h and "<script" not in h


# --- Check ----------------------------------------------------------------------------------

@given(text=st.one_of(web_drafts, not_text))
@example(text="x" * (MAX_DRAFT_CHARS + 1))
@example(text="   \n\t")
def test_check_draft_answers_with_a_view_never_an_exception(text):
    view = check_draft(text, rules_coach())
    assert_escaped(*view.as_tuple())
    if view.flags:
        assert view.highlight_html and view.cards_html
        for f in view.flags:
            assert text[f.start:f.end] == f.quote and f.type in TYPES
    elif not view.highlight_html:
        assert "rc-notice-error" in view.summary_html      # a refused draft says why


@given(text=st.one_of(web_drafts, not_text))
def test_check_api_gives_the_public_json_or_an_input_error(text):
    try:
        out = check_api(text, rules_coach())
    except InputError as e:
        assert str(e) and "Traceback" not in str(e)
        return
    assert set(out) >= {"clean", "count", "flags", "detectors", "message"}
    assert out["count"] == len(out["flags"]) and out["clean"] == (not out["flags"])
    for f in out["flags"]:
        assert text[f["start"]:f["end"]] == f["quote"]


# --- Suggest rewrite (fallback mode: no model) ---------------------------------------------

@fewer(30)
@given(text=st.one_of(web_drafts, not_text))
def test_rewrite_draft_answers_with_a_view_never_an_exception(text):
    view = rewrite_draft(text, rules_coach(), "fallback")
    status, rewritten, changes, diff, checks = view.as_tuple()
    assert isinstance(rewritten, str)
    assert_escaped(status, changes, diff, checks)
    if not rewritten:   # a bad draft, or no rewrite passed its checks: the notice says which
        assert "rc-notice-error" in status or "No rewrite passed the checks" in status


@fewer(20)
@given(text=web_drafts)
def test_run_rewrite_json_is_text_with_checks_or_a_coach_error(text):
    try:
        out = run_rewrite(text, rules_coach(), "fallback")
    except CoachError:
        assert not text.strip() or len(text) > MAX_DRAFT_CHARS
        return
    assert isinstance(out["rewrite"], str) and isinstance(out["checks"], dict)
    assert out["source"] in ("transform", "fallback", "unchanged", "no_rewrite")
    # a rewrite whose own checks failed is never handed over
    assert (out["rewrite"] == "") == (out["source"] == "no_rewrite")


# --- Uploads and Score -----------------------------------------------------------------------

upload_items = st.one_of(
    st.none(), st.integers(), st.binary(max_size=6), st.just({"path": None}),
    st.builds(lambda n: {"path": n}, st.text(max_size=20)),
    st.text(max_size=40),
    st.sampled_from(("in.csv\x00.csv", "a" * 300 + ".csv", "../../etc/passwd", "/etc/passwd",
                     "a/" * 3000 + "x.csv", "\udcff.csv", "")),
)


@given(item=upload_items)
# found by hypothesis: a NUL byte in the path raised ValueError, a name over the OS limit
# OSError (ENAMETOOLONG), both past the handler's `except CoachError`
@example(item="in.csv\x00.csv")
@example(item="a" * 300 + ".csv")
@example(item="a/" * 3000 + "x.csv")
def test_checked_upload_gives_a_path_or_an_input_error(item):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        if isinstance(item, str) and not item.startswith("/"):
            item = str(root / item)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            item = {"path": str(root / item["path"])}
        try:
            p = checked_upload(item, (".csv", ".jsonl"), root)
        except InputError as e:
            assert str(e)
            return
        assert p.is_file() and root.resolve() in p.parents


any_upload = st.one_of(
    st.tuples(st.just(".jsonl"), jsonl_bytes(conversation_rows())),
    st.tuples(st.just(".csv"), turn_csv_bytes()),
    st.tuples(st.just(".csv"), twitter_csv_bytes()),
    st.tuples(st.sampled_from((".jsonl", ".csv", ".txt")), st.binary(max_size=60)),
)


@fewer(40)
@given(files=st.lists(any_upload, max_size=3), extra=st.one_of(st.none(), upload_items))
@example(files=[], extra="\udcff.csv")
def test_score_uploads_answers_with_a_view_never_an_exception(shared_coaches, files, extra):
    with tempfile.TemporaryDirectory() as d:
        root, out_root = Path(d) / "gradio", Path(d) / "out"
        paths: list[object] = []
        for i, (ext, data) in enumerate(files):
            p = root / f"h{i}" / f"upload{ext}"
            p.parent.mkdir(parents=True)
            p.write_bytes(data)
            paths.append(str(p))
        if extra is not None:
            paths.append(extra)
        view = score_uploads(paths, RULES, out_root=out_root, upload_dir=root)
        assert isinstance(view, ScoreView)
        assert_escaped(view.summary_html)
        assert str(root) not in view.summary_html            # files by name, not temp path
        if view.out_dir:
            assert not (Path(view.out_dir) / "turns.jsonl").exists()
            for a in view.agents:
                assert_escaped(worst_turns_html(view.out_dir, a))
        else:
            assert "rc-notice-error" in view.summary_html


@given(agent=st.one_of(st.none(), st.text(max_size=10)), out_dir=st.sampled_from(("", "/nope")))
def test_worst_turns_html_without_a_run_is_a_notice(agent, out_dir):
    assert isinstance(worst_turns_html(out_dir, agent), str)


def test_uploads_none_or_empty_ask_for_a_file(tmp_path):
    for items in (None, [], ()):
        with pytest.raises(InputError, match="upload a file first"):
            checked_uploads(items, (".csv",), tmp_path)
