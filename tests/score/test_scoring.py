"""Per-turn flags through the shared pipeline, the ownership score, and per-agent roll-ups."""
import pytest

from coach.score.model import Conversation, Skipped, Turn
from coach.score.readers import read_path
from coach.score.scoring import Aggregator, score_items, turn_penalty
from tests.score.conftest import EVAL


def f(severity, family="distancing", type_="they_language"):
    return {"severity": severity, "family": family, "type": type_, "start": 0, "end": 1,
            "quote": "x"}


@pytest.mark.parametrize("flags, penalty", [
    ([], 0.0), ([f("info")], 1 / 3), ([f("warning")], 2 / 3), ([f("error")], 1.0),
    ([f("warning"), f("warning")], 1.0), ([f("info"), f("info")], 2 / 3),
])
def test_turn_penalty_follows_documented_weights(flags, penalty):
    assert turn_penalty(flags) == pytest.approx(penalty)


def test_score_items_uses_the_shared_pipeline_and_keeps_order(rules_coach):
    text = "They changed the billing system, nothing I can do."
    c = Conversation("c1", "Ann", [Turn("customer", "hi"), Turn("agent", text, "Ann"),
                                   Turn("agent", "I've refunded you.", "Ben")], "f.jsonl", 3, 0)
    s = Skipped("f.jsonl", 4, "bad", "c2", 1)
    recs = score_items(rules_coach, [c, s])
    assert [r["kind"] for r in recs] == ["conversation", "skipped"]
    turns = recs[0]["agent_turns"]
    assert [(t["turn"], t["agent"]) for t in turns] == [(1, "Ann"), (2, "Ben")]
    assert turns[0]["flags"] == [fl.to_dict() for fl in rules_coach.check(text)]
    assert turns[0]["flags"] and all(t["text"][x["start"]:x["end"]] == x["quote"]
                                     for t in turns for x in t["flags"])


def test_too_long_turn_becomes_a_skipped_record_naming_the_turn():
    from coach import Coach, CoachConfig

    coach = Coach(CoachConfig(detectors=("rules",), max_chars=20))
    ok = Conversation("ok", "A", [Turn("agent", "short", "A")], "f.jsonl", 1, 0)
    long = Conversation("long", "A", [Turn("customer", "x" * 50), Turn("agent", "fine", "A"),
                                      Turn("agent", "y" * 30, "A")], "f.jsonl", 2, 1)
    recs = score_items(coach, [ok, long])
    assert recs[0]["kind"] == "conversation"
    assert recs[1]["kind"] == "skipped" and "f.jsonl:2: field 'turns[2].text'" in recs[1]["error"]


def _rec(seq, cid, turns):
    return {"kind": "conversation", "seq": seq, "conversation_id": cid, "agent": turns[0][0],
            "source": "s", "line": seq + 1, "turns": 2 * len(turns),
            "agent_turns": [{"turn": 2 * i + 1, "agent": a, "text": "t" * 10, "flags": fl}
                            for i, (a, fl) in enumerate(turns)]}


def test_aggregator_counts_rates_scores_and_ranks():
    agg = Aggregator()
    agg.add(_rec(0, "c1", [("A", []), ("B", [f("error", "distancing", "blame_shifting")])]))
    agg.add(_rec(1, "c2", [("A", [f("info", "scripted_apology", "scripted_apology")])]))
    agg.add({"kind": "skipped", "seq": 2, "source": "s", "line": 3, "conversation_id": "c3",
             "error": "s:3: bad"})
    agg.add(_rec(3, "c4", [("C", [])]))
    cards = {c["agent"]: c for c in agg.scorecards()}
    a, b = cards["A"], cards["B"]
    assert (a["conversations"], a["agent_turns"], a["flagged_turns"], a["flags"]) == (2, 2, 1, 1)
    assert a["flag_rate"] == 0.5 and a["ownership_score"] == round(100 * (1 - (1 / 3) / 2), 1)
    assert a["families"]["scripted_apology"] == 1 and a["types"]["scripted_apology"] == 1
    assert b["ownership_score"] == 0.0 and b["worst"][0]["conversation_id"] == "c1"
    assert [c["agent"] for c in agg.scorecards()] == ["C", "A", "B"]
    assert [c["rank"] for c in agg.scorecards()] == [1, 2, 3]
    s = agg.summary()
    assert (s["conversations"], s["agents"], s["agent_turns"], s["skipped"]) == (3, 3, 4, 1)
    assert s["skipped_records"][0]["line"] == 3
    assert sum(s["score_histogram"]["counts"]) == 3


def test_worst_examples_are_worst_first_and_bounded():
    agg = Aggregator()
    for i in range(40):
        sev = "error" if i % 10 == 0 else "info"
        agg.add(_rec(i, f"c{i}", [("A", [f(sev)])]))
    worst = agg.scorecards()[0]["worst"]
    assert len(worst) == 5
    assert [w["conversation_id"] for w in worst[:4]] == ["c0", "c10", "c20", "c30"]
    assert len(agg.worst_turns("A")) == 25


def test_mixed_eval_set_ranks_the_weaker_agents_last(rules_coach):
    """eval/score/conversations.jsonl: five agents answer the same eight customer scenarios;
    Kevin (distancing) and Rhonda (stock apologies, policy walls, dead ends) are written weak."""
    items = read_path(str(EVAL / "conversations.jsonl"))
    for i, it in enumerate(items):
        it.seq = i
    agg = Aggregator()
    for rec in score_items(rules_coach, items):
        agg.add(rec)
    order = [c["agent"] for c in agg.scorecards()]
    assert set(order[-2:]) == {"Kevin", "Rhonda"}
    assert set(order[:2]) == {"Priya", "Marco"}
    assert order[2] == "Dana"


def test_too_long_csv_turn_is_reported_at_its_own_row_and_text_column(tmp_path):
    from coach import Coach, CoachConfig

    p = tmp_path / "t.csv"
    p.write_text("conv,who,role,body\nc1,Ann,customer,hi\nc1,Ann,agent,fine\n"
                 f"c1,Ann,agent,{'y' * 30}\n", encoding="utf-8")
    items = read_path(str(p), {"conversation_id": "conv", "agent": "who", "text": "body"})
    coach = Coach(CoachConfig(detectors=("rules",), max_chars=20))
    (rec,) = score_items(coach, items)
    assert rec["kind"] == "skipped" and rec["line"] == 2
    assert "t.csv:4: field 'body'" in rec["error"]
