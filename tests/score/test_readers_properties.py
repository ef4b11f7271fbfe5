"""Property-based tests of the transcript readers and `reply-coach score` (hypothesis).

Whatever bytes a file holds (JSONL, one-turn-a-row CSV, the Twitter layout, binary junk, broken
encodings, truncated or over-long lines, fields of the wrong type), reading either gives
Conversation/Skipped records or one InputError naming the file; the CLI either succeeds or
exits 2 with a one-line error naming file, line and field, never a traceback, and never leaves
half-written outputs (a run stopped mid-way keeps only its checkpoint, for --resume).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

import coach.io
from coach import CoachConfig
from coach.errors import InputError
from coach.score.model import Conversation, Skipped
from coach.score.readers import read_path
from coach.taxonomy import TYPES
from tests.strategies import (conversation_rows, fewer, jsonl_bytes, jsonl_lines,
                              run_cli, turn_csv_bytes, twitter_csv_bytes)

OUTPUTS = ("turns.jsonl", "scorecards.json", "scorecards.csv", "report.html")
FAST = ["--quiet", "--detectors", "rules"]   # the bulk runs the rules-only pipeline
LINE_LIMIT = 3000    # MAX_LINE_BYTES for these tests, so "huge lines" stay cheap to generate

any_file = st.one_of(
    st.tuples(st.just(".jsonl"), jsonl_bytes(conversation_rows())),
    st.tuples(st.just(".jsonl"), jsonl_bytes(conversation_rows())),
    st.tuples(st.just(".csv"), turn_csv_bytes()),
    st.tuples(st.just(".csv"), turn_csv_bytes()),
    st.tuples(st.just(".csv"), twitter_csv_bytes()),
    st.tuples(st.sampled_from((".jsonl", ".csv", ".json", ".txt")), st.binary(max_size=80)),
)


@pytest.fixture
def short_lines(monkeypatch):
    monkeypatch.setattr(coach.io, "MAX_LINE_BYTES", LINE_LIMIT)


def _write(d: str, ext: str, data: bytes) -> Path:
    p = Path(d) / f"in{ext}"
    p.write_bytes(data)
    return p


# --- readers ---------------------------------------------------------------------------------

@given(f=any_file)
@example(f=(".jsonl", b'{"conversation_id": "c1", "agent": "A", "turns": '
                      b'[{"role": "agent", "text": "nothing I can do\\ud800"}]}\n'))
@example(f=(".csv", b"conversation_id,agent,role,text\nc1,A,agent,\"open quote\n"))
@example(f=(".csv", b"conversation_id,agent,role,text,timestamp\nc1,A,agent,hi,1e400\n"))
@example(f=(".jsonl", b'{"conversation_id": "c1", "agent": "A", "turns": [{"role": "agent", '
                      b'"text": "' + b"x" * (LINE_LIMIT + 10) + b'"}]}\n'))
def test_read_path_gives_records_or_one_input_error(short_lines, f):
    ext, data = f
    with tempfile.TemporaryDirectory() as d:
        path = _write(d, ext, data)
        try:
            items = read_path(str(path))
        except InputError as e:
            assert str(e).startswith(str(path)), str(e)
            event(f"{ext}: file-level error")
            return
    event(f"{ext}: {sum(isinstance(i, Conversation) for i in items) > 0 and 'some' or 'no'} "
          "conversations")
    assert items
    for it in items:
        assert isinstance(it, (Conversation, Skipped))
        if isinstance(it, Skipped):
            assert it.error.startswith(f"{path}:"), it.error
            assert it.line is not None and it.line >= 1
            continue
        assert it.conversation_id.strip() and it.turns
        assert all(t.role in ("agent", "customer") and isinstance(t.text, str) for t in it.turns)
        # nothing a reader hands on holds a lone surrogate: no UTF-8 output could write it
        for s in [it.conversation_id, it.agent, *(t.text for t in it.turns),
                  *(t.agent for t in it.turns)]:
            s.encode("utf-8")


# --- reply-coach score -------------------------------------------------------------------------



def assert_no_half_outputs(out: Path) -> None:
    """A failed run writes no final output and no temporary file; only the checkpoint (which
    --resume continues from) may stay."""
    if not out.exists():
        return
    left = sorted(p.name for p in out.iterdir())
    assert set(left) <= {".checkpoint"}, left


@fewer(50)
@given(f=any_file, skip_bad=st.sampled_from((True, True, False)))
@example(f=(".jsonl", b'{"conversation_id": "c1", "agent": "A", "turns": '
                      b'[{"role": "agent", "text": "We apologize for any inconvenience\\ud800"}]}'
                      b'\n'), skip_bad=True)
@example(f=(".jsonl", b'{"conversation_id": "c1", "agent": "A", "turns": '
                      b'[{"role": "agent", "text": "We apologize for any inconvenience\\ud800"}]}'
                      b'\n'), skip_bad=False)
@example(f=(".jsonl", b'{"conversation_id": "\\udfff", "agent": "A", "turns": '
                      b'[{"role": "agent", "text": "ok"}]}\n'), skip_bad=True)
def test_score_cli_succeeds_or_fails_cleanly(shared_coaches, short_lines, f, skip_bad):
    ext, data = f
    with tempfile.TemporaryDirectory() as d:
        path, out = _write(d, ext, data), Path(d) / "out"
        argv = ["score", str(path), "--out", str(out), *FAST]
        rc, stdout, err = run_cli(argv + (["--skip-bad"] if skip_bad else []))
        assert "Traceback" not in err
        event(f"{ext} exit {rc}")
        if rc != 0:
            assert rc == 2, err
            last = err.strip().split("\n")[-1]
            assert last.startswith(f"reply-coach: error: {path}"), last
            assert_no_half_outputs(out)
            return
        assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
        assert stdout.split() == [str(out / n) for n in OUTPUTS]
        cards = json.loads((out / "scorecards.json").read_text(encoding="utf-8"))
        items = read_path(str(path))
        n_skipped = sum(isinstance(i, Skipped) for i in items)
        assert cards["summary"]["skipped"] == n_skipped
        assert n_skipped == 0 or skip_bad
        event("flags found" if cards["summary"].get("flags") else "no flags")
        for line in jsonl_lines(out / "turns.jsonl"):
            row = json.loads(line)
            for fl in row["flags"]:
                assert row["text"][fl["start"]:fl["end"]] == fl["quote"]
                assert fl["type"] in TYPES


@pytest.mark.parametrize("field,text", [
    ("turns[0].text", "We apologize for any inconvenience\\ud800"),
    ("conversation_id", None),
])
def test_score_lone_surrogate_names_line_and_field(shared_coaches, tmp_path, field, text):
    """Regression (hypothesis): an escaped lone surrogate in a turn crashed the run with a
    UnicodeEncodeError traceback while writing turns.jsonl, after the checkpoint was made."""
    cid = '"\\udfff"' if text is None else '"c1"'
    src = tmp_path / "in.jsonl"
    src.write_text('{"conversation_id": %s, "agent": "A", "turns": [{"role": "agent", '
                   '"text": "%s"}]}\n' % (cid, text or "ok"), encoding="utf-8")
    out = tmp_path / "out"
    rc, _stdout, err = run_cli(["score", str(src), "--out", str(out), *FAST])
    assert rc == 2 and "Traceback" not in err
    assert f"{src}:1: field '{field}': holds a lone surrogate" in err
    assert not out.exists()
    rc, _stdout, err = run_cli(["score", str(src), "--out", str(out), *FAST, "--skip-bad"])
    assert rc == 0, err
    assert json.loads((out / "scorecards.json").read_text(encoding="utf-8"))["summary"][
        "skipped"] == 1


@st.composite
def good_conversations(draw) -> bytes:
    rows = draw(st.lists(conversation_rows(), min_size=1, max_size=8))
    ok = []
    for i, r in enumerate(rows):
        turns = [t for t in (r.get("turns") if isinstance(r.get("turns"), list) else [])
                 if isinstance(t, dict)
                 and t.get("role") in ("agent", "customer") and isinstance(t.get("text"), str)]
        ok.append({"conversation_id": f"c{i}", "agent": draw(st.sampled_from(("Ann", "Bob"))),
                   "turns": turns or [{"role": "agent", "text": "nothing I can do"}]})
    return "".join(json.dumps(r) + "\n" for r in ok).encode("utf-8")


@fewer(25)
@given(data=good_conversations(), stop_after=st.integers(0, 7))
def test_resume_after_a_crash_writes_the_same_bytes(shared_coaches, monkeypatch, data,
                                                    stop_after):
    """Stop a run after any number of scored chunks; --resume finishes it with the same bytes
    as an uninterrupted run, and the stopped run left no final output behind."""
    import coach.score.run as run_mod
    from coach.score.run import Options, run

    real = run_mod.score_items
    monkeypatch.setattr(os, "fsync", lambda fd: None)   # durability is not what this tests
    opts = Options(checkpoint_every=1, chunk_size=1)
    rules = CoachConfig(detectors=("rules",))
    with tempfile.TemporaryDirectory() as d:
        src = _write(d, ".jsonl", data)
        clean, stopped = Path(d) / "clean", Path(d) / "stopped"
        run([str(src)], str(clean), config=rules, options=opts)
        calls = {"n": 0}

        def crashing(coach_, chunk):
            if calls["n"] >= stop_after:
                raise KeyboardInterrupt
            calls["n"] += 1
            return real(coach_, chunk)

        monkeypatch.setattr(run_mod, "score_items", crashing)
        n = data.count(b"\n")
        if stop_after < n:
            with pytest.raises(KeyboardInterrupt):
                run([str(src)], str(stopped), config=rules, options=opts)
            assert_no_half_outputs(stopped)
        monkeypatch.setattr(run_mod, "score_items", real)
        run([str(src)], str(stopped), config=rules, resume=True, options=opts)
        for name in OUTPUTS:
            assert (stopped / name).read_bytes() == (clean / name).read_bytes(), name
        assert not (stopped / ".checkpoint").exists()


def test_score_of_a_missing_file_and_a_folder_are_clear_errors(shared_coaches, tmp_path):
    for p in (tmp_path / "nope.jsonl", tmp_path):
        rc, _out, err = run_cli(["score", str(p), "--out", str(tmp_path / "o"), *FAST])
        assert rc == 2 and "Traceback" not in err and str(p) in err
