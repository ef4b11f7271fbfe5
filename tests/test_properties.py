"""Property-based tests of `Coach.check` / `check_many` and `reply-coach check` (hypothesis).

Profiles live in tests/conftest.py (deterministic, bounded). The bulk runs the rules-only
pipeline; one small property runs the default pipeline (rules + embedding) on a few drafts.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coach import Coach, CoachConfig
from coach.errors import InputError
from coach.taxonomy import FAMILIES, SEVERITIES, TYPES
from tests.strategies import (PROBLEM_PHRASES, check_rows, cuts_a_word, drafts, fewer,
                              glued_phrase, jsonl_bytes, jsonl_lines, run_cli)

RULES = CoachConfig(detectors=("rules",))
_COACH: dict[str, Coach] = {}


def rules_coach() -> Coach:
    """One rules-only Coach per test process (hypothesis calls the test many times)."""
    if "rules" not in _COACH:
        _COACH["rules"] = Coach(RULES)
    return _COACH["rules"]


def check_or_nothing(coach: Coach, text: str):
    """The flags of `text`; an empty or blank draft may instead be refused with an InputError
    (one 'nothing to check' behaviour is being settled; either is fine, a crash is not)."""
    try:
        return coach.check(text)
    except InputError:
        if text.strip():
            raise
        return []


def assert_flag_shape(text: str, flags) -> None:
    """Offsets, quote and taxonomy of every flag (the word-boundary property is separate)."""
    assert isinstance(flags, list)
    for f in flags:
        assert isinstance(f.start, int) and isinstance(f.end, int)
        assert 0 <= f.start < f.end <= len(text), (f.start, f.end, len(text))
        assert f.quote == text[f.start:f.end]
        assert f.type in TYPES, f.type
        assert f.family in FAMILIES and TYPES[f.type].family == f.family
        assert f.severity in SEVERITIES
        assert f.message and f.suggestion
        assert set(f.to_dict()) == {"family", "type", "start", "end", "quote", "message",
                                    "suggestion", "severity", "source"}


# --- Coach.check -------------------------------------------------------------------------------

@given(drafts())
@example("They\u2019ve changed the billing system, nothing I can do.\r\n\x00\u202e")
@example("\u0130" * 3 + "they changed the billing system")   # lower() grows "İ" to 2 chars
@example('"nothing I can do" ' * 3 + "<!-- coach off -->nothing I can do")
def test_check_flags_are_exact_spans_of_known_types(text):
    flags = check_or_nothing(rules_coach(), text)
    assert_flag_shape(text, flags)
    assert flags == sorted(flags, key=lambda f: (f.start, f.end))


@given(drafts())
@example("nothing I can do\u0301")                       # a combining mark after the span
@example("\u0301they changed the billing system")
@example("please check our FAQs9")
def test_check_spans_do_not_cut_words(text):
    """Word-bounded spans: neither end of a flag splits letters, digits or a combining mark
    from the letter it belongs to (coach.text.word_bounds)."""
    for f in check_or_nothing(rules_coach(), text):
        assert not cuts_a_word(text, f.start, f.end), (f.type, f.rule, text[max(0, f.start - 5):
                                                                           f.end + 5])


@given(glued_phrase())
def test_glued_letters_and_digits_never_split_a_word(parts):
    """ASCII and Unicode letters/digits stuck to a phrase: any flag still covers whole words."""
    left, phrase, right = parts
    text = left + phrase + right
    flags = check_or_nothing(rules_coach(), text)
    assert_flag_shape(text, flags)
    for f in flags:
        if f.start > 0 and text[f.start].isalnum():
            assert not text[f.start - 1].isalnum(), (text, f)
        if f.end < len(text) and text[f.end - 1].isalnum():
            assert not text[f.end].isalnum(), (text, f)


@given(st.lists(drafts(max_pieces=12), max_size=6))
def test_check_many_is_check_of_each(texts):
    coach = rules_coach()
    try:
        many = coach.check_many(texts)
    except InputError:
        assert any(not t.strip() for t in texts)   # only an empty draft may be refused
        return
    assert len(many) == len(texts)
    for text, flags in zip(texts, many):
        assert_flag_shape(text, flags)
        assert [f.to_dict(full=True) for f in flags] == \
            [f.to_dict(full=True) for f in coach.check(text)]


@given(st.sampled_from(PROBLEM_PHRASES), st.sampled_from(("", " ", "\u00a0", "\n", "\t")))
def test_a_problem_phrase_is_found_whatever_surrounds_it(phrase, pad):
    text = pad + phrase + pad
    flags = rules_coach().check(text)
    assert flags, text
    assert_flag_shape(text, flags)


@given(st.one_of(st.integers(), st.binary(max_size=8), st.none(), st.lists(st.text(max_size=3),
                                                                          max_size=2)))
def test_non_text_is_a_clear_input_error(value):
    with pytest.raises(InputError, match="must be text"):
        rules_coach().check(value)


@given(drafts(max_pieces=6, long_tokens=False))
def test_over_the_limit_is_a_clear_input_error(text):
    limit = 40
    if "limit" not in _COACH:
        _COACH["limit"] = Coach(CoachConfig(detectors=("rules",), max_chars=limit))
    coach = _COACH["limit"]
    if len(text) > limit:
        with pytest.raises(InputError, match="limit"):
            coach.check(text)
    else:
        assert_flag_shape(text, check_or_nothing(coach, text))


@pytest.mark.slow
@fewer(8)
@given(drafts(max_pieces=10, long_tokens=False))
@example("They changed the billing system, nothing I can do. We apologize for any inconvenience.")
def test_default_pipeline_flags_are_exact_spans(text):
    if "default" not in _COACH:
        _COACH["default"] = Coach(CoachConfig())
    flags = check_or_nothing(_COACH["default"], text)
    assert_flag_shape(text, flags)
    assert not any(cuts_a_word(text, f.start, f.end) for f in flags)


# --- reply-coach check --input FILE --format jsonl ----------------------------------------------



def assert_clean_error(rc: int, err: str, path: Path) -> None:
    """Exit 2 with one `reply-coach: error: FILE[:LINE][: field 'F']: why` line, no traceback."""
    assert rc == 2, err
    assert "Traceback" not in err
    line = err.strip().split("\n")[-1]
    assert line.startswith(f"reply-coach: error: {path}"), line


CHECK_ARGS = ["--detectors", "rules", "--format", "jsonl"]


@given(data=jsonl_bytes(check_rows()), skip_bad=st.booleans())
# found by hypothesis: a JSON-escaped lone surrogate inside a flag's quote (or in the id) crashed
# the writer with UnicodeEncodeError and a traceback (coach/io.py now rejects it, naming the field)
@example(data=b'{"id": 1, "text": "We apologize for any inconvenience\\ud800"}\n', skip_bad=False)
@example(data=b'{"id": 1, "text": "We apologize for any inconvenience\\ud800"}\n', skip_bad=True)
@example(data=b'{"id": "\\udc00", "text": "ok"}\n', skip_bad=True)
# found by hypothesis: a run stopped by a bad row left a half-written --out file behind
@example(data=b'{"id": 1, "text": "ok"}\n{"id": 2, "te', skip_bad=False)
def test_check_input_file_succeeds_or_names_file_and_line(shared_coaches, data, skip_bad):
    with tempfile.TemporaryDirectory() as d:
        inp, out = Path(d) / "in.jsonl", Path(d) / "out.jsonl"
        inp.write_bytes(data)
        argv = ["check", "--input", str(inp), *CHECK_ARGS, "--out", str(out)]
        rc, stdout, err = run_cli(argv + (["--skip-bad"] if skip_bad else []))
        if rc != 0:
            assert_clean_error(rc, err, inp)
            # nothing half-written: no output file, no temporary left beside it
            assert sorted(p.name for p in Path(d).iterdir()) == ["in.jsonl"]
            return
        assert "Traceback" not in err
        rows = [json.loads(line) for line in jsonl_lines(out)]
        text = data.decode("utf-8-sig")
        lines = [l.removesuffix("\r") for l in text.split("\n")]
        assert len(rows) == sum(1 for l in lines if l.strip())
        for row in rows:
            if "error" in row:
                assert skip_bad and f"{inp}:{row['line']}" in row["error"]
                continue
            assert set(row) == {"id", "flags"}
        for lineno, row in zip([i for i, l in enumerate(lines, 1) if l.strip()], rows):
            if "error" in row:
                continue
            draft = json.loads(lines[lineno - 1])["text"]
            for f in row["flags"]:
                assert draft[f["start"]:f["end"]] == f["quote"]
                assert f["type"] in TYPES


@given(phrase=st.sampled_from(PROBLEM_PHRASES))
def test_check_input_to_stdout_matches_check(shared_coaches, phrase):
    with tempfile.TemporaryDirectory() as d:
        inp = Path(d) / "in.jsonl"
        inp.write_text(json.dumps({"id": "a", "text": phrase}) + "\n", encoding="utf-8")
        rc, stdout, err = run_cli(["check", "--input", str(inp), *CHECK_ARGS])
    assert rc == 0, err
    row = json.loads(stdout)
    assert row["flags"] == [f.to_dict() for f in rules_coach().check(phrase)]


def test_failed_check_run_keeps_an_existing_output_file(shared_coaches, tmp_path):
    """A run that stops on a bad row leaves --out as it was (no truncated, half-written file)."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text('{"id": 1, "text": "nothing I can do"}\n{broken\n', encoding="utf-8")
    out.write_text("previous results\n", encoding="utf-8")
    rc, _stdout, err = run_cli(["check", "--input", str(inp), *CHECK_ARGS, "--out", str(out)])
    assert_clean_error(rc, err, inp)
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


@given(data=st.binary(max_size=64))
@example(data=b"\xff\xfe\x00\x01binary")
@example(data=b"\xed\xa0\x80")                  # a UTF-8-encoded lone surrogate
def test_check_input_of_raw_bytes_never_crashes(shared_coaches, data):
    with tempfile.TemporaryDirectory() as d:
        inp = Path(d) / "in.jsonl"
        inp.write_bytes(data)
        rc, _out, err = run_cli(["check", "--input", str(inp), *CHECK_ARGS])
    if rc != 0:
        assert_clean_error(rc, err, inp)


def test_missing_and_directory_inputs_are_clear_errors(shared_coaches, tmp_path):
    for p in (tmp_path / "nope.jsonl", tmp_path):
        rc, _out, err = run_cli(["check", "--input", str(p), *CHECK_ARGS])
        assert_clean_error(rc, err, p)


@pytest.mark.parametrize("line,field", [
    ('{"id": 1, "text": "We apologize for any inconvenience\\ud800"}', "text"),
    ('{"id": "\\udc00", "text": "ok"}', "id"),
])
def test_lone_surrogate_escape_is_a_clear_error_naming_the_field(shared_coaches, tmp_path,
                                                                 line, field):
    """Regression (hypothesis): json.loads turns "\\ud800" into a lone surrogate, which the
    UTF-8 writer cannot encode; the run died with a UnicodeEncodeError traceback."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(line + "\n", encoding="utf-8")
    rc, _stdout, err = run_cli(["check", "--input", str(inp), *CHECK_ARGS, "--out", str(out)])
    assert_clean_error(rc, err, inp)
    assert f"{inp}:1: field '{field}': holds a lone surrogate" in err
    assert not out.exists()
    rc, _stdout, err = run_cli(["check", "--input", str(inp), *CHECK_ARGS, "--out", str(out),
                                "--skip-bad"])
    assert rc == 0, err
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["line"] == 1 and "lone surrogate" in row["error"]


# Checking time on repeated words ('they ' x 3200 and the like) is measured in
# bench/bench_length.py --adversarial, not asserted here: speed lives in benchmarks.


@given(draft=drafts(max_pieces=8, long_tokens=False),
       junk=st.sampled_from(("\udcff", "\udc80\udc80", "\ud800")), at=st.integers(0, 40))
@example(draft="We apologize for any inconvenience", junk="\udcff", at=35)
def test_check_argument_that_is_not_utf8_is_a_clear_error(shared_coaches, draft, junk, at):
    """Regression (hypothesis): a command-line draft holding bytes that are not UTF-8 (Python
    passes them on as lone surrogates) printed a flag quoting them, and a strict UTF-8 stdout
    died with UnicodeEncodeError; standard input already gave "not valid UTF-8"."""
    from coach.cli import main

    text = draft[:at] + junk + draft[at:]
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")   # a UTF-8 terminal
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["check", text, *CHECK_ARGS])
    assert rc == 2
    assert err.getvalue().startswith("reply-coach: error: <argument>: not valid UTF-8")
