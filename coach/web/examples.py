"""Example drafts for the Coach tab, taken verbatim from the dev set (eval/dev.jsonl).

Clean and flagged drafts side by side, so a first-time user sees both what gets flagged and
what good ownership looks like. A test checks that each text is still in the dev set.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    id: str      # the dev-set id it comes from
    label: str   # what the example button says
    text: str


EXAMPLES: tuple[Example, ...] = (
    Example("dev-a-004", "Flagged: passed on, no time",
            "Hi Grace, I've passed this on to the network people. It'll get looked at at some "
            "point, though honestly they don't tell us much down here."),
    Example("dev-a-021", "Flagged: disowning the policy",
            "Price matching got scrapped by management back in January and tbh I don't agree "
            "with it either."),
    Example("dev-a-020", "Flagged: stock apology",
            "Hi Daniel, Thank you for reaching out, and we're sorry for any trouble you've "
            "experienced. I've reset your API key as requested; the new one is under "
            "Settings > Keys."),
    Example("dev-a-022", "Flagged: policy wall",
            "The contract runs 24 months, that's just how it works I'm afraid."),
    Example("dev-a-038", "Flagged: sent elsewhere",
            "Hello, Our records show the parcel as delivered. If you haven't received it, please "
            "contact the sender."),
    Example("dev-a-010", "Clean: owned apology",
            "Hi Kenji, “the room smelled of smoke” — I’m really sorry, that's not the stay you "
            "booked. I've refunded the first night (¥18,000) and flagged room 614 for a deep "
            "clean 🙏"),
    Example("dev-a-008", "Clean: full next steps",
            "Hi Jessica, thanks for sending the jacket back. I've processed the return for order "
            "#RT-59002 and the refund of £64.99 will reach your Visa within 3–5 working days. "
            "You'd also asked about the second jacket — a prepaid label for that is attached, "
            "valid until 30 April. If anything looks off on your statement, reply here and I'll "
            "check it personally. Best, Owen"),
)
