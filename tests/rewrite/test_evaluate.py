"""eval-rewrite's proxies: computed again from the rewrite itself, never taken from its own checks."""
import json

import pytest

from coach.dataset import load_eval
from coach.errors import InputError
from coach.rewrite.evaluate import bigram_f, load_grades, proxies, summarise

ROW = {"id": "r1", "text": "Hi Jo, the courier lost order #77 on 3 May, not our fault.",
       "spans": [{"type": "blame_shifting", "quote": "the courier lost order #77 on 3 May, not our fault"}],
       "must_keep": ["#77", "3 May"], "must_not_add": ["full refund"],
       "references": ["Hi Jo, we lost order #77 on 3 May, and I've asked our courier to trace it."]}


@pytest.fixture()
def gold(tmp_path):
    p = tmp_path / "g.jsonl"
    p.write_text(json.dumps(ROW) + "\n")
    return load_eval(p)[0]


def test_unchanged_draft_fails_every_way(gold, rules_coach):
    px = proxies(gold, ROW["text"], rules_coach)
    assert px["unchanged"] and px["clause_kept"] and px["flags_left"] and not px["proxy_pass"]


def test_good_rewrite_passes_and_is_close_to_the_reference(gold, rules_coach):
    px = proxies(gold, "Hi Jo, we lost order #77 on 3 May, and I'll pass this to the team who handles it now and update you here.",
                 rules_coach)
    assert px["proxy_pass"], px
    assert px["ref_similarity"] > 0.5


@pytest.mark.parametrize("rewrite, key", [
    ("Hi Jo, we lost order #77 on 3 May and I've issued a full refund.", "offers_added"),
    # an action the draft never took: readers graded these "invents" (D)
    ("Hi Jo, we lost order #77 on 3 May, and I've reported it to the depot.", "offers_added"),
    ("Hi Jo, we lost your order on 3 May.", "facts_missing"),
    ("Hi Jo, we lost order #77 on 3 May. Call Dana on 0800 123 456.", "new_entities"),
    ("Hi Jo. We lost order #77 on 3 May. We lost order #77 on 3 May.", "duplicated"),
    ("Hi Jo, we lost order #77 on 3 May, and I'm [what you are doing].", "placeholders"),
    ("", "empty"),
])
def test_each_proxy_catches_its_problem(gold, rules_coach, rewrite, key):
    px = proxies(gold, rewrite, rules_coach)
    assert px[key] and not px["proxy_pass"], px


def test_bigram_f_is_symmetric_and_bounded():
    a, b = "we lost your order", "we lost the order today"
    assert bigram_f(a, b) == pytest.approx(bigram_f(b, a))
    assert bigram_f(a, a) == pytest.approx(1.0) and bigram_f(a, "xyz") == 0.0


def test_grades_are_matched_on_draft_and_rewrite_and_summarised(tmp_path):
    p = tmp_path / "grades.jsonl"
    p.write_text(json.dumps({"id": "r1", "rewrite": "x", "grade": "A"}) + "\n"
                 + json.dumps({"id": "r2", "rewrite": "y", "grade": "D"}) + "\n")
    g = load_grades(p)
    assert g == {("r1", "x"): "A", ("r2", "y"): "D"}
    rows = [{"source": "model", "grade": "A", "proxy_pass": True, "latency_ms": 1.0},
            {"source": "fallback", "grade": "D", "proxy_pass": True, "clause_kept": ["q"],
             "latency_ms": 2.0}]
    m = summarise(rows)
    assert m["grades"]["A"] == 0.5 and m["grades_by_source"] == {"fallback": {"D": 1},
                                                                 "model": {"A": 1}}
    assert m["proxy_vs_grade"]["precision"] == 0.5 and m["proxy_vs_grade"]["recall"] == 1.0
    assert m["proxy_vs_grade"]["d_rate_when_failed"]["clause_kept"] == 1.0


@pytest.mark.parametrize("line, field", [
    ('{"id": "r1", "rewrite": "x"}', "grade"),
    ('{"id": "r1", "rewrite": "x", "grade": "E"}', "grade"),
    ("not json", None),
])
def test_bad_grade_rows_name_file_line_and_field(tmp_path, line, field):
    p = tmp_path / "g.jsonl"
    p.write_text('{"id": "r0", "rewrite": "x", "grade": "B"}\n' + line + "\n")
    with pytest.raises(InputError) as e:
        load_grades(p)
    assert e.value.line == 2 and str(p) in str(e.value)
    if field:
        assert e.value.field == field
