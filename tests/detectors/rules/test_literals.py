"""The rules' free prefilter: the strings a pattern cannot match without (literals.py)."""
import json
import re

import pytest
from hypothesis import given, settings, strategies as st

from coach.detectors.rules.engine import RuleDetector, load_pack, strict_rules, builtin_pack_paths
from coach.detectors.rules.literals import required
from coach.text import DraftView
from tests.conftest import ROOT


def _req(p: str) -> set[str] | None:
    got = required(re.compile(p))
    return None if got is None else set(got)


def test_required_strings_of_small_patterns():
    assert _req(r"\bsorry\b") == {"sorry"}
    assert _req(r"\b(?:they|them)\s+said\b") == {"said"}           # the longest run wins
    assert _req(r"\b(?:they|them)\b") == {"they", "them"}           # a class of letters joins
    # long strings stand for their longest word, where it is long enough to be rare
    assert _req(r"my hands are (?:tied|bound)") == {"hands"}
    assert _req(r"\bi did not cause (?:it|that|this)\b") == {"cause"}
    assert _req(r"\bnot (?:on|at) (?:us|me)\b") == {"not on us", "not on me", "not at us",
                                                      "not at me"}
    assert _req(r"(?:polic(?:y|ies)|rules?)\s+(?:say|says)") == {"policy", "policies", "rule"}
    assert _req(r"a+b") == {"a"}                                    # a repeat of at least one
    assert _req(r"(?:please\s+)?wait") == {"wait"}                  # an optional part gives nothing
    assert _req(r"(?=sorry)\w+") is None                            # lookarounds give nothing
    assert _req(r"[a-z]+ing\b|\bno\b") == {"ing", "no"}
    assert _req(r"x|\w+") is None                                   # one branch without words
    assert _req(r"(?i)sorry") is None                               # case-blind: no promise


def _rules():
    rules = [r for p in builtin_pack_paths() for r in load_pack(p)] + list(strict_rules())
    return rules


@pytest.fixture(scope="module")
def texts():
    out = []
    for rel in ("eval/dev.jsonl", "eval/train_extra.jsonl", "eval/real/real-dev.jsonl",
                "eval/rewrite/dev.jsonl"):
        out += [json.loads(l)["text"] for l in open(ROOT / rel, encoding="utf-8") if l.strip()]
    for r in _rules():
        out += r.bad + r.good
    return out


def test_every_match_of_every_rule_holds_one_of_its_strings(texts):
    """Sound on real use: over the evaluation drafts and every pack example, each match of each
    rule (strict pack included) contains one of the strings its prefilter looks for."""
    rules = [r for r in _rules() if r.needs]
    assert len(rules) > 50
    seen = 0
    for t in texts:
        v = DraftView(t)
        for r in rules:
            text = v.masked if r.case_sensitive else v.low
            for m in r.pattern.finditer(text):
                if m.end() > m.start():
                    seen += 1
                    assert any(s in text[m.start():m.end()] for s in r.needs), (r.id, m.group(0))
    assert seen > 1000


def test_the_prefilter_changes_no_flag(texts):
    det = RuleDetector()
    plain = RuleDetector()
    for r in plain.rules:
        r.needs = None
    for t in texts[:1500]:
        v1, v2 = DraftView(t), DraftView(t)
        assert [(f.rule, f.start, f.end) for f in det.detect(v1)] == \
            [(f.rule, f.start, f.end) for f in plain.detect(v2)]


_DET = RuleDetector()
_WORDS = ["sorry", "they", "policy", "can't", "help", "the", "team", "wait", "refund", "not",
          "our", "fault", "warehouse", "my", "hands", "are", "tied", "rules", "nothing", "do",
          "FAQ", "please", "contact", "we", "I", "inconvenience", "caused", ".", ",", "!", "\n"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40))
def test_random_word_salad_matches_hold_the_strings(words):
    v = DraftView(" ".join(words))
    for r in _DET.rules:
        if not r.needs:
            continue
        text = v.masked if r.case_sensitive else v.low
        for m in r.pattern.finditer(text):
            if m.end() > m.start():
                assert any(s in m.group(0) for s in r.needs), (r.id, m.group(0))

