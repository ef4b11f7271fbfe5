"""score_paths and `reply-coach score` end to end: outputs, progress, workers, bad input."""
import csv
import io
import json
import sys

import pytest

from coach.cli import main
from coach.config import DEFAULT_DETECTORS
from coach.errors import CoachError
from coach.score.run import Options, run, score_paths
from tests.score.conftest import conv, read_outputs, write_jsonl


def test_score_paths_writes_outputs_and_returns_the_summary(small_jsonl, tmp_path):
    calls = []
    out = tmp_path / "out"
    summary = score_paths([str(small_jsonl)], str(out), progress=lambda d, t: calls.append((d, t)))
    data = json.loads((out / "scorecards.json").read_text(encoding="utf-8"))
    paths = summary.pop("paths")
    assert summary == data["summary"]
    assert set(paths) == {"turns.jsonl", "scorecards.json", "scorecards.csv", "report.html"}
    assert not (out / "scorecards.sarif").exists() and not (out / ".checkpoint").exists()
    assert calls[-1] == (3, 3) and all(t == 3 for _, t in calls)
    assert summary["conversations"] == 3 and summary["agent_turns"] == 4
    assert summary["detectors"] == list(DEFAULT_DETECTORS) and summary["inputs"] == [str(small_jsonl)]
    turns = [json.loads(l) for l in (out / "turns.jsonl").read_text().splitlines()]
    assert [(t["conversation_id"], t["turn"]) for t in turns] == [("c1", 1), ("c1", 3),
                                                                  ("c2", 1), ("c3", 1)]
    assert {x["type"] for x in turns[0]["flags"]} >= {"they_language", "powerless"}
    agents = data["agents"]
    assert [a["agent"] for a in agents] == ["Bob", "Ann"]
    assert set(agents[1]) >= {"agent", "conversations", "agent_turns", "flagged_turns",
                              "flag_rate", "ownership_score", "families", "types", "worst"}
    assert agents[1]["conversations"] == 2 and agents[1]["flagged_turns"] == 2
    rows = list(csv.DictReader(io.StringIO((out / "scorecards.csv").read_text())))
    assert [r["agent"] for r in rows] == ["Bob", "Ann"]
    assert rows[1]["type:they_language"] == "1" and rows[1]["worst_conversation_id"] == "c1"


def test_workers_do_not_change_a_byte(tmp_path):
    from coach.score.synthetic import write_synthetic

    src = write_synthetic(tmp_path / "syn.jsonl", 300)
    run([str(src)], str(tmp_path / "w1"), options=Options(chunk_size=16))
    run([str(src)], str(tmp_path / "w2"), workers=2, options=Options(chunk_size=7))
    assert read_outputs(tmp_path / "w1") == read_outputs(tmp_path / "w2")


def test_bad_conversation_stops_the_run_unless_skip_bad(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [conv("c1", "A", "Hello."), '{"conversation_id": 1',
                                              conv("c3", "B", "Hi.")])
    with pytest.raises(CoachError, match=r"in.jsonl:2: invalid JSON.*--skip-bad"):
        score_paths([str(src)], str(tmp_path / "o1"))
    s = score_paths([str(src)], str(tmp_path / "o2"), skip_bad=True)
    assert s["skipped"] == 1 and s["conversations"] == 2
    assert s["skipped_records"][0]["line"] == 2 and "in.jsonl" in s["skipped_records"][0]["source"]


def test_empty_input_is_a_clear_error(tmp_path):
    p = tmp_path / "empty.jsonl"
    p.write_text("")
    with pytest.raises(CoachError, match="empty.jsonl: nothing to check: empty file"):
        score_paths([str(p)], str(tmp_path / "o"))


def test_resume_refuses_a_checkpoint_of_other_inputs(small_jsonl, tmp_path):
    out = tmp_path / "o"
    (out / ".checkpoint").mkdir(parents=True)
    (out / ".checkpoint" / "state.json").write_text(
        '{"fingerprint": "other", "done": 1, "offset": 10, "format": 1}')
    with pytest.raises(CoachError, match="different run"):
        score_paths([str(small_jsonl)], str(out), resume=True)


def test_resume_drops_records_written_after_the_last_checkpoint(small_jsonl, tmp_path):
    """A crash between checkpoints leaves extra bytes in the part file: they are cut off."""
    clean = tmp_path / "clean"
    score_paths([str(small_jsonl)], str(clean))
    out = tmp_path / "o"
    calls = []

    def boom(done, total):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run([str(small_jsonl)], str(out), progress=boom,
            options=Options(checkpoint_every=1, chunk_size=1))
    state = json.loads((out / ".checkpoint" / "state.json").read_text())
    assert state["done"] == 2
    with open(out / ".checkpoint" / "results.part.jsonl", "a") as f:
        f.write('{"kind": "conversation", "half a line')
    score_paths([str(small_jsonl)], str(out), resume=True)
    assert read_outputs(out) == read_outputs(clean)


def test_cli_score_writes_files_and_reports_bad_rows(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [conv("c1", "A", "That's company policy."),
                                              '{"conversation_id": "c2", "agent": "B"}'])
    out = tmp_path / "o"
    assert main(["score", str(src), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "in.jsonl:2: field 'turns': missing field" in err
    assert main(["score", str(src), "--out", str(out), "--skip-bad", "--quiet",
                 "--format", "sarif"]) == 0
    cap = capsys.readouterr()
    assert "skipped" in cap.err and "scoring [" not in cap.err
    assert (out / "scorecards.sarif").exists() and str(out / "report.html") in cap.out


def test_cli_progress_line_on_stderr(small_jsonl, tmp_path, capsys):
    assert main(["score", str(small_jsonl), "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "3/3 conversations" in err and "/s ETA" in err


def test_cli_column_mapping(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("chat,who,speaker,body\n1,Ann,customer,hi\n1,Ann,agent,That's company policy.\n")
    out = tmp_path / "o"
    assert main(["score", str(p), "--out", str(out), "--quiet",
                 "--columns", "conversation_id=chat,agent=who,role=speaker,text=body"]) == 0
    [card] = json.loads((out / "scorecards.json").read_text())["agents"]
    assert card["agent"] == "Ann" and card["agent_turns"] == 1


def test_engine_ray_without_ray_says_how_to_install(small_jsonl, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)   # makes `import ray` fail
    with pytest.raises(CoachError, match=r"pip install -e \.\[scale\]"):
        score_paths([str(small_jsonl)], str(tmp_path / "o"), engine="ray")


def test_bad_arguments_are_coach_errors(small_jsonl, tmp_path):
    for kw in ({"engine": "spark"}, {"formats": ("pdf",)}, {"workers": 0}):
        with pytest.raises(CoachError):
            score_paths([str(small_jsonl)], str(tmp_path / "o"), **kw)


def test_oversized_csv_cell_skips_only_its_conversation(tmp_path):
    big = "x" * 2_000_100        # over the pipeline's max_chars and the old csv cell limit
    src = tmp_path / "in.csv"
    src.write_text("conversation_id,agent,role,text\nc1,Ann,agent,Hello.\n"
                   f"c2,Bob,agent,{big}\nc3,Cy,agent,Hi.\n", encoding="utf-8")
    with pytest.raises(CoachError, match=r"in.csv:3: field 'text'"):
        score_paths([str(src)], str(tmp_path / "o1"))
    s = score_paths([str(src)], str(tmp_path / "o2"), skip_bad=True)
    assert s["conversations"] == 2 and s["skipped"] == 1
    assert s["skipped_records"][0]["line"] == 3
