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


# ---- exact, word-bounded spans and bounded windows (linear-time checking)
from coach.text import MAX_CONTEXT, MAX_SENTENCE, DraftView as _View, sentence_bounds as _sb, \
    word_bounds  # noqa: E402


def test_word_bounds_widens_a_span_that_cuts_a_word():
    t = "Please contact our service desk."
    s = t.index("ser") ; e = s + 1                       # "s|ervice"
    assert t[slice(*word_bounds(t, s, e))] == "service"
    assert word_bounds(t, 0, 6) == (0, 6)                 # already whole: unchanged
    assert word_bounds("naïve café", 1, 3) == (0, 5)     # letters beyond ASCII
    assert word_bounds("e\u0301tude x", 0, 1) == (0, 6)  # a combining mark joins its letter


def test_pipeline_flags_never_cut_words(tmp_path):
    from coach import Coach, CoachConfig

    pack = tmp_path / "p.yaml"
    pack.write_text("type: dead_end\nrules:\n  - id: t.cut\n    pattern: 'ring our s'\n",
                    encoding="utf-8")
    text = "Hi, ring our service desk at 9."
    flags = Coach(CoachConfig(detectors=("rules",), rule_packs=(str(pack),))).check(text)
    f = next(f for f in flags if "t.cut" in f.rule)
    assert f.quote == text[f.start:f.end] == "ring our service"


def test_titles_and_abbreviations_end_no_sentence():
    t = "Dear Mr. Okafor, ref no. 4411 is fixed. Thanks"
    assert [t[a:b] for a, b in _sb(t)] == ["Dear Mr. Okafor, ref no. 4411 is fixed.", "Thanks"]


def test_a_sentence_without_punctuation_is_cut_into_bounded_pieces():
    t = ("word " * 3000).strip()
    pieces = _sb(t)
    assert len(pieces) > 1 and all(b - a <= MAX_SENTENCE for a, b in pieces)
    assert all(t[a] != " " and t[b - 1] != " " for a, b in pieces)   # cut at spaces, trimmed


def test_draft_windows_reach_at_most_max_context():
    v = _View("x " * (3 * MAX_CONTEXT))
    mid = 3 * MAX_CONTEXT
    a, b = v.window_bounds(mid, mid + 1, "after")
    assert (a, b) == (mid + 1, mid + 1 + MAX_CONTEXT)
    a, b = v.window_bounds(mid, mid + 1, "draft")
    assert b - a == 2 * MAX_CONTEXT + 1
    short = _View("Short draft. Two sentences.")
    assert short.window_bounds(0, 5, "draft") == (0, len(short.text))   # replies: unchanged


def test_is_ignored_matches_a_scan_of_the_regions():
    import random

    rng = random.Random(3)
    text = "ok " * 400
    v = _View(text, allowlist=("ok ok",))
    for _ in range(300):
        s = rng.randrange(len(text) - 1)
        e = s + rng.randrange(1, 8)
        assert v.is_ignored(s, e) == any(a < e and s < b for a, b in v.ignored)


def test_word_bounds_keeps_a_contraction_whole():
    t = "Hi Grace, It'll get looked at. They don\u2019t know."
    s = t.index("ll get")
    assert t[slice(*word_bounds(t, s, s + 6))] == "It'll get"
    s = t.index("They don")
    assert t[slice(*word_bounds(t, s, s + 8))] == "They don\u2019t"
    assert word_bounds("'x", 1, 2) == (1, 2)            # a leading quote is not a contraction


def test_paragraphs_are_the_text_between_blank_lines():
    from coach.text import DraftView

    t = "Hi Dana,\n\nThe parcel left today.\nIt has tracking.\n \n\nThanks, Sam\n"
    v = DraftView(t)
    assert [t[a:b] for a, b in v.paragraphs] == ["Hi Dana,", "The parcel left today.\nIt has tracking.",
                                               "Thanks, Sam\n"]
    assert [t[a:b] for a, b in v.paragraphs_with(t.lower(), ("track", "sam"))] == \
        ["The parcel left today.\nIt has tracking.", "Thanks, Sam\n"]
    assert DraftView("").paragraphs == [] and DraftView(" \n\n ").paragraphs == []
