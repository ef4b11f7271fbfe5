"""`reply-coach rewrite` / `eval-rewrite` end to end with --no-model (fast, no model load)."""
import json

from coach.cli import main


def test_rewrite_one_draft_no_model(capsys):
    rc = main(["rewrite", "--no-model", "--format", "jsonl",
               "Hi Sam, the warehouse lost order #A-5512, nothing I can do."])
    assert rc == 0
    row = json.loads(capsys.readouterr().out)
    assert set(row) == {"id", "rewrite", "source", "checks", "latency_ms"}
    assert set(row["checks"]) == {"flags_left", "facts_missing", "promises_added", "owns_problem"}
    # the edit owns the loss and ends with the owned hand-off, naming the team the draft names
    assert row["source"] == "transform" and "#A-5512" in row["rewrite"]
    assert "nothing I can do" not in row["rewrite"] and "[" not in row["rewrite"]
    assert "I'll pass this to our warehouse team" in row["rewrite"]


def test_rewrite_jsonl_in_order_with_bad_row(tmp_path, capsys):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "text": "They lost it, not my problem."}\n'
                   '{"id": "b"}\n'
                   '{"id": "c", "text": "We apologise for any inconvenience."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["rewrite", "--no-model", "--input", str(inp), "--out", str(out)]) == 2
    assert "in.jsonl:2: field 'text'" in capsys.readouterr().err
    assert main(["rewrite", "--no-model", "--input", str(inp), "--out", str(out),
                 "--skip-bad"]) == 0
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"] and "error" in rows[1]


def test_rewrite_empty_draft_is_an_error(capsys):
    assert main(["rewrite", "--no-model", "   "]) == 2
    assert "empty" in capsys.readouterr().err


def test_eval_rewrite_no_model(tmp_path, capsys):
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps({"id": "1", "text": "The courier lost order #77 on 3 May, not us.",
                             "spans": [{"type": "blame_shifting", "quote": "The courier lost order #77 on 3 May, not us"}],
                             "must_keep": ["#77", "3 May"], "must_not_add": ["refund"]}) + "\n"
                 + json.dumps({"id": "2", "text": "I've refunded you.", "spans": []}) + "\n")
    assert main(["eval-rewrite", str(f), "--no-model", "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["n"] == 1 and m["facts_missing"] == 0.0 and m["offers_added"] == 0.0
    assert m["sources"] == {"fallback": 1}
    # the template asks the agent to fill [gaps]: the proxies count it as not ready to send
    assert m["placeholders"] == 1.0 and m["proxy_pass"] == 0.0
