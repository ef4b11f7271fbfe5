"""One lexicon, read by the rules, the "they" conditions and the ownership edits.

The point of keeping the words once is that the parts cannot drift: whatever the rules call one
of our teams, the edit can make "we", and whatever the customer's side names, no condition
takes for the company.
"""
from __future__ import annotations

import re

import pytest

from coach import Coach, CoachConfig, lexicon
from coach.detectors.rules import conditions
from coach.errors import RulePackError
from coach.rewrite import edits
from coach.text import DraftView

LEX = lexicon.load()
PLAIN = re.compile(r"^[a-z]+$")


def test_every_list_and_macro_compiles():
    for name in list(LEX.words) + list(LEX.macros):
        re.compile(LEX.pattern(name), re.I)
    assert "kitchen" in lexicon.words("OUR_TEAMS")


def test_a_list_and_a_macro_of_one_name_is_an_error(tmp_path):
    bad = tmp_path / "lex.yaml"
    bad.write_text("words:\n  X: [a]\nmacros:\n  X: 'b'\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="both a word list and a macro"):
        lexicon.load(str(bad))


def test_an_unknown_name_says_which_are_known():
    with pytest.raises(KeyError, match="OUR_TEAMS"):
        lexicon.pattern("NO_SUCH_LIST")


@pytest.fixture(scope="module")
def rules():
    return Coach(CoachConfig(detectors=("rules",)))


def test_the_kitchen_case_is_flagged_and_fixed(rules):
    draft = "The kitchen decides what goes on the menu."
    assert [f.type for f in rules.check(draft)] == ["they_language"]
    assert edits.swap_org(draft) == "We decide what goes on the menu."


@pytest.mark.parametrize("team", [w for w in lexicon.words("OUR_TEAMS") + lexicon.words("TEAM_PREFIXES")
                                  if re.fullmatch(r"[a-z ]+", w)])
def test_every_team_the_rules_know_the_edit_can_own(team):
    subject = re.compile(rf"^(?:{LEX.pattern('ORG_SUBJ')})\b", re.I)
    sentence = f"The {team} team decided to change it."
    assert subject.match(sentence.lower()), team
    assert edits.swap_org(sentence) == "We decided to change it.", team
    assert edits.swap_org(f"It was changed by our {team} team.") == "It was changed by us.", team


@pytest.mark.parametrize("boss", [w for w in lexicon.words("HIGHER_UPS") if re.fullmatch(r"[a-z ]+", w)])
def test_the_higher_ups_the_rules_know_become_we(boss):
    assert edits.swap_org(f"The {boss} decided to change it.") == "We decided to change it.", boss


@pytest.mark.parametrize("sentence", [
    "The shipping line has delayed your car by a week.",    # "shipping" names no team here
    "The engineering contractors book their own slots.",    # a noun phrase, not a subject
    "Regards, Claims Review",
    "The payments are working normally again now.",          # a plural name is a plural noun
    "The card team is not responding to us.",                # "we ... to us" contradicts itself
    "Billing told me they added it.",                         # "we told me"
    "The Samsung repair team decides that.",                  # a partner's team, by its name
])
def test_what_the_edit_must_not_make_we(sentence):
    assert edits.swap_org(sentence) is None


@pytest.mark.parametrize("sentence,owned", [
    # what our team reports doing is what we do (not "we say we're on it")
    ("The network lot say they're on it.", "We're on it."),
    ("The tours desk said they'd try to move you to the 16th.", "We'll try to move you to the 16th."),
    ("the billing team said they would refund it.", "we will refund it."),
    # a guess stays a guess
    ("The network crew reckon they'll flush the main tomorrow.", "We should flush the main tomorrow."),
    # a team named in two words
    ("The trust & safety folks pulled the listing.", "We pulled the listing."),
])
def test_what_our_teams_say_or_do_becomes_we(sentence, owned):
    assert edits.swap_org(sentence) == owned


@pytest.mark.parametrize("noun", [w for w in lexicon.words("CUSTOMER_SIDE") + lexicon.words("THIRD_PARTIES")
                                  if PLAIN.match(w)][::7])
def test_they_after_the_customers_side_is_never_the_company(noun):
    v = DraftView(f"The {noun} came in late and they are on the way now.")
    m = re.search(r"\bthey\b", v.masked)
    assert conditions.they_refers_to_company(v, m) is False, noun


def test_words_both_sides_use_are_evidence_for_neither():
    shared = set(lexicon.words("OUR_TEAMS")) & set(lexicon.words("CUSTOMER_SIDE"))
    assert "payments" in shared
    v = DraftView("The payments went through and they show on your statement.")
    m = re.search(r"\bthey\b", v.masked)
    assert conditions.they_refers_to_company(v, m) is False


def test_chat_contractions_read_cant_and_dont_as_the_refusals_they_are():
    import re

    from coach import lexicon

    r = lexicon.compile(r"\b(?:can't|cannot) (?:change|refund)\b", re.I)
    assert r.search("sorry i cant refund it") and r.search("I can't change it")
    anyc = lexicon.compile(r"(?:\bnot|n't)\s+be\s+returned\b", re.I)
    assert anyc.search("opened software cant be returned") and anyc.search("it isn't be returned")
    assert not anyc.search("the payment be returned") and not anyc.search("want be returned")
    word = lexicon.compile(r"\b\w+n't\b", re.I)                        # never "payment", "went"
    assert word.search("we dont") and not word.search("the payment went through")
    assert lexicon.chat_contractions(r"[n't]") == r"[n't]"              # a class is left alone
    assert lexicon.compile(r"(?<!n't)x").search("x")                    # a look-behind: as written


def test_the_rules_flag_a_refusal_without_its_apostrophe():
    from coach import Coach, CoachConfig

    coach = Coach(CoachConfig(detectors=("rules",)))
    for text in ("Sorry, I can't help with that, there's nothing I can do.",
                 "sorry i cant help with that, theres nothing i can do"):
        assert any(f.type == "powerless" for f in coach.check(text)), text
