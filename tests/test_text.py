from coach.text import DraftView, sentence_bounds


def test_masked_view_keeps_length_and_blanks_quotes():
    t = "You said \u201cthey lied\u201d and I\u2019m sorry."
    v = DraftView(t)
    assert len(v.masked) == len(t)
    assert "they" not in v.masked
    assert "I'm sorry" in v.masked


def test_apostrophes_are_not_quotes():
    v = DraftView("The customers' orders aren't here, it's Tom's parcel.")
    assert v.masked == v.norm


def test_sentence_bounds_offsets():
    t = "First one.  Second?\nThird!"
    assert [t[s:e] for s, e in sentence_bounds(t)] == ["First one.", "Second?", "Third!"]


def test_windows():
    v = DraftView("A one. B two. C three.")
    i = v.masked.index("two")
    assert v.window(i, i + 3, "sentence") == "B two."
    assert v.window(i, i + 3, "next") == "B two. C three."
    assert v.window(i, i + 3, "prev") == "A one. B two."
    assert v.window(i, i + 3, "after") == ". C three."
