"""HTML pieces: exact offsets, escaping, labels beside colour, legend, cards, diff and checks."""
import re

from coach.flags import Flag
from coach.web import render


def flag(family, type_, text, quote, start=None, message="why", suggestion="try"):
    s = text.index(quote) if start is None else start
    return Flag(family, type_, s, s + len(quote), quote, message, suggestion, "warning", "rules")


def test_highlight_marks_exact_span_with_label():
    text = "Sorry. They changed it, nothing I can do."
    f = flag("distancing", "powerless", text, "nothing I can do")
    html = render.highlight_html(text, [f])
    assert '<mark class="rc-flag rc-fam-distancing"' in html
    assert re.search(r"<mark[^>]*>nothing I can do</mark><span class=\"rc-tag", html)
    assert "Powerless" in html  # a text label, not colour alone
    assert html.count("<mark") == 1


def test_highlight_escapes_draft_text():
    text = "<script>alert(1)</script> nothing I can do"
    f = flag("distancing", "powerless", text, "nothing I can do")
    html = render.highlight_html(text, [f])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_overlapping_flags_of_two_families_are_both_labelled():
    text = "Sorry for any inconvenience, please contact the sender."
    a = flag("scripted_apology", "scripted_apology", text, "Sorry for any inconvenience")
    b = Flag("dead_end", "dead_end", 10, 40, text[10:40], "m", "s", "warning", "rules")
    html = render.highlight_html(text, [a, b])
    assert "Scripted apology" in html and "Dead end" in html
    assert "rc-multi" in html  # the overlap is marked for both families
    plain = re.sub(r'<span class="rc-tag [^"]*"[^>]*><span class="rc-tag-num">\d+</span>[^<]*'
                   r"</span>", "", html)
    assert re.sub(r"<[^>]+>", "", plain) == text  # no text lost or duplicated


def test_highlight_ignores_flags_outside_the_text():
    html = render.highlight_html("short", [Flag("dead_end", "dead_end", 3, 99, "", "", "", "", "")])
    assert "<mark" not in html and "short" in html


def test_highlight_custom_labels():
    text = "Please contact the sender."
    f = flag("dead_end", "dead_end", text, "Please contact the sender")
    assert "Missed: Dead end" in render.highlight_html(text, [f], ["Missed: Dead end"])


def test_legend_lists_every_family_with_counts():
    text = "nothing I can do"
    html = render.legend_html([flag("distancing", "powerless", text, text)])
    assert html.count("rc-legend-item") == 3
    assert "Distancing" in html and "1 found" in html
    assert "dashed underline" in html and "dotted underline" in html


def test_cards_show_quote_why_and_fix_escaped():
    text = "They <b>changed</b> it"
    f = flag("distancing", "they_language", text, text, message="Why <x>", suggestion="Say we")
    html = render.cards_html([f])
    assert html.count("rc-card ") == 1
    assert "&lt;b&gt;changed&lt;/b&gt;" in html
    assert "Why it hurts:</strong> Why &lt;x&gt;" in html
    assert "Write instead:</strong> Say we" in html
    assert render.cards_html([]) == ""


def test_summary_clean_and_flagged():
    assert render.CLEAN_MESSAGE in render.summary_html([])
    text = "nothing I can do"
    assert "1 problem found: Powerless." in render.summary_html(
        [flag("distancing", "powerless", text, text)])


def test_diff_chunks_rebuild_both_texts():
    before = "It'll get looked at at some point, though they don't tell us much."
    after = "I've escalated it, and I'll update you by Friday."
    chunks = render.diff_chunks(before, after)
    assert "".join(o for _op, o, _n in chunks) == before
    assert "".join(n for _op, _o, n in chunks) == after
    same = render.diff_chunks("We are sorry.", "We are sorry.")
    assert same == [("equal", "We are sorry.", "We are sorry.")]


def test_diff_merges_a_rewritten_clause_and_keeps_words_whole():
    chunks = render.diff_chunks("the cat sat", "the bat sat")
    assert chunks == [("equal", "the ", "the "), ("replace", "cat", "bat"),
                      ("equal", " sat", " sat")]
    html = render.diff_html("Hi <you>, no.", "Hi <you>, yes.")
    assert '<del class="rc-del" title="removed">no</del>' in html
    assert '<ins class="rc-ins" title="added">yes</ins>' in html
    assert "&lt;you&gt;" in html


def test_checks_pass_and_fail_in_words():
    html = render.checks_html({"flags_left": [], "facts_missing": ["#RT-1"],
                               "promises_added": 0, "owns_problem": False})
    assert "No problem flags left</strong> — passed" in html
    assert "Facts from the draft kept</strong> — failed" in html and "#RT-1" in html
    assert "No new promises added</strong> — passed" in html
    assert "Owns the problem</strong> — failed" in html


def test_notice_kinds_have_words_for_screen_readers():
    html = render.notice_html("Bad <draft>", "error")
    assert "rc-notice-error" in html and "Error: " in html and "&lt;draft&gt;" in html


def test_cards_merge_flags_that_say_the_same_thing():
    text = "Nothing I can do. Sorry, nothing I can do."
    a = flag("distancing", "powerless", text, "Nothing I can do")
    b = flag("distancing", "powerless", text, "nothing I can do", start=text.rindex("nothing"))
    c = flag("scripted_apology", "scripted_apology", text, "Sorry")
    html = render.cards_html([a, b, c])
    assert html.count('<article class="rc-card') == 2          # one card per distinct problem
    assert html.count('class="rc-quote"') == 3                 # every quote still shown


def test_changes_list_each_changed_sentence_with_its_reason():
    draft = "Hi Sam. They changed the billing system. Your order #12 ships Monday."
    f = flag("distancing", "they_language", draft, "They changed the billing system",
             message="“They changed” speaks of our own company as someone else.")
    new = "Hi Sam. We changed our billing system, and I'll walk you through it. Your order #12 ships Monday."
    (old, now, inside), = render.sentence_changes(draft, new, [f])
    assert old == "They changed the billing system." and now.startswith("We changed")
    assert inside == [f]
    html = render.changes_html(draft, new, [f])
    assert "Was" in html and "Now" in html and render.type_label("they_language") in html
    assert "speaks of our own company" in html and "Hi Sam" not in html  # unchanged: not listed
    assert render.changes_html(draft, draft, [f]) == ""


def test_changes_escape_the_draft():
    draft = "<b>x</b> nothing I can do."
    f = flag("distancing", "powerless", draft, "nothing I can do")
    html = render.changes_html(draft, "<b>x</b> I'll sort it.", [f])
    assert "<b>" not in html and "&lt;b&gt;" in html
