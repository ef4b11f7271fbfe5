"""One file per problem type (coach/types/<type>.yaml), read by the taxonomy and the rewrite.

Every type must have its file and every field the fallback, the edits and the prompt read; and
those readers must take their per-type knowledge from it, not from a copy of their own.
"""
from __future__ import annotations

import pytest
import yaml

from coach.rewrite import edits, fallback
from coach.rewrite.generate import system_prompt
from coach.taxonomy import TYPE_NAMES, TYPES, TYPES_DIR


def test_every_type_has_one_file_and_no_file_lacks_a_type():
    assert sorted(p.stem for p in TYPES_DIR.glob("*.yaml")) == sorted(TYPE_NAMES)


@pytest.mark.parametrize("name", TYPE_NAMES)
def test_a_type_file_says_everything_a_reader_needs(name):
    t = TYPES[name]
    assert t.why and t.fix and t.label and "{words}" in t.cue
    r = t.rewrite
    assert r.template and fallback.PLACEHOLDER.search(r.template), name
    assert r.prompt_line and r.gap_position in ("before", "after")
    assert 0 < r.max_dropped_words <= 20
    raw = yaml.safe_load((TYPES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    assert raw["rewrite"]["template"] == fallback.TEMPLATES[name]


def test_the_prompt_fix_lines_come_from_the_type_files():
    prompt = system_prompt("clause")
    for name, t in TYPES.items():
        assert f"- {name}: {t.rewrite.prompt_line}" in prompt


def test_templates_lead_in_the_order_the_files_give():
    assert fallback.TEMPLATE_ORDER[0] == "scripted_apology"
    assert len(set(t.rewrite.lead for t in TYPES.values())) == len(TYPES)


def test_next_step_and_gaps_follow_the_files():
    assert edits.needs_next_step(["dead_end"]) and edits.needs_next_step(["powerless"])
    assert not edits.needs_next_step(["they_language"])
    # a policy's alternative is its next step; a blame gap goes after, an apology gap before
    out = fallback.with_gaps("We changed it.", ["scripted_apology", "blame_shifting"], next_step=True)
    assert out.startswith(TYPES["scripted_apology"].rewrite.gap)
    assert out.endswith(fallback.NEXT_STEP_SENTENCE)
    assert fallback.NEXT_STEP_SENTENCE not in fallback.with_gaps("X.", ["policy_wall"], True)
    # one next step is enough: with a dead end, they-language takes its short template
    assert TYPES["they_language"].rewrite.short_template in fallback.template_for(
        ["they_language", "dead_end"])


def test_every_clean_when_cue_is_a_lexicon_pattern():
    import re

    from coach import lexicon
    from coach.taxonomy import TYPES

    cues = {c for t in TYPES.values() for c in t.clean_when}
    assert cues, "no type says when it is clean once explained"
    for c in cues:
        re.compile(lexicon.pattern(c))   # a name the lexicon lacks raises KeyError here
