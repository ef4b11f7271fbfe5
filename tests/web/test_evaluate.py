"""The Evaluate handler over coach.dataset / coach.evaluate."""
import json
import shutil
from pathlib import Path

import pytest

from coach.web.evaluate import UPLOAD, bundled_sets, eval_choices, run_eval

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def uploaded(tmp_path):
    root = tmp_path / "gradio"
    (root / "h1").mkdir(parents=True)
    p = root / "h1" / "eval_small.jsonl"
    shutil.copy(DATA / "eval_small.jsonl", p)
    return root, p


def test_uploaded_set_gives_metrics_chart_errors_and_json(rules_coach, uploaded, tmp_path):
    root, p = uploaded
    view = run_eval(UPLOAD, str(p), rules_coach, out_root=tmp_path / "out", upload_dir=root)
    assert "eval_small.jsonl: 8 drafts (3 clean)" in view.summary_html
    names = list(view.table["Name"])
    assert names[:3] == ["Distancing", "Scripted apology", "Dead end"]
    assert "hard subset micro" in names and "span overlap" in names
    assert list(view.chart.columns) == ["type", "F1", "family"] and len(view.chart) == 7
    assert "fixture-false-alarm" in view.errors_html
    assert "False alarm: Scripted apology" in view.errors_html
    assert "Missed: Dead end" in view.errors_html
    saved = json.loads(Path(view.json_path).read_text())
    assert saved["n"] == 8 and saved["file"] == "eval_small.jsonl" and saved["config"] == "rules"
    assert {"micro", "family", "type", "clean_fp_rate", "hard", "span"} <= set(saved)


def test_bundled_set_choice(rules_coach, tmp_path):
    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    shutil.copy(DATA / "eval_small.jsonl", eval_dir / "test.jsonl")
    assert set(bundled_sets(eval_dir)) == {"test"}
    assert [v for _l, v in eval_choices(eval_dir)] == ["test", UPLOAD]
    view = run_eval("test", None, rules_coach, out_root=tmp_path / "out", eval_dir=eval_dir)
    assert "eval/test.jsonl: 8 drafts" in view.summary_html
    missing = run_eval("dev", None, rules_coach, out_root=tmp_path / "out", eval_dir=eval_dir)
    assert "not installed" in missing.summary_html and missing.json_path is None


def test_bad_eval_file_names_the_line_and_field(rules_coach, tmp_path):
    root = tmp_path / "gradio"
    (root / "h").mkdir(parents=True)
    p = root / "h" / "mine.jsonl"
    p.write_text('{"id": "a", "text": "hi"}\n{"id": "b", "text": "yo", "spans": '
                 '[{"type": "nope", "quote": "yo"}]}\n', encoding="utf-8")
    view = run_eval(UPLOAD, str(p), rules_coach, out_root=tmp_path / "out", upload_dir=root)
    assert "mine.jsonl:2: field &#x27;spans[0].type&#x27;" in view.summary_html
    assert str(root) not in view.summary_html
    none = run_eval(UPLOAD, None, rules_coach, out_root=tmp_path / "out", upload_dir=root)
    assert "Upload an eval file" in none.summary_html
