import json
import subprocess
import sys

import pytest

from coach.cli import main


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "coach", *args], input=stdin, capture_output=True)


def test_check_text_human(capsys):
    assert main(["check", "My hands are tied."]) == 0
    out = capsys.readouterr().out
    assert "[[My hands are tied]]{powerless}" in out and "why:" in out and "try:" in out


def test_check_clean(capsys):
    assert main(["check", "Done - refund sent to your Visa today."]) == 0
    assert "No problems found" in capsys.readouterr().out


def test_check_stdin_and_jsonl_format():
    r = run("check", "-", "--format", "jsonl", stdin="We apologize for any inconvenience.".encode())
    assert r.returncode == 0
    flags = json.loads(r.stdout)["flags"]
    assert flags[0]["type"] == "scripted_apology" and "rules" in flags[0]["source"].split("+")
    assert set(flags[0]) == {"family", "type", "start", "end", "quote", "message", "suggestion", "severity", "source"}


def test_check_binary_stdin_is_clear_error():
    r = run("check", "-", stdin=b"\xff\xfe\x00\x01binary")
    assert r.returncode == 2
    assert b"binary" in r.stderr or b"UTF-8" in r.stderr


def test_check_invalid_utf8_stdin():
    r = run("check", "-", stdin="caf\u00e9".encode("latin-1"))
    assert r.returncode == 2 and b"not valid UTF-8" in r.stderr


def test_jsonl_in_out_preserves_order(tmp_path):
    inp = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": "My hands are tied.", "agent": "x"}, {"id": "b", "text": "All fixed!"},
            {"id": "c", "text": "Please check our FAQ."}]
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["check", "--input", str(inp), "--format", "jsonl", "--out", str(out)]) == 0
    got = [json.loads(l) for l in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["a", "b", "c"]
    assert got[0]["flags"][0]["type"] == "powerless" and got[1]["flags"] == []
    assert got[2]["flags"][0]["type"] == "dead_end"


@pytest.mark.parametrize("bad,msg", [
    ("{not json", "invalid JSON"),
    ('{"id": 2}', "field 'text'"),
    ('{"id": 2, "text": 7}', "must be a string"),
    ('[1, 2]', "expected a JSON object"),
])
def test_malformed_jsonl_names_line(tmp_path, capsys, bad, msg):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": 1, "text": "ok"}\n' + bad + "\n")
    assert main(["check", "--input", str(inp)]) == 2
    err = capsys.readouterr().err
    assert f"{inp}:2" in err and msg in err


def test_skip_bad_writes_error_row_and_goes_on(tmp_path, capsys):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": 1, "text": "ok"}\n{broken\n{"id": 3, "text": "My hands are tied."}\n')
    assert main(["check", "--input", str(inp), "--skip-bad"]) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"id": 1, "flags": []}
    assert lines[1]["line"] == 2 and "invalid JSON" in lines[1]["error"]
    assert lines[2]["flags"][0]["type"] == "powerless"


def test_missing_input_file(capsys):
    assert main(["check", "--input", "/nonexistent.jsonl"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_binary_input_file(tmp_path, capsys):
    p = tmp_path / "b.jsonl"
    p.write_bytes(b"\x00\x01\x02\x03" * 100)
    assert main(["check", "--input", str(p)]) == 2
    assert "binary" in capsys.readouterr().err


def test_eval_json_keys(tmp_path, capsys):
    p = tmp_path / "e.jsonl"
    p.write_text(json.dumps({"id": "1", "text": "My hands are tied.", "spans": [{"type": "powerless", "quote": "My hands are tied"}]}) + "\n"
                 + json.dumps({"id": "2", "text": "All done."}) + "\n")
    assert main(["eval", str(p), "--json", "--detectors", "rules"]) == 0
    res = json.loads(capsys.readouterr().out)
    for k in ("n", "micro", "family", "type", "clean_fp_rate", "hard", "span", "latency_ms"):
        assert k in res
    assert res["micro"]["f"] == 1.0 and res["n"] == 2


def test_eval_compare_detectors_twice(tmp_path, capsys):
    p = tmp_path / "e.jsonl"
    p.write_text(json.dumps({"id": "1", "text": "My hands are tied."}) + "\n")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("detectors: [rules]\n")
    b.write_text("detectors: [rules]\nallowlist: ['hands are tied']\n")
    assert main(["eval", str(p), "--compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "diff" in out and "clean FP rate" in out


def test_eval_rewrite_fallback_metrics(tmp_path, capsys):
    p = tmp_path / "e.jsonl"
    p.write_text(json.dumps({"id": "1", "text": "My hands are tied on order #4471.",
                             "spans": [{"type": "powerless", "quote": "My hands are tied"}],
                             "must_keep": ["#4471"], "must_not_add": ["full refund"]}) + "\n")
    assert main(["eval", str(p), "--rewrite", "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "rewrite" in out.lower() and "facts missing" in out and "problem clause kept" in out


def test_jsonl_line_separator_chars_inside_strings(tmp_path):
    """U+2028 and U+0085 are legal unescaped inside JSON strings; they must not split a row."""
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": 1, "text": "hi\u2028there, my hands are tied\u0085ok"}, ensure_ascii=False)
                   + "\r\n" + json.dumps({"id": 2, "text": "fine"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["check", "--input", str(inp), "--out", str(out)]) == 0
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").split("\n") if l]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["flags"][0]["type"] == "powerless"


NOTHING = "nothing to check"


@pytest.mark.parametrize("argv,stdin", [
    (["check", ""], None), (["check", " \n\t "], None), (["check", "-"], b""),
    (["check", "-"], b"  \n"), (["rewrite", ""], None), (["rewrite", "-", "--no-model"], b"\n"),
])
def test_empty_draft_is_nothing_to_check_everywhere(argv, stdin):
    """One behaviour for an empty draft: a clear 'nothing to check', exit 2, never the clean
    verdict ("No problems found") for a draft that was not there."""
    r = run(*argv, stdin=stdin if stdin is not None else b"")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert NOTHING in err and "Traceback" not in err
    assert b"No problems found" not in r.stdout


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
@pytest.mark.parametrize("command", ["check", "rewrite"])
def test_empty_input_file_is_nothing_to_check(tmp_path, capsys, content, command):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(content, encoding="utf-8")
    extra = ["--no-model"] if command == "rewrite" else []
    assert main([command, "--input", str(inp), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{inp}: {NOTHING}: the file has no drafts" in err
    assert not out.exists()


def test_blank_row_in_input_names_line_and_field(tmp_path, capsys):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"id": "a", "text": "My hands are tied."}\n{"id": "b", "text": "  "}\n',
                   encoding="utf-8")
    assert main(["check", "--input", str(inp)]) == 2
    assert f"{inp}:2: field 'text': {NOTHING}" in capsys.readouterr().err
