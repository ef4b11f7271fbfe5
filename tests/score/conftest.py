import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "eval" / "score"


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def conv(cid: str, agent: str, *agent_texts: str, customer: str = "Hi, I need help.") -> dict:
    turns = []
    for t in agent_texts:
        turns += [{"role": "customer", "text": customer}, {"role": "agent", "text": t}]
    return {"conversation_id": cid, "agent": agent, "turns": turns}


@pytest.fixture
def small_jsonl(tmp_path):
    return write_jsonl(tmp_path / "small.jsonl", [
        conv("c1", "Ann", "They changed the billing system, nothing I can do.",
             "We apologize for any inconvenience."),
        conv("c2", "Bob", "I refunded it just now; you will see it within 3 days."),
        conv("c3", "Ann", "I've rebooked your delivery for tomorrow morning."),
    ])


def read_outputs(out: Path, names=("turns.jsonl", "scorecards.json", "scorecards.csv",
                                   "report.html")) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in names}
