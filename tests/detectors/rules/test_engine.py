import pytest

from coach import Coach, CoachConfig
from coach.errors import RulePackError
from coach.detectors.rules.engine import load_pack


def write(tmp_path, body, name="pack.yaml"):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_user_pack_adds_rule(tmp_path):
    pack = write(tmp_path, """
type: dead_end
rules:
  - id: house.ticket_closed
    pattern: '\\bticket auto-closes\\b'
    message: Auto-closing tells the customer we stopped listening.
    severity: error
    examples: {bad: ["Your ticket auto-closes in a day."], good: ["Thanks!"]}
""")
    coach = Coach(CoachConfig(rule_packs=(str(pack),)))
    flags = coach.check("Note: your ticket auto-closes tonight.")
    assert [(f.type, f.quote, f.severity) for f in flags] == [("dead_end", "ticket auto-closes", "error")]
    # The message names the words that cause it, then gives the rule's own reason.
    assert flags[0].message == ("\u201cticket auto-closes\u201d leaves the customer with no next "
                                "step. Auto-closing tells the customer we stopped listening.")


@pytest.mark.parametrize("body,needle", [
    ("type: nope\nrules:\n  - pattern: 'x'\n", "unknown type 'nope'"),
    ("type: dead_end\nrules:\n  - id: a\n    pattern: '(unclosed'\n", "bad regex"),
    ("type: dead_end\nrules:\n  - id: a\n    pattern: '{NOPE}'\n", "unknown macro {NOPE}"),
    ("type: dead_end\nrules:\n  - id: a\n", "missing `pattern`"),
    ("type: dead_end\nrules:\n  - id: a\n    pattern: x\n    check: [nope]\n", "unknown check"),
    ("type: [unclosed\n", "invalid YAML"),
    ("- just a list\n", "expected a mapping"),
])
def test_bad_pack_errors_name_file_and_rule(tmp_path, body, needle):
    p = write(tmp_path, body)
    with pytest.raises(RulePackError) as e:
        load_pack(p)
    assert needle in str(e.value)
    assert str(p) in str(e.value)


def test_missing_pack_file(tmp_path):
    with pytest.raises(RulePackError, match="file not found"):
        load_pack(tmp_path / "none.yaml")


def test_allowlist_suppresses_phrase():
    text = "My hands are tied on this one."
    assert Coach().check(text)
    flags = Coach(CoachConfig(allowlist=("my hands are tied",))).check(text)
    assert not [f for f in flags if f.start < len("My hands are tied")]


@pytest.mark.parametrize("marker", [("<!-- coach off -->", "<!-- coach on -->"),
                                    ("[coach:off]", "[coach:on]")])
def test_inline_ignore_marker(marker):
    off, on = marker
    text = f"{off}We apologize for any inconvenience.{on} Sorry for any inconvenience caused."
    flags = Coach().check(text)
    assert len(flags) == 1
    assert flags[0].start > text.index(on)


def test_quoted_customer_words_not_flagged():
    text = 'You wrote "they never fix anything and my hands are tied" - I hear you, and I\'ve booked an engineer for Tuesday 9am.'
    assert Coach().check(text) == []


def test_a_rule_match_never_runs_across_a_blank_line():
    """"[^.!?]{0,40}" once carried a dead end's span from one message of a transcript into the
    next ("...to the restaurant directly\n\nCust v unhappy")."""
    from coach.detectors.rules.engine import LONG_DRAFT, RuleDetector
    from coach.text import DraftView

    det = RuleDetector()
    msg = "Hi Sam, food quality issues need to go to the restaurant directly"
    nxt = "Cust v unhappy re: 3 missed engineer visits"
    for text in (f"{msg}\n\n{nxt}", "\n\n".join([msg, nxt] * (LONG_DRAFT // 100 + 1))):
        flags = det.detect(DraftView(text))
        assert flags and all("\n\n" not in f.quote for f in flags)
        assert any(f.quote.endswith("restaurant directly") for f in flags)
