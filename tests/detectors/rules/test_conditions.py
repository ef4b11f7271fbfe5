"""Who does "they" point back to? The conditions behind context-aware they-language."""
import re

import pytest

from coach.detectors.rules.conditions import they_has_no_antecedent, they_refers_to_company
from coach.text import DraftView


def first_they(text):
    v = DraftView(text)
    return v, re.search(r"\bthey\b", v.masked, re.IGNORECASE)


@pytest.mark.parametrize("text,expected", [
    ("I passed it to the billing team and they said it's fixed.", True),
    ("Your kids share the plan and they can each have a profile.", False),
    ("The parcels left the depot and they should arrive Monday.", False),
    ("The courier has it now; they deliver before noon.", False),
    ("Your bank flagged it, so they may call you.", False),
    ("They changed it last month.", True),  # no antecedent: the rule's verb decides
])
def test_they_refers_to_company(text, expected):
    v, m = first_they(text)
    assert they_refers_to_company(v, m) is expected


@pytest.mark.parametrize("text,expected", [
    ("They never tell us anything.", True),
    ("They're in - both the roof bars you ordered arrived.", False),
    ("They'll arrive Friday, tracking is in your email.", True),
])
def test_they_has_no_antecedent(text, expected):
    v, m = first_they(text)
    assert they_has_no_antecedent(v, m) is expected
