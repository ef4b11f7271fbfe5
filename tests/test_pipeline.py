import pytest

from coach import Coach, CoachConfig, Flag
from coach.errors import ConfigError, InputError
from coach.pipeline import merge_flags


def mk(t, s, e, src="rules", sev="warning", rule="r", family="distancing"):
    return Flag(family, t, s, e, "", "m", "s", sev, src, rule=rule)


@pytest.mark.parametrize("text", [
    "Caf\u00e9 \U0001F600 \u2014 we apologize for any inconvenience this may have caused. \U0001F44D",
    "Ren\u00e9e, \u201cmy hands are tied\u201d is what you heard; honestly my hands are tied.",
    "Zo\u00eb \u2019s order \u2026 They\u2019ve changed the billing system, and that\u2019s above my pay grade.",
])
def test_offsets_exact_on_unicode(rules_coach, text):
    flags = rules_coach.check(text)
    assert flags
    for f in flags:
        assert text[f.start:f.end] == f.quote


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_empty_and_whitespace(rules_coach, text):
    assert rules_coach.check(text) == []


def test_one_megabyte_draft(rules_coach):
    unit = "Thanks for waiting. We apologize for any inconvenience. Your order #123 ships Monday. "
    text = unit * (1_000_000 // len(unit) + 1)
    flags = rules_coach.check(text)
    assert len(flags) == text.count("We apologize")
    assert all(text[f.start:f.end] == f.quote for f in flags)


def test_too_long_draft_is_clear_error():
    with pytest.raises(InputError, match="limit"):
        Coach(CoachConfig(max_chars=10)).check("x" * 11)


def test_non_string_draft(rules_coach):
    with pytest.raises(InputError, match="must be text"):
        rules_coach.check(b"bytes")


def test_unknown_detector():
    with pytest.raises(ConfigError, match="unknown detector"):
        Coach(CoachConfig(detectors=("nope",)))


def test_merge_same_family_overlap_keeps_best_supported_and_sources():
    a = mk("powerless", 0, 10, "rules", rule="a")
    b = mk("powerless", 5, 15, "embedding", rule="")
    c = mk("policy_wall", 8, 12, "rules", rule="c")
    merged = merge_flags([a, b, c])
    assert len(merged) == 1
    m = merged[0]
    assert m.type == "powerless" and (m.start, m.end) == (0, 15)
    assert m.source == "rules+embedding"


def test_merge_keeps_different_families_and_disjoint():
    a = mk("powerless", 0, 10)
    b = mk("dead_end", 5, 15, family="dead_end")
    c = mk("powerless", 20, 25)
    assert len(merge_flags([a, b, c])) == 3


def test_config_from_yaml(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("detectors: rules\nallowlist: [foo]\n")
    cfg = CoachConfig.from_yaml(p)
    assert cfg.detectors == ("rules",) and cfg.allowlist == ("foo",) and cfg.name == "c"
    p.write_text("bogus: 1\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        CoachConfig.from_yaml(p)


def test_merge_is_one_sweep_with_the_same_groups_as_a_pairwise_union():
    """Thousands of flags (a pasted transcript): the sweep finds the connected groups of
    overlapping same-family flags, as comparing every pair would, without doing so."""
    import random

    rng = random.Random(7)
    flags = []
    for i in range(3000):
        s = rng.randrange(0, 30000)
        fam, typ = rng.choice([("distancing", "powerless"), ("dead_end", "dead_end")])
        flags.append(Flag(fam, typ, s, s + rng.randrange(1, 40), "", "m", "s", "warning",
                          "rules", rule=f"r{i % 5}"))
    merged = merge_flags(flags)
    for fam in ("distancing", "dead_end"):
        mine = sorted((f.start, f.end) for f in flags if f.family == fam)
        union: list[list[int]] = []
        for s, e in mine:
            if union and s < union[-1][1]:
                union[-1][1] = max(union[-1][1], e)
            else:
                union.append([s, e])
        got = sorted((f.start, f.end) for f in merged if f.family == fam)
        assert got == [tuple(u) for u in union]


def _flag(text, quote, type_):
    from coach.taxonomy import TYPES

    a = text.index(quote)
    return Flag(TYPES[type_].family, type_, a, a + len(quote), quote, "m", "s", "warning", "tagger")


@pytest.mark.parametrize("text, quote, type_, cured", [
    # the rule, then its reason and what the agent does instead: the owned policy
    ("Our policy does not allow late fees to be waived. We set them because late payments cost "
     "us interest; what I can do is spread the balance over three months.",
     "Our policy does not allow late fees to be waived", "policy_wall", True),
    # the fallback's gap says the same, for the agent to fill in
    ("Our policy does not allow late fees to be waived. We have this rule because [the reason]; "
     "what I can do is [the best alternative].",
     "Our policy does not allow late fees to be waived", "policy_wall", True),
    # a reason alone leaves the customer at the wall
    ("Our policy does not allow late fees to be waived, because late payments cost us interest.",
     "Our policy does not allow late fees to be waived", "policy_wall", False),
    ("Our policy does not allow late fees to be waived. That's final.",
     "Our policy does not allow late fees to be waived", "policy_wall", False),
    # a limit with what the agent does instead no longer leaves the customer powerless
    ("I can't change the delivery slot once it's packed. What I can do is hold it at the depot.",
     "I can't change the delivery slot", "powerless", True),
    # "however" alone is no offer of the agent's
    ("We have no control over customs, however the date will be updated once it's released.",
     "We have no control over customs", "powerless", False),
    # a redirect with what the agent does about it is no longer "a hand-off with nothing owned"
    # (eval/GUIDELINES.md); the fallback's route gap asks for that step (coach/types/dead_end.yaml)
    ("You'll need to contact the courier. What I can do is note it on your account.",
     "You'll need to contact the courier", "dead_end", True),
    ("You'll need to contact the courier. What I can do to help is [what you will do to help "
     "with it].", "You'll need to contact the courier", "dead_end", True),
    # ... but a redirect with only sympathy after it still leaves the customer nowhere
    ("You'll need to contact the courier. Sorry about that.",
     "You'll need to contact the courier", "dead_end", False),
    ("You'll need to contact the courier, however they are usually quick.",
     "You'll need to contact the courier", "dead_end", False),
])
def test_explained_flags_are_dropped_whichever_detector_raised_them(text, quote, type_, cured):
    from coach.pipeline import explained
    from coach.text import DraftView

    got = explained(DraftView(text), [_flag(text, quote, type_)])
    assert (got == []) is cured
