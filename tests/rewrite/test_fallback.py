"""The fallback's templates (coach.rewrite.fallback): what they keep of the agent's sentence."""
from __future__ import annotations

import pytest

from coach.rewrite import fallback as fb


@pytest.mark.parametrize("sentence, want", [
    ("Regarding the difference of INR 2,000 per night that you have requested back, I am helpless "
     "in this matter as refunds are not in my scope.",
     "Regarding the difference of INR 2,000 per night that you have requested back, here's what I "
     "can do: [what you can do for them]."),
    ("Hi Rob, I'm in current accounts so I can't help with your remortgage application MA-22019.",
     "Hi Rob, for your remortgage application MA-22019, here's what I can do: [what you can do for "
     "them]."),
])
def test_a_template_is_led_by_what_the_sentence_is_about(sentence, want):
    # the plain template put these facts in a placeholder ("[what you can do for them: INR 2,000]"),
    # graded D as garbled (dev)
    assert fb.topic_template(sentence, ["powerless"]) == want


@pytest.mark.parametrize("sentence, types", [
    # a fact outside the topic would be lost
    ("Regarding your refund, I can't do anything until 5 May.", ["powerless"]),
    # a policy's template restates the rule: no topic leads into it
    ("Regarding the INR 2,000 fee, it's company policy, nothing I can do.", ["policy_wall", "powerless"]),
    # nothing says what it is about
    ("I can't help with that, sorry.", ["powerless"]),
])
def test_no_topic_template_where_it_would_lose_a_fact_or_a_decision(sentence, types):
    assert fb.topic_template(sentence, types) is None


def test_a_fact_said_elsewhere_in_the_reply_need_not_stay_in_the_sentence():
    text = "The fee stands as you cancelled within 48 hours. I also think 48 hours is too strict, sorry."
    u = fb.Unit(text.index("I also"), len(text), ["disowning"], [])
    assert fb.only_here(text, u, ["48 hours"]) == []
    assert fb.only_here(text.replace("within 48 hours", "late"), u, ["48 hours"]) == ["48 hours"]


def test_no_hand_off_after_a_limit_whose_cause_is_the_answer():
    # "booked out from the 29th, so my hands are tied": the extension is not going to happen,
    # and "I'll pass this to the team" would say it might (graded D, dev)
    assert fb.handoff(["powerless"], "The RAV4 is booked out to another customer from the 29th, so "
                      "my hands are tied on that one.") is None
    # the agent's role as the cause: passing it on is the fix (graded A)
    assert fb.handoff(["powerless"], "Unfortunately reversing account fees isn't within my remit, so "
                      "I'm unable to assist further.") is not None


def test_a_dropped_sentence_takes_the_turn_word_after_it():
    text = "Honestly the rule is daft. Anyway, I've noted your request for order 3345-Q."
    u = fb.Unit(0, text.index(" Anyway"), ["disowning"], [])
    assert fb.splice(text, [u], [""]) == "I've noted your request for order 3345-Q."
    # kept, the sentence before still stands, and so does its turn
    assert fb.splice(text, [u], ["We only exchange sale items."]).endswith("Anyway, I've noted your request for order 3345-Q.")


def test_two_templates_never_ask_for_the_same_thing():
    both = fb.template_for(["disowning", "policy_wall"])
    assert both.count("[the reason]") == 1, both
    assert both.startswith("I understand how frustrating this is.")   # the aside's acknowledgement
    # alone, the aside's template asks for the rule and its reason
    assert "[the reason]" in fb.template_for(["disowning"])
