"""tools/rewrite_grading.py: a later round grades only what changed, and its grades join the
earlier ones without a reader seeing a rewrite twice."""
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("rg", ROOT / "tools" / "rewrite_grading.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_make_skips_rewrites_graded_before_and_combine_keeps_the_latest(tmp_path, monkeypatch):
    rg = _tool()
    monkeypatch.setattr(rg, "ROUNDS", tmp_path / "rounds")
    old = _jsonl(tmp_path / "old-final.jsonl", [
        {"id": "rwA-001", "rewrite": "same as before", "grade": "B", "system": "s1"},
        {"id": "rwA-002", "rewrite": "changed later", "grade": "D", "system": "s1"}])
    rows = _jsonl(tmp_path / "rows.jsonl", [
        {"id": "rwA-001", "draft": "d1", "rewrite": "same as before"},
        {"id": "rwA-002", "draft": "d2", "rewrite": "a new rewrite"},
        {"id": "rwA-003", "draft": "d3", "rewrite": ""}])          # none offered: not graded
    monkeypatch.setattr(sys, "argv", ["rg", "make", "r9", f"{rows}=new", "--references", "0",
                                      "--shards", "1", "--skip-graded", str(old)])
    assert rg.main() == 0
    shard = [json.loads(l) for l in (tmp_path / "rounds" / "r9" / "shard-1.jsonl").open()]
    assert [r["rewrite"] for r in shard] == ["a new rewrite"]
    assert set(shard[0]) == {"item", "draft", "rewrite"}           # blind: no system, no id

    new = _jsonl(tmp_path / "new-final.jsonl", [
        {"id": "rwA-002", "rewrite": "a new rewrite", "grade": "A", "system": "new"},
        {"id": "rwA-002", "rewrite": "changed later", "grade": "C", "system": "s1"}])
    out = tmp_path / "all.jsonl"
    monkeypatch.setattr(sys, "argv", ["rg", "combine", str(out), str(old), str(new)])
    assert rg.main() == 0
    got = {(r["id"], r["rewrite"]): r["grade"] for r in map(json.loads, out.open())}
    assert got == {("rwA-001", "same as before"): "B", ("rwA-002", "changed later"): "C",
                   ("rwA-002", "a new rewrite"): "A"}
