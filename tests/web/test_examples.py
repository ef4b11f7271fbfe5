"""The example drafts are verbatim from the dev set, and flagged/clean as their labels say."""
import json
from pathlib import Path

from coach.web.examples import EXAMPLES

EVAL = Path(__file__).resolve().parents[2] / "eval"


def dev_rows() -> dict:
    files = [EVAL / "dev.jsonl"] if (EVAL / "dev.jsonl").exists() else \
        sorted((EVAL / "parts").glob("dev_*.jsonl"))
    rows = {}
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows[r["id"]] = r
    return rows


def test_examples_come_from_the_dev_set():
    rows = dev_rows()
    assert rows, "no dev set found"
    for ex in EXAMPLES:
        assert ex.id in rows and rows[ex.id]["text"] == ex.text, ex.id


def test_examples_are_flagged_or_clean_as_labelled(rules_coach):
    kinds = {ex.label.split(":")[0] for ex in EXAMPLES}
    assert kinds == {"Flagged", "Clean"}
    for ex in EXAMPLES:
        flags = rules_coach.check(ex.text)
        assert bool(flags) == ex.label.startswith("Flagged"), (ex.id, [f.type for f in flags])
