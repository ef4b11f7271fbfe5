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
    marks = re.findall(r'<mark class="rc-flag ([^"]+)" data-flags="[^"]*" title="[^"]*">(.*?)'
                       r'</mark>', html)
    assert ("rc-fam-distancing", "nothing I can do") in marks
    # removing the markup (marks, label chips, wrapper) gives back the escaped text exactly
    plain = re.sub(r'<span class="rc-tag[^"]*"[^>]*><span class="rc-tag-num">\d+</span>[^<]*'
                   r'</span>', "", html)
    assert re.sub(r"</?(mark|div)[^>]*>", "", plain) == \
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_render_turn_html_overlapping_families_and_dict_flags():
    text = "abcdefghij"
    flags = [Flag("distancing", "powerless", 0, 6, "", "", "", "warning", "rules"),
             {"family": "dead_end", "type": "dead_end", "start": 4, "end": 10}]
    html = render_turn_html(text, flags)
    assert re.findall(r'<mark class="([^"]+)"[^>]*>(\w+)</mark>', html) == [
        ("rc-flag rc-fam-distancing", "abcd"),
        ("rc-flag rc-fam-distancing rc-fam-dead_end rc-multi", "ef"),
        ("rc-flag rc-fam-dead_end", "ghij")]
    assert render_turn_html("plain", []).endswith(">plain</div>")


def test_report_and_web_app_share_one_highlighter_and_family_colours():
    from coach.score import report
    from coach.web import render as web_render
    from coach.web.style import CSS

    assert report.render_turn_html is web_render.highlight_html
    assert report.FAMILY_STYLES is web_render.FAMILY_STYLES
    flags = [Flag("dead_end", "dead_end", 0, 4, "Bye.", "", "", "warning", "rules")]
    assert report.render_turn_html("Bye.", flags) == web_render.highlight_html("Bye.", flags)
    page = report.render_report([], {"conversations": 0, "agents": 0, "agent_turns": 0,
                                     "flagged_turns": 0, "flag_rate": 0.0,
                                     "ownership_score": None, "skipped": 0,
                                     "skipped_records": [], "score_formula": "f"}, {})
    for fam, st in web_render.FAMILY_STYLES.items():
        rule = f"mark.rc-fam-{fam} {{ background: {st.background}; "
        assert rule in page and rule in CSS


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
    assert '<mark class="rc-flag rc-fam-distancing' in kevin
