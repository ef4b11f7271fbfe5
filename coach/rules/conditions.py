"""Python conditions that rule packs can name (`check: they_refers_to_company`).

Most context lives in the YAML as `unless`/`require` regexes; a few decisions need a little
reasoning about the surrounding text (who does "they" point back to?). Those live here, in a
registry, so packs stay data and new conditions are added in one place (as spaCy registers
pipeline functions).
"""
from __future__ import annotations

import re
from typing import Callable

from coach.text import DraftView

Condition = Callable[[DraftView, "re.Match[str]"], bool]
CONDITIONS: dict[str, Condition] = {}


def condition(name: str) -> Callable[[Condition], Condition]:
    def register(fn: Condition) -> Condition:
        CONDITIONS[name] = fn
        return fn
    return register


# Nouns that name the company, its teams, people or systems. A "they" that points back to one of
# these is the company spoken of as someone else.
ORG_NOUNS = re.compile(
    r"\b(?:team|teams|department|departments|dept|billing|warehouse|management|managers?|corporate|"
    r"head ?office|hq|office|company|business|bank|store|shop|branch|system|systems|it|tech|techs|"
    r"technicians|engineering|engineers|developers|devs|legal|finance|accounts|accounting|"
    r"supervisors?|leadership|executives?|board|higher[- ]ups|powers that be|people upstairs|"
    r"folks upstairs|upstairs|back ?office|fulfil?ment|dispatch|shipping|returns|claims|"
    r"underwriters?|underwriting|admin|administration|marketing|sales|security|fraud|compliance|"
    r"operations|ops|kitchen|restaurant|front desk|reception|staff|colleagues|carrier|courier|"
    r"partners?|vendor|supplier|manufacturer|landlord|owners?|site|app|website|servers?|platform)\b",
    re.IGNORECASE)

# Plural things and people that are not the company: a "they" pointing back here is clean.
OTHER_NOUNS = re.compile(
    r"\b(?:kids|children|child|sons?|daughters?|family|families|parents|grandparents|partner's|"
    r"husband|wife|friends?|guests|visitors|neighbou?rs|tenants|passengers|travell?ers|players|"
    r"members|students|pupils|patients|pets|dogs|cats|users|customers|fans|attendees|people you|"
    r"parcels?|packages?|items?|boxes|orders|shoes|boots|clothes|books|tickets|seats|bags|"
    r"suitcases|photos|pictures|files|documents|forms|papers|receipts|cards|keys|devices|phones|"
    r"laptops|headphones|earbuds|tyres|tires|parts|plants|flowers|groceries|meals|dishes|drinks|"
    r"cookies|samples|refunds|payments|charges|transactions|emails|messages|texts|letters|"
    r"notifications|updates|points|miles|credits|vouchers|coupons|rooms|flights|bookings|"
    r"reservations|apartments|units|cars|vehicles|bikes|games|accounts you|glasses|lenses|"
    r"prescriptions|medications|pills|tablets|results|appointments|classes|lessons|courses|"
    r"modules|sessions|episodes|shows|channels|songs|benefits|bills|statements|invoices|"
    r"readings|meters|pipes|cables|routers|modems|boxes|lights|batteries|those)\b",
    re.IGNORECASE)

_THEY = re.compile(r"\b(?:they|them|their|theirs|themselves)\b", re.IGNORECASE)


def _last(pattern: re.Pattern[str], text: str) -> int:
    """Offset of the last match of pattern in text, or -1."""
    pos = -1
    for m in pattern.finditer(text):
        pos = m.start()
    return pos


@condition("they_refers_to_company")
def they_refers_to_company(view: DraftView, match: "re.Match[str]") -> bool:
    """True when the pronoun in `match` most plausibly points back to the company.

    We look back over the current and previous sentence for the nearest candidate antecedent:
    an organisation noun makes it company-"they", a person/thing noun makes it clean. With no
    antecedent, the rule's own pattern (a company-ish verb after "they") decides, so this
    condition passes.
    """
    lo, _hi = view.window_bounds(match.start(), match.start(), "prev")
    before = view.masked[lo:match.start()]
    # Skip earlier pronouns: "they ... they" chains resolve to the same antecedent.
    org = _last(ORG_NOUNS, before)
    other = _last(OTHER_NOUNS, before)
    if org < 0 and other < 0:
        return True
    return org > other


@condition("not_after_agent_owner")
def not_after_agent_owner(view: DraftView, match: "re.Match[str]") -> bool:
    """False when the clause names the agent or company as the one who did it ("we", "I")."""
    head = view.window(match.start(), match.end(), "sentence_before")[-40:]
    return not re.search(r"\b(?:we|i|our team|i've|we've)\b[^.,;]*$", head, re.IGNORECASE)
