"""report.html is one self-contained page with the three plots and highlighted flagged turns."""
import re

from coach.flags import Flag
from coach.score.report import render_turn_html
from coach.score.run import score_paths
from tests.score.conftest import EVAL


def test_render_turn_html_escapes_and_marks_by_offset(rules_coach):
    text = "<b>They</b> changed the billing system & nothing I can do."
    flags = rules_coach.check(text)
    html = render_turn_html(text, flags)
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    marks = re.findall(r'<mark class="([^"]+)" title="[^"]*">(.*?)</mark>', html)
    assert ("distancing", "nothing I can do") in marks
    # removing the markup gives back the escaped text exactly
    assert re.sub(r"</?mark[^>]*>", "", html) == \
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_render_turn_html_overlapping_families_and_dict_flags():
    text = "abcdefghij"
    flags = [Flag("distancing", "powerless", 0, 6, "", "", "", "warning", "rules"),
             {"family": "dead_end", "type": "dead_end", "start": 4, "end": 10}]
    html = render_turn_html(text, flags)
    assert html == ('<mark class="distancing" title="Powerless">abcd</mark>'
                    '<mark class="distancing dead_end" title="Powerless; Dead end">ef</mark>'
                    '<mark class="dead_end" title="Dead end">ghij</mark>')
    assert render_turn_html("plain", []) == "plain"


def test_report_is_self_contained_with_plots_and_flagged_turns(tmp_path):
    score_paths([str(EVAL / "conversations.jsonl")], str(tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    for needle in ("<script", "<link", "src=", "@import", "url(", "<iframe"):
        assert needle not in html
    # the only URLs are the SVG namespace names, which are never fetched
    assert re.findall(r"https?://[^\"\s<]*", html) == ["http://www.w3.org/2000/svg"] * 3
    for label in ("Flag rate per agent", "Family mix per agent", "Distribution of scores"):
        assert f'aria-label="{label}"' in html
    # every agent has a section; the weakest agents' flagged turns are highlighted
    for agent in ("Priya", "Marco", "Dana", "Kevin", "Rhonda"):
        assert f"{agent} &middot; ownership" in html
    kevin = html[html.index("Kevin &middot; ownership"):]
    assert '<mark class="distancing"' in kevin
