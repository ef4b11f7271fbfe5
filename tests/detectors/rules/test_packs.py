"""Every rule's own good/bad examples (proselint style): bad ones fire, good ones stay quiet."""
import pytest

from coach.detectors.rules.engine import RuleDetector, builtin_pack_paths, load_pack, strict_rules
from coach.text import DraftView

CHECK_RULES = [r for p in builtin_pack_paths() for r in load_pack(p)]
RULES = CHECK_RULES + list(strict_rules())   # the strict pack's examples are held to the same


def test_every_type_has_a_pack():
    from coach.taxonomy import TYPE_NAMES

    assert {p.stem for p in builtin_pack_paths()} == set(TYPE_NAMES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_examples(rule):
    assert rule.bad, f"{rule.id} has no bad examples"
    assert rule.good, f"{rule.id} has no good examples"


@pytest.mark.parametrize("rule,text", [(r, t) for r in RULES for t in r.bad],
                         ids=lambda x: getattr(x, "id", str(x)[:40]))
def test_bad_example_fires(rule, text):
    flags = list(rule.matches(DraftView(text)))
    assert flags, f"{rule.id} should flag: {text!r}"
    for f in flags:
        assert f.type == rule.type
        assert text[f.start:f.end] == f.quote


@pytest.mark.parametrize("rule,text", [(r, t) for r in RULES for t in r.good],
                         ids=lambda x: getattr(x, "id", str(x)[:40]))
def test_good_example_is_quiet(rule, text):
    flags = list(rule.matches(DraftView(text)))
    assert not flags, f"{rule.id} should not flag {text!r}: {[f.quote for f in flags]}"


def test_the_strict_pack_is_not_run_by_check():
    ids = {r.id for r in RuleDetector().rules}
    assert ids and not ids & {r.id for r in strict_rules()}


def test_a_case_sensitive_rule_reads_the_drafts_own_case():
    owners = next(r for r in strict_rules() if r.case_sensitive)
    assert list(owners.matches(DraftView("It's IT's problem.")))
    assert not list(owners.matches(DraftView("it's a problem")))


def test_rule_ids_unique():
    RuleDetector()  # raises on duplicates
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
