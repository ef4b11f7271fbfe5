import pytest

from coach.detectors.embedding.detector import draft_units
from coach.detectors.embedding.segment import Unit, clauses, sentences, worth_embedding
from coach.text import DraftView


def _same(text, u):
    # The model sees the normalised view (curly quotes, dashes), which has the same length as the
    # draft, so the unit's offsets address the original text exactly.
    norm = DraftView(text).norm
    assert len(norm) == len(text)
    return " ".join(norm[u.start:u.end].split()) == u.text


@pytest.mark.parametrize("text", [
    "Hi Priyanka, Data exports aren't supported. It's a platform limitation, so there's nothing I can do.",
    "Caf\u00e9 \U0001F600 \u2014 the people upstairs decide that\u2026 Ren\u00e9e\u2019s order is late; sorry!",
    "Line one\n\nLine two - with a dash - and more (an aside) here.",
])
def test_units_have_exact_offsets(text):
    view = DraftView(text)
    for s in sentences(view):
        assert _same(text, s)
        for c in clauses(view, s):
            assert s.start <= c.start < c.end <= s.end
            assert _same(text, c)


def test_clause_split_points_at_the_dodge():
    text = "It's a platform limitation, so there's nothing I can do - sorry."
    view = DraftView(text)
    (s,) = sentences(view)
    cs = [c.text for c in clauses(view, s)]
    assert cs == ["It's a platform limitation", "so there's nothing I can do"]


def test_customer_quotes_are_blanked_not_embedded():
    text = 'You said "my hands are tied" was what you heard.'
    (s,) = sentences(DraftView(text))
    assert "hands" not in s.text
    assert s.start == 0 and s.end == len(text)


@pytest.mark.parametrize("text,ok", [
    ("Kind regards, Hannah", False), ("Hi Sam,", False), ("Thanks!", False), ("Order #4471", False),
    ("Sorry for the trouble.", True), ("Those are the rules.", True), ("Ok", False),
])
def test_worth_embedding(text, ok):
    assert worth_embedding(Unit(0, len(text), text)) is ok


def test_ignored_regions_are_not_units():
    text = "<!-- coach off -->My hands are tied here.<!-- coach on --> Your refund is done."
    du = draft_units(DraftView(text))
    assert [u.text for u in du.sents] == ["Your refund is done."]


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_drafts_have_no_units(text):
    assert draft_units(DraftView(text)).sents == []
