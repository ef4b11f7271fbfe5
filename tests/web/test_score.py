"""The Score-transcripts handler over the shared batch scorer."""
import json
import shutil
from pathlib import Path

import pytest

from coach.config import CoachConfig
from coach.web.score import TABLE_COLUMNS, score_uploads, scorecard_frames, worst_turns_html

DATA = Path(__file__).resolve().parent / "data"
RULES = CoachConfig(detectors=("rules",))


@pytest.fixture
def upload(tmp_path):
    """Copy a fixture into a fake Gradio upload folder, as the browser upload would."""
    root = tmp_path / "gradio"

    def put(name, data=None):
        d = root / f"h{len(list(root.glob('*'))) if root.exists() else 0}"
        d.mkdir(parents=True)
        p = d / name
        if data is None:
            shutil.copy(DATA / name, p)
        else:
            p.write_text(data, encoding="utf-8")
        return str(p)
    put.root = root
    return put


def test_scores_jsonl_into_table_charts_and_downloads(upload, tmp_path):
    seen = []
    f = upload("transcripts.jsonl")
    view = score_uploads([f], RULES, progress=lambda d, t: seen.append((d, t)),
                         out_root=tmp_path / "out", upload_dir=upload.root)
    assert list(view.table.columns) == TABLE_COLUMNS
    assert sorted(view.table["Agent"]) == ["Ana", "Ben", "Chloé"] == sorted(view.agents)
    ben = view.table.set_index("Agent").loc["Ben"]
    assert ben["Agent turns"] == 2 and ben["Flagged turns"] == 2 and ben["Flag rate %"] == 100.0
    assert view.table.set_index("Agent").loc["Chloé", "Flag rate %"] == 0.0
    assert set(view.agent_chart["agent"]) == {"Ana", "Ben", "Chloé"}
    assert list(view.family_chart["family"]) == ["Distancing", "Scripted apology", "Dead end"]
    assert "Scored 4 conversations from 1 file, 3 agents" in view.summary_html
    assert seen and seen[-1] == (4, 4)
    names = sorted(Path(p).name for p in view.downloads)
    assert names == ["report.html", "scorecards.csv", "scorecards.json"]
    html = worst_turns_html(view.out_dir, "Ben")
    assert "Worst turns: Ben" in html and "<mark" in html and "Conversation c3" in html
    assert "No flagged turns" in worst_turns_html(view.out_dir, "Chloé")


def test_scores_csv(upload, tmp_path):
    view = score_uploads([upload("transcripts.csv")], RULES, out_root=tmp_path / "out",
                         upload_dir=upload.root)
    assert sorted(view.agents) == ["Dev", "Eve"]


def test_malformed_rows_are_skipped_and_reported_by_file_name(upload, tmp_path):
    good = (DATA / "transcripts.jsonl").read_text(encoding="utf-8")
    f = upload("mixed.jsonl", good + "{not json}\n")
    view = score_uploads([f], RULES, out_root=tmp_path / "out", upload_dir=upload.root)
    assert len(view.agents) == 3
    assert "1 malformed" in view.summary_html and "mixed.jsonl" in view.summary_html
    assert str(upload.root) not in view.summary_html  # the temp path never shows


@pytest.mark.parametrize("files, words", [(None, "Upload a file first"),
                                          ([], "Upload a file first")])
def test_no_upload_is_a_clear_notice(files, words, upload, tmp_path):
    view = score_uploads(files, RULES, out_root=tmp_path / "out", upload_dir=upload.root)
    assert "rc-notice-error" in view.summary_html and words in view.summary_html
    assert view.table.empty and view.agents == []


def test_binary_upload_is_refused_by_name(upload, tmp_path):
    root = upload.root
    d = root / "bin"
    d.mkdir(parents=True)
    p = d / "chats.jsonl"
    p.write_bytes(b"\x00\x01\x02binary")
    view = score_uploads([str(p)], RULES, out_root=tmp_path / "out", upload_dir=root)
    assert "chats.jsonl" in view.summary_html and "binary" in view.summary_html
    assert str(root) not in view.summary_html


def test_scorecard_frames_from_plain_json():
    cards = {"agents": [{"agent": "A", "conversations": 1, "agent_turns": 4, "flagged_turns": 1,
                         "flag_rate": 0.25, "ownership_score": 80.0,
                         "families": {"distancing": 2, "scripted_apology": 0, "dead_end": 1},
                         "types": {"powerless": 2, "dead_end": 1}}]}
    table, agents, fams = scorecard_frames(cards)
    row = table.iloc[0]
    assert row["Flag rate %"] == 25.0 and row["Distancing /100 turns"] == 50.0
    assert row["Top problem"] == "Powerless"
    assert agents.to_dict("records") == [{"agent": "A", "flag_rate": 25.0}]
    assert fams.set_index("family").loc["Dead end", "flag_rate"] == 25.0
    json.dumps(table.to_dict())  # plain values the page can show


def _aged(path: Path, seconds: float) -> Path:
    import os
    import time

    t = time.time() - seconds
    os.utime(path, (t, t))
    return path


def test_score_deletes_turns_jsonl_and_result_folders_older_than_two_hours(upload, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old_score = out / "reply-coach-score-old"
    old_eval = out / "reply-coach-eval-old"
    for d in (old_score, old_eval):
        d.mkdir()
        (d / "turns.jsonl").write_text('{"text": "secret"}\n', encoding="utf-8")
        _aged(d, 7300)
    recent = out / "reply-coach-score-recent"
    recent.mkdir()
    _aged(recent, 600)
    other = out / "not-ours"
    other.mkdir()
    _aged(other, 99999)

    view = score_uploads([upload("transcripts.jsonl")], RULES, out_root=out,
                         upload_dir=upload.root)
    assert not old_score.exists() and not old_eval.exists()
    assert recent.exists() and other.exists() and Path(view.out_dir).exists()
    # the page needs only scorecards.json; every turn's text is not left on disk
    assert not (Path(view.out_dir) / "turns.jsonl").exists()
    assert "<mark" in worst_turns_html(view.out_dir, "Ben")


def test_evaluate_run_also_deletes_old_result_folders(tmp_path):
    from coach import Coach
    from coach.web.evaluate import run_eval

    out = tmp_path / "out"
    old = out / "reply-coach-score-old"
    old.mkdir(parents=True)
    _aged(old, 7300)
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    shutil.copy(DATA / "eval_small.jsonl", eval_dir / "test.jsonl")
    run_eval("test", None, Coach(RULES), out_root=out, eval_dir=eval_dir)
    assert not old.exists()


def test_worst_turns_come_only_from_scorecards_never_from_turns_jsonl(tmp_path):
    # an agent with no `worst` entries has no flagged turns; turns.jsonl (which may hold
    # U+2028 inside a string, written with ensure_ascii=False) is not read at all
    (tmp_path / "scorecards.json").write_text(json.dumps(
        {"agents": [{"agent": "Ann", "worst": []}, {"agent": "Bo"}]}), encoding="utf-8")
    (tmp_path / "turns.jsonl").write_text(json.dumps(
        {"agent": "Ann", "turn": 1, "text": "They did it\u2028nothing I can do.",
         "flags": [{"family": "distancing", "type": "powerless", "start": 0, "end": 4}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    for agent in ("Ann", "Bo", "Nobody"):
        assert "No flagged turns" in worst_turns_html(str(tmp_path), agent)


def test_agent_chart_angles_names_and_grows_when_there_are_many():
    from coach.web.score import AGENT_PLOT_HEIGHT, AGENT_PLOT_MAX_HEIGHT, agent_plot_layout

    few = agent_plot_layout(["Ana", "Ben", "Chloé"])
    assert few == {"height": AGENT_PLOT_HEIGHT, "x_label_angle": 0}
    eleven = [f"Agent {n} Surname" for n in "ABCDEFGHIJK"]
    many = agent_plot_layout(eleven)
    assert many["x_label_angle"] < 0 and many["height"] > AGENT_PLOT_HEIGHT
    one_long = agent_plot_layout(["Bartholomew Okonkwo-Smith"])
    assert one_long["x_label_angle"] < 0
    longer = agent_plot_layout([n + " the Third of Westmorland" for n in eleven])
    assert many["height"] < longer["height"] <= AGENT_PLOT_MAX_HEIGHT
    assert agent_plot_layout(["x" * 500] * 11)["height"] == AGENT_PLOT_MAX_HEIGHT
