"""Property-based tests of `rewrite(..., use_model=False)` and `reply-coach rewrite --no-model`.

No model is loaded: the checked ownership edits, else the rule-based fallback. On any draft the
rewrite is text, its checks have the public shape, and no [placeholder] is repeated without
bound: a long draft gets each owned template once, so the rewrite is never much longer than
the draft.
"""
from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from coach import Coach, CoachConfig
from coach.errors import CoachError
from coach.rewrite import fallback as fb
from coach.rewrite.rewriter import MAX_DRAFT_CHARS, RewriteResult, rewrite
from tests.strategies import (CLEAN_PHRASES, PROBLEM_PHRASES, check_rows, drafts, fewer,
                              jsonl_bytes, jsonl_lines, run_cli)

CHECK_KEYS = {"flags_left", "facts_missing", "promises_added", "owns_problem"}
_COACH: list[Coach] = []


def rules_coach() -> Coach:
    if not _COACH:
        _COACH.append(Coach(CoachConfig(detectors=("rules",))))
    return _COACH[0]


def placeholder_labels(text: str) -> Counter:
    """How often each [placeholder] asks for the same thing (its label, before any quote)."""
    return Counter(re.split(r"[;:]", m.group(1))[0].strip() for m in fb.PLACEHOLDER.finditer(text))


def assert_result_shape(draft: str, res: RewriteResult) -> None:
    assert isinstance(res, RewriteResult)
    assert isinstance(res.rewrite, str)
    res.rewrite.encode("utf-8")                       # writable as it is
    # no model was asked; a rewrite whose own checks fail is never handed over
    assert res.source in ("transform", "fallback", "unchanged", "no_rewrite")
    assert (res.source == "no_rewrite") == (res.rewrite == "" and bool(draft.strip()))
    assert CHECK_KEYS <= set(res.checks)
    json.dumps(res.to_dict("x"), ensure_ascii=False)
    if draft.strip() and not res.flags:
        assert res.rewrite == draft and res.source == "unchanged"  # nothing flagged: it stands


@fewer(30)
@given(draft=drafts(max_pieces=16))
@example(draft="Hi Sam, the warehouse lost order #A-5512, nothing I can do.\x00\u202e")
@example(draft="Dear Mrs. Hughes, they changed the billing system. " * 3)
def test_rewrite_without_model_never_crashes_and_stays_bounded(draft):
    try:
        res = rewrite(draft, coach=rules_coach(), use_model=False)
    except CoachError:
        assert not draft.strip()      # only "nothing to check" may be refused
        return
    assert_result_shape(draft, res)
    event(f"{res.source}, {'flagged' if res.flags else 'clean'}")
    units = fb.flagged_units(draft, res.flags)
    # each kind of gap is asked for at most once per flagged sentence (plus one next step)
    for label, n in placeholder_labels(res.rewrite).items():
        assert n <= len(units) + 1, (label, n, len(units))


long_unit = st.lists(st.sampled_from(PROBLEM_PHRASES + CLEAN_PHRASES), min_size=1,
                     max_size=4).map(lambda ps: " ".join(p.rstrip(".") + "." for p in ps) + " ")


@fewer(12)
@given(unit=long_unit, size=st.integers(MAX_DRAFT_CHARS + 1, 3 * MAX_DRAFT_CHARS))
@example(unit="Nothing I can do. ", size=MAX_DRAFT_CHARS + 1)
def test_long_draft_gets_each_template_once(unit, size):
    """Past MAX_DRAFT_CHARS the fallback replaces sentences by templates: each once."""
    draft = unit * (size // len(unit) + 1)
    res = rewrite(draft, coach=rules_coach(), use_model=False)
    assert_result_shape(draft, res)
    labels = placeholder_labels(res.rewrite)
    assert all(n <= len(fb.TEMPLATE_ORDER) for n in labels.values()), labels
    assert len(res.rewrite) <= len(draft) + 2000


def test_200_kb_of_one_dodge_is_not_hundreds_of_kb_of_placeholders():
    """Regression (hypothesis): 200 KB of "Nothing I can do." became 555 KB holding 11,111
    copies of "[what you can do for them]", and took ~35 s (flagged_units searched the whole
    prefix of the draft for a title before every flag)."""
    draft = "Nothing I can do. " * 11_111
    flags = rules_coach().check(draft)
    out = fb.fallback_rewrite(draft, flags)
    assert len(out) <= len(draft) + 200
    assert placeholder_labels(out) == {"what you can do for them": 1}
    assert out.startswith("Here's what I can do: [what you can do for them]. Nothing I")
    # the other 11,110 dodges are still there, so that reply fails its own checks and is
    # not offered: the agent is told no rewrite passed
    res = rewrite(draft, coach=rules_coach(), use_model=False)
    assert res.source == "no_rewrite" and res.rewrite == "" and res.checks["flags_left"]


def test_title_before_a_sentence_still_joins_it_to_its_sentence():
    """flagged_units looks back only a few characters for "Mrs." now: same units as before."""
    text = "Hi there. " * 200 + "Dear Mrs. Hughes, nothing I can do."
    flags = rules_coach().check(text)
    (u,) = fb.flagged_units(text, flags)
    assert text[u.start:u.end] == "Dear Mrs. Hughes, nothing I can do."


# --- reply-coach rewrite --no-model ---------------------------------------------------------



ARGS = ["--no-model", "--detectors", "rules"]


@fewer(30)
@given(data=jsonl_bytes(check_rows()), skip_bad=st.booleans())
@example(data=b'{"id": "\\ud800", "text": "nothing I can do"}\n', skip_bad=True)
@example(data=b'{"id": 1, "text": "nothing I can do \\udc00"}\n', skip_bad=False)
def test_rewrite_input_file_succeeds_or_names_file_and_line(shared_coaches, data, skip_bad):
    with tempfile.TemporaryDirectory() as d:
        inp, out = Path(d) / "in.jsonl", Path(d) / "out.jsonl"
        inp.write_bytes(data)
        argv = ["rewrite", "--input", str(inp), "--format", "jsonl", "--out", str(out), *ARGS]
        rc, _stdout, err = run_cli(argv + (["--skip-bad"] if skip_bad else []))
        assert "Traceback" not in err
        if rc != 0:
            assert rc == 2, err
            assert err.strip().split("\n")[-1].startswith(f"reply-coach: error: {inp}")
            assert sorted(p.name for p in Path(d).iterdir()) == ["in.jsonl"]
            return
        for row in map(json.loads, jsonl_lines(out)):
            if "error" in row:
                assert skip_bad and f"{inp}:{row['line']}" in row["error"]
            else:
                assert isinstance(row["rewrite"], str) and CHECK_KEYS == set(row["checks"])


@fewer(30)
@given(draft=drafts(max_pieces=10, long_tokens=False), fmt=st.sampled_from(("text", "jsonl")))
def test_rewrite_one_draft_prints_text_or_says_nothing_to_check(shared_coaches, draft, fmt):
    rc, stdout, err = run_cli(["rewrite", draft, "--format", fmt, *ARGS])
    assert "Traceback" not in err
    if not draft.strip():
        assert rc == 2 and "reply-coach: error:" in err
        return
    assert rc == 0, err
    if fmt == "jsonl":
        assert isinstance(json.loads(stdout)["rewrite"], str)
    else:
        assert stdout.endswith("\n") and re.search(r"\[\w+\] flags left: \d+", err)


def test_rewrite_with_a_failed_run_leaves_no_output(shared_coaches, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text('{"id": "a", "text": "nothing I can do"}\n{"id": "b"}\n', encoding="utf-8")
    rc, _stdout, err = run_cli(["rewrite", "--input", str(inp), "--out", str(out), *ARGS])
    assert rc == 2 and f"{inp}:2: field 'text'" in err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("value", [None, 5, b"bytes", ["a"]])
def test_rewrite_of_non_text_is_a_coach_error(value):
    with pytest.raises(CoachError, match="must be text"):
        rewrite(value, coach=rules_coach(), use_model=False)
