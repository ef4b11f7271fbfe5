"""Checks of the real-message candidate pool (eval/real/pool.jsonl, built by
tools/build_real_pool.py; see eval/real/SOURCE.md).

Runs without the source data: ids, splits, filters and the reserved-text check against the committed
hashes. The checks that re-read the source data (reserved texts looked up afresh, byte-identical
rebuild) run when the sources are in $REPLY_COACH_REAL_SRC (default ~/.cache/reply-coach/real-src).
"""
import collections
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT / "eval" / "real" / "pool.jsonl"
HASHES = ROOT / "eval" / "real" / "reserved_sha256.txt"
RESERVED = Path(__file__).resolve().parents[2] / "shared" / "reserved-real-ids.txt"

_spec = importlib.util.spec_from_file_location("build_real_pool", ROOT / "tools" / "build_real_pool.py")
brp = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("build_real_pool", brp)  # dataclasses look their module up there
_spec.loader.exec_module(brp)

SRC = Path(os.environ.get("REPLY_COACH_REAL_SRC", brp.DEFAULT_SRC)).expanduser()
SRC_FILES = brp.SRC_TWCS + brp.SRC_TWEETSUMM_JSONL + (brp.SRC_TWEETSUMM_DIALOGS,)
HAVE_SRC = all((SRC / n).is_file() for n in SRC_FILES)
NO_SRC = (f"source data not found in {SRC} (set REPLY_COACH_REAL_SRC; fetch it as eval/real/SOURCE.md "
          f"says): reserved texts cannot be looked up, so only ids and the committed hashes are checked")


@pytest.fixture(scope="module")
def pool():
    return [json.loads(line) for line in POOL.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def reserved():
    if not RESERVED.is_file():
        pytest.skip(f"reserved list {RESERVED} not present on this machine")
    return brp.load_reserved(RESERVED)


def test_schema_size_and_unique_ids(pool):
    assert 1800 <= len(pool) <= 2000
    assert POOL.stat().st_size < 2_000_000
    keys = ["id", "text", "company", "context", "split", "source", "tweetsumm_ref", "thread"]
    for r in pool:
        assert list(r) == keys, r
        assert re.fullmatch(r"twcs:\d+", r["id"]), r["id"]
        assert r["text"].strip() and r["company"]
        assert r["source"] in ("twcs", "tweetsumm")
        assert r["tweetsumm_ref"] == "" or re.fullmatch(r"tweetsumm:[0-9a-f]{32}#\d+", r["tweetsumm_ref"])
        assert re.fullmatch(r"twcs:\d+|tweetsumm:[0-9a-f]{32}", r["thread"]), r["thread"]
    ids = [r["id"] for r in pool]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, key=lambda i: int(i.split(":")[1]))


def test_no_reserved_id(pool, reserved):
    res = set(reserved)
    assert not [r["id"] for r in pool if r["id"] in res]
    assert not [r["tweetsumm_ref"] for r in pool if r["tweetsumm_ref"] and r["tweetsumm_ref"] in res]


def test_no_reserved_text_committed_hashes(pool):
    kinds = collections.defaultdict(set)
    for line in HASHES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, h = line.split()
            kinds[kind].add(h)
    assert kinds["text"] and kinds["template"]
    assert not [r["id"] for r in pool if brp.sha(brp.normalise(r["text"])) in kinds["text"]]
    assert not [r["id"] for r in pool if brp.sha(brp.template_key(r["text"])) in kinds["template"]]


@pytest.mark.skipif(not HAVE_SRC, reason=NO_SRC)
def test_no_reserved_text_from_source(pool, reserved):
    tweets, stats = {}, {}
    brp.load_twcs([SRC / n for n in brp.SRC_TWCS], tweets, stats)
    ref_to_id = brp.load_tweetsumm([SRC / n for n in brp.SRC_TWEETSUMM_JSONL],
                                   SRC / brp.SRC_TWEETSUMM_DIALOGS, tweets, stats, set())
    ids, _, texts, templates, counts = brp.resolve_reserved(reserved, tweets, ref_to_id)
    assert counts["reserved_text_found_in_sources"] > 0
    assert not [r["id"] for r in pool if r["id"].split(":")[1] in ids]
    assert not [r["id"] for r in pool if brp.normalise(r["text"]) in texts]
    assert not [r["id"] for r in pool if brp.template_key(r["text"]) in templates]


def test_splits_valid_and_templates_do_not_straddle(pool):
    assert {r["split"] for r in pool} == set(brp.SPLITS)
    expected = brp.assign_splits([(r["id"], r["text"], r["thread"]) for r in pool])
    assert all(r["split"] == expected[r["id"]] for r in pool)
    by_template, by_thread = collections.defaultdict(set), collections.defaultdict(set)
    for r in pool:
        by_template[brp.template_key(r["text"])].add(r["split"])
        by_thread[r["thread"]].add(r["split"])
    assert not {t: s for t, s in by_template.items() if len(s) > 1}
    assert not {t: s for t, s in by_thread.items() if len(s) > 1}
    dev = sum(r["split"] == "real-dev" for r in pool) / len(pool)
    assert 0.5 <= dev <= 0.7


def test_filters_and_company_spread(pool):
    norms = [brp.normalise(r["text"]) for r in pool]
    assert len(norms) == len(set(norms)), "duplicate normalised text"
    assert all(brp.word_count(n) >= brp.MIN_WORDS for n in norms)
    per_template = collections.Counter(brp.template_key(r["text"]) for r in pool)
    assert max(per_template.values()) <= brp.MAX_TEMPLATE_COPIES
    per_company = collections.Counter(r["company"] for r in pool)
    assert max(per_company.values()) <= 0.12 * len(pool)
    assert len(per_company) >= 20


def test_normalise_strips_handles_urls_and_signoffs():
    a = "@115712 Please DM us so we can help. https://t.co/abc ^AB"
    b = "@998877  please dm us so we can help.\n-Becky"
    assert brp.normalise(a) == brp.normalise(b) == "please dm us so we can help"
    assert brp.template_key("Hi Lee, order 123 is on its way!") == brp.template_key(
        "Hi Sam, order 98 is on its way! -KC")


def test_assign_splits_keeps_groups_together():
    items = [(f"twcs:{i}", f"Thanks {n}, your ticket {i} is open and we will reply soon.", f"twcs:{i}")
             for i, n in [(1, "Ann"), (2, "Bob"), (3, "Cy")]]
    items += [("twcs:10", "Please restart the router and tell us which lights are on.", "twcs:99"),
              ("twcs:11", "Which plan are you on at the moment, and since when?", "twcs:99")]
    s = brp.assign_splits(items)
    assert s["twcs:1"] == s["twcs:2"] == s["twcs:3"]
    assert s["twcs:10"] == s["twcs:11"]


@pytest.mark.skipif(not HAVE_SRC, reason=NO_SRC.split(":")[0] + ": the rebuild needs it")
def test_rebuild_is_byte_identical(tmp_path, reserved):
    brp.main(["--src", str(SRC), "--out-dir", str(tmp_path), "--reserved", str(RESERVED)])
    for name in ("pool.jsonl", "pool_stats.json", "reserved_sha256.txt", "train-pool.jsonl"):
        assert (tmp_path / name).read_bytes() == (ROOT / "eval" / "real" / name).read_bytes(), name


def _rows(name):
    path = ROOT / "eval" / "real" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_training_messages_are_clear_of_reserved_and_of_real_test(reserved):
    """real-train (labelled once, for training only) holds no reserved message, no message of
    the pool, and nothing sharing a conversation or a template with real-test."""
    train = _rows("train-pool.jsonl")
    kinds = collections.defaultdict(set)
    for line in HASHES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, h = line.split()
            kinds[kind].add(h)
    res = set(reserved)
    assert not [r["id"] for r in train if r["id"] in res or r["tweetsumm_ref"] in res]
    assert not [r["id"] for r in train if brp.sha(brp.normalise(r["text"])) in kinds["text"]]
    assert not [r["id"] for r in train if brp.sha(brp.template_key(r["text"])) in kinds["template"]]
    pool = _rows("pool.jsonl")
    assert not {r["id"] for r in train} & {r["id"] for r in pool}
    test = [r for r in pool if r["split"] == "real-test"]
    assert not {r["thread"] for r in train} & {r["thread"] for r in test}
    assert not {brp.template_key(r["text"]) for r in train} & {brp.template_key(r["text"]) for r in test}
    labelled = _rows("real-train.jsonl")
    assert [r["id"] for r in labelled] and {r["id"] for r in labelled} <= {r["id"] for r in train}
