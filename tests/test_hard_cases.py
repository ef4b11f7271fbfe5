"""The hard cases the product is judged on: context decides, not keywords."""
import pytest

CLEAN = [
    "The kids can share the account; they just need separate profiles, which I've set up.",
    "Both parcels left our depot this morning and they should reach you by Thursday.",
    "Your parents are on the family plan, so they get the same discount.",
    "We don't refund opened software because licence keys can't be revoked, but I can move your licence to the new laptop today.",
    "I'm sorry the charger arrived cracked. I've shipped a replacement with tracking 1Z999AA1.",
    "You said \"this is useless and they never listen\" - that's fair, and I've fixed the sync bug on your account.",
    "It's not your fault at all; the form was confusing, and I've corrected the address.",
    "The courier lost it; I've sent a replacement today.",
    "Done - your address is updated.",
    "I'm running the reset now; give it 10 minutes and then restart the router.",
    "I've booked you with our billing specialist for 3pm tomorrow and passed on your notes.",
]

FLAGGED = [
    ("They changed the billing system, so I don't know.", "they_language"),
    ("Mistakes were made with your order.", "blame_shifting"),
    ("An error occurred during processing.", "blame_shifting"),
    ("The warehouse sent the wrong item, not my fault.", "blame_shifting"),
    ("I can't help you with that.", "powerless"),
    ("My hands are tied.", "powerless"),
    ("Corporate policy doesn't allow it, nothing I can do.", "policy_wall"),
    ("I agree the policy is dumb, but that's how it is.", "disowning"),
    ("We apologize for any inconvenience this may have caused.", "scripted_apology"),
    ("Sorry, we can't refund that.", "scripted_apology"),
    ("You'll need to contact the manufacturer.", "dead_end"),
    ("Please wait, someone will be in touch.", "dead_end"),
    ("I can't see anything on your account.", "dead_end"),
    ("Please check our FAQ.", "dead_end"),
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean(rules_coach, text):
    flags = rules_coach.check(text)
    assert flags == [], [(f.type, f.quote, f.rule) for f in flags]


@pytest.mark.parametrize("text,expected", FLAGGED)
def test_flagged(rules_coach, text, expected):
    flags = rules_coach.check(text)
    assert expected in {f.type for f in flags}, [(f.type, f.quote) for f in flags]


def test_short_reply_is_not_dead_end_by_brevity(rules_coach):
    assert rules_coach.check("Refund sent.") == []
