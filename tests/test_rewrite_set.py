"""The graded rewrite set (eval/rewrite/): valid rows, references, and writer-disjoint splits."""
import json
from pathlib import Path

from coach.dataset import load_eval

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "eval" / "rewrite"


def rows(split):
    return [json.loads(l) for l in (DIR / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if l.strip()]


def test_set_is_large_flagged_and_split_by_writer():
    dev, test = rows("dev"), rows("test")
    assert len(dev) + len(test) >= 300
    assert {r["writer"] for r in dev}.isdisjoint({r["writer"] for r in test})
    for r in dev + test:
        assert r["spans"] and r["references"] and all(x.strip() for x in r["references"])
        assert all(m in r["text"] for m in r["must_keep"])
        assert not any(m.lower() in r["text"].lower() for m in r["must_not_add"])
    types = {t for r in dev + test for t in r["types"]}
    from coach.taxonomy import TYPE_NAMES

    assert types == set(TYPE_NAMES)


def test_set_loads_as_an_eval_file():
    for split in ("dev", "test"):
        golds = load_eval(DIR / f"{split}.jsonl")
        assert golds and all(g.types for g in golds)


def test_references_do_not_keep_the_problem_clause():
    for r in rows("dev") + rows("test"):
        assert not any(s["quote"].lower() in r["references"][0].lower() for s in r["spans"]), r["id"]


def test_rebuilding_gives_the_same_files(tmp_path, monkeypatch):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("brs", ROOT / "tools" / "build_rewrite_set.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    before = {s: (DIR / f"{s}.jsonl").read_bytes() for s in ("dev", "test")}
    out = tmp_path / "rewrite"
    (out / "writers").mkdir(parents=True)
    for p in (DIR / "writers").glob("*.jsonl"):
        (out / "writers" / p.name).write_bytes(p.read_bytes())
    monkeypatch.setattr(mod, "DIR", out)
    monkeypatch.setattr(sys, "argv", ["build_rewrite_set.py"])
    assert mod.main() == 0
    assert {s: (out / f"{s}.jsonl").read_bytes() for s in ("dev", "test")} == before
