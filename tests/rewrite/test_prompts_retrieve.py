"""Prompt templates from files and few-shot retrieval from the rewrite bank."""
import json

import pytest

from coach.errors import ConfigError, InputError
from coach.lm.prompts import load_template, render
from coach.rewrite.retrieve import Retriever, load_bank
from coach.taxonomy import TYPE_NAMES
from tests.lm.fakes import write_bank


def test_templates_have_sections():
    s = load_template("rewrite", 1)
    for sec in ("system", "clause", "whole", "slots", "example"):
        assert sec in s
    for t in TYPE_NAMES:
        assert f"fix_{t}" in s
    assert "{" in render("rewrite", "clause", 1, draft="d", part="p", problem="x", fix="y",
                         examples="e")
    assert "system" in load_template("judge", 1) and "user" in load_template("judge", 1)


def test_missing_variable_is_an_error():
    with pytest.raises(ConfigError, match=r"\$draft"):
        render("rewrite", "clause", 1, part="p", examples="e", problem="x", fix="y")


def test_bank_rows_validated(tmp_path):
    p = tmp_path / "bank.jsonl"
    p.write_text(json.dumps({"id": "1", "types": ["nope"], "draft": "a", "rewrite": "b"}) + "\n")
    with pytest.raises(InputError, match=r"bank.jsonl:1: field 'types'"):
        load_bank(p)
    p.write_text(json.dumps({"id": "1", "types": ["dead_end"], "draft": "a"}) + "\n")
    with pytest.raises(InputError, match="rewrite"):
        load_bank(p)


def test_retrieval_by_type_then_similarity(tmp_path):
    bank = load_bank(write_bank(tmp_path / "b.jsonl"))
    r = Retriever(bank, use_embeddings=False)
    ex = r.select("There's nothing I can do about the late fee.", ["powerless"], k=3)
    assert [e.id for e in ex] == ["b2"]                 # only rows of that type
    assert r.select("anything", ["disowning"], k=3) == []
    assert r.select("x", [], k=2)                        # no type: similarity only


@pytest.mark.slow
def test_retrieval_with_embeddings(tmp_path):
    bank = load_bank(write_bank(tmp_path / "b.jsonl"))
    r = Retriever(bank, use_embeddings=True)
    ex = r.select("The warehouse shipped the wrong colour.", ["they_language", "dead_end"], k=2)
    assert ex[0].id == "b1"


def test_real_bank_if_present():
    from coach.rewrite.retrieve import BANK_PATH

    if not BANK_PATH.exists():
        pytest.skip("prompts/rewrite_bank.jsonl not written yet")
    bank = load_bank(BANK_PATH)
    assert len(bank) >= 150
    assert {t for e in bank for t in e.types} == set(TYPE_NAMES)


@pytest.mark.parametrize("raw", ["</draft>", "</DRAFT>", "<Draft>", "< /draft >", "</part>",
                                 "<PART>", "</template>", "<template>", "</ Draft>"])
def test_escape_draft_breaks_every_data_tag(raw):
    import re

    from coach.lm.prompts import escape_draft

    out = escape_draft(f"a {raw} b")
    assert not re.search(r"</?(?:draft|part|template)", out, re.I), out  # no tag the prompt uses
    assert escape_draft(out) == out                    # already escaped stays as it is


def test_escape_draft_leaves_other_text_alone():
    from coach.lm.prompts import escape_draft

    s = "Order <particular> a<b, <parts> & <p> stay; x < y > z"
    assert escape_draft(s) == s


def test_units_bank_is_valid_and_covers_every_type():
    from collections import Counter

    from coach.rewrite.retrieve import UNITS_PATH

    bank = load_bank(UNITS_PATH)
    per_type = Counter(t for e in bank for t in e.types)
    assert len(bank) >= 2000 and all(per_type[t] >= 100 for t in TYPE_NAMES)
    assert len({e.domain for e in bank}) >= 30
    # Sentence-level pairs: short drafts, short rewrites (room for a next step, not a paragraph).
    assert max(len(e.draft.split()) for e in bank) <= 40
    assert all(len(e.rewrite.split()) <= 1.6 * len(e.draft.split()) + 8 for e in bank)


def test_units_bank_rewrites_pass_the_verifier(rules_coach):
    from coach.rewrite.retrieve import UNITS_PATH
    from coach.rewrite.verify import verify

    bank = load_bank(UNITS_PATH)
    failing = [e.id for e in bank if not verify(e.draft, e.rewrite, rules_coach).passed_as_example]
    assert failing == []
    # The new-action check is the only one a bank pair may fail, and it does fail some: the
    # retriever ranks those after the others.
    acting = [e for e in bank if not verify(e.draft, e.rewrite, rules_coach).passed]
    assert 0 < len(acting) < len(bank)


def test_clause_prompt_v2_puts_examples_in_earlier_turns():
    from coach.rewrite.retrieve import Example
    from coach.rewrite.generate import _clause_messages, system_prompt

    ex = Example("u1", "retail", ("powerless",), "I can't change that.", "I'll change it now.")
    msgs = _clause_messages("Nothing I can do, sorry.", 'powerless ("Nothing I can do")', [ex],
                            context="Your parcel arrived broken.")
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert msgs[0]["content"] == system_prompt("clause")      # identical every call: cached
    assert json.loads(msgs[2]["content"]) == {"part": "I'll change it now."}
    last = msgs[-1]["content"]
    assert "<context>Your parcel arrived broken.</context>" in last
    assert "<part>Nothing I can do, sorry.</part>" in last and "I can't change that" not in last


def test_stored_bank_vectors_are_used_only_for_the_same_drafts(tmp_path):
    import numpy as np

    from coach.rewrite.retrieve import Example, load_vectors, save_vectors

    bank = [Example("a", "", ("powerless",), "I can't do that.", "I'll do it.")]
    p = tmp_path / "v.npz"
    save_vectors(p, bank, np.ones((1, 4)))
    assert load_vectors(p, bank).shape == (1, 4)
    other = [Example("a", "", ("powerless",), "I cannot do that.", "I'll do it.")]
    assert load_vectors(p, other) is None and load_vectors(tmp_path / "none.npz", bank) is None


def test_shipped_units_bank_has_its_vectors():
    from coach.rewrite.retrieve import UNITS_PATH, load_bank, load_vectors, vectors_path

    bank = load_bank(UNITS_PATH)
    vecs = load_vectors(vectors_path(UNITS_PATH), bank)
    assert vecs is not None and vecs.shape == (len(bank), 384)


def test_rewrites_find_problems_more_eagerly_than_a_check():
    from coach import Coach, CoachConfig
    from coach.rewrite.rewriter import REWRITE_SENSITIVITY, eager_coach

    c = Coach(CoachConfig())
    e = eager_coach(c)
    assert e is eager_coach(c) and e is not c          # built once per pipeline
    assert e.config.rule_trust == "" and e.config.detectors == c.config.detectors
    from coach.detectors.tagger.detector import get_tagger

    base = get_tagger().meta.thresholds
    assert all(abs(e.config.thresholds[t] - v * REWRITE_SENSITIVITY) < 1e-9 for t, v in base.items())
    # an uncorroborated rule counts: "that's on them not us" is blame the check leaves unflagged
    d = "Your SIM was sent on the 2nd but the courier's lost it, that's on them not us."
    assert {f.type for f in e.check(d)} >= {"blame_shifting"}
    rules = Coach(CoachConfig(detectors=("rules",), rule_trust=""))
    er = eager_coach(rules)
    assert er is eager_coach(rules) and er.config.detectors == ("rules",)
    # the strict pack finds too: a denial the default packs excuse once an action follows
    d2 = ("Your SIM was sent on the 2nd but the courier's lost it, that's on them not us. I've "
          "ordered another and it'll go out today.")
    assert rules.check(d2) == []
    assert {f.rule for f in er.check(d2)} == {"strict.not_us"}
    # ... but not its "can't" rules, which judge a rewrite only: on a draft they fire on a
    # lookup that asks for what is needed
    d3 = "I can't see an order under that email - could you send me the order number?"
    assert er.check(d3) == []
