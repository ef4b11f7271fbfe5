"""Hypothesis strategies shared by the property tests: hostile drafts and hostile input files.

Drafts mix real problem phrases (so flags actually occur) with the Unicode that exports carry:
emoji and ZWJ sequences, RTL text and bidi controls, combining marks, control characters, NUL,
CRLF and lone CRs, U+2028, BOMs, curly quotes, the coach-off markers, very long tokens and many
lines. File strategies add what only bytes can hold: invalid UTF-8, lone surrogates (raw and as
JSON escapes), truncated lines and binary junk.
"""
from __future__ import annotations

import csv
import io
import json
import unicodedata

from hypothesis import strategies as st

# Phrases the rule packs flag (one per family at least), in several casings.
PROBLEM_PHRASES = (
    "they changed the billing system",
    "They changed the billing system, nothing I can do.",
    "nothing I can do",
    "We apologize for any inconvenience",
    "We apologize for any inconvenience.",
    "please check our FAQ",
    "Please check our FAQ.",
    "My hands are tied.",
    "Company policy doesn't allow refunds after 30 days.",
    "Rules are rules, I'm afraid.",
    "The warehouse lost your parcel.",
    "Mistakes were made.",
    "I agree the policy is dumb, but",
    "Please be patient.",
    "THEY CHANGED THE BILLING SYSTEM",
    "They\u2019ve changed the billing system",
    "we apologise for the inconvenience",
)
CLEAN_PHRASES = (
    "I refunded it just now; you will see it within 3 days.",
    "Hi Dana,",
    "Thanks!",
    "Order #123 ships Monday.",
    "I've rebooked your delivery for tomorrow morning.",
)
# Odd pieces real exports carry; each is a known way to break offsets, splitting or encoding.
ODD_PIECES = (
    "\u200d", "\u200b", "\u200c", "\u2060", "\ufeff",      # ZWJ, ZWSP, ZWNJ, word joiner, BOM
    "\u202e", "\u202d", "\u2067", "\u200f",                # bidi overrides / isolates / RLM
    "\u0301", "\u0308\u0323", "e\u0301", "\u0915\u094d",   # combining marks, a virama
    "\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\x85",    # NUL, controls, ANSI, DEL, NEL
    "\r\n", "\r", "\n", "\n\n\n", "\t", "\u2028", "\u2029", "\x0b", "\x0c",
    "\U0001f469\u200d\U0001f4bb", "\U0001f44d\U0001f3fd", "\U0001f1fa\U0001f1f8", "\U0001f600",
    "\u0645\u0631\u062d\u0628\u0627", "\u05e9\u05dc\u05d5\u05dd",    # Arabic, Hebrew
    "\u4f60\u597d", "\u0130", "\u00df", "\ufb01", "\u2126",          # CJK, dotted I, ss, fi
    "\u2019", "\u2018", "\u201c", "\u201d", "\u2032", "\u00a0", "\u2013", "\u2014", "\u2026",
    '"', "'", "`", "<", ">", "&", "<!-- coach off -->", "<!-- coach on -->", "[coach:off]",
    "[coach:on]", "[", "]", "{", "}", "\\", "\\u0000",
)


def is_word_char(c: str) -> bool:
    """A character that belongs to a word: a letter or digit, or a combining mark (which joins
    the letter before it)."""
    return c.isalnum() or unicodedata.category(c).startswith("M")


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] begins or ends in the middle of a word."""
    starts_inside = start > 0 and is_word_char(text[start]) and is_word_char(text[start - 1])
    ends_inside = end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end])
    return starts_inside or ends_inside


# Any Unicode scalar value except surrogates (a Python str may hold lone surrogates, but no
# file or JSON decoder gives them to the pipeline except through JSON escapes, tested apart).
any_char = st.characters(exclude_categories=("Cs",))
short_text = st.text(any_char, max_size=12)


@st.composite
def long_token(draw, min_size: int = 100, max_size: int = 3000) -> str:
    """One very long 'word': a repeated character or a repeated short chunk."""
    unit = draw(st.one_of(any_char, st.text(any_char, min_size=1, max_size=4),
                          st.sampled_from(("a", "x", "they", "can't", "\u200d", "9", "-"))))
    n = draw(st.integers(min_size, max_size)) // len(unit)
    return unit * max(n, 1)


piece = st.one_of(
    st.sampled_from(PROBLEM_PHRASES),
    st.sampled_from(PROBLEM_PHRASES),
    st.sampled_from(CLEAN_PHRASES),
    st.sampled_from(ODD_PIECES),
    st.sampled_from((" ", " ", ". ", ", ", "\n", "! ", "? ", "; ", " - ")),
    short_text,
)


@st.composite
def drafts(draw, max_pieces: int = 30, long_tokens: bool = True) -> str:
    """A draft reply: problem phrases, clean sentences and odd Unicode, glued with or without
    spaces (so a phrase may sit inside a longer word), sometimes with a very long token, many
    lines, or a phrase joined to letters, digits or combining marks on either side."""
    parts = draw(st.lists(piece, max_size=max_pieces))
    if long_tokens and draw(st.integers(0, 9)) == 0:
        parts.insert(draw(st.integers(0, len(parts))), draw(long_token()))
    if draw(st.integers(0, 14)) == 0:
        parts.append("\n".join(draw(st.lists(st.sampled_from(
            ("", "ok", "They changed it.", "\r", "nothing I can do")), min_size=50,
            max_size=400))))
    sep = draw(st.sampled_from(("", " ", " ", "\n", "\r\n")))
    return sep.join(parts)


@st.composite
def glued_phrase(draw) -> tuple[str, str, str]:
    """(left, phrase, right): a problem phrase with letters, digits or marks stuck to it."""
    glue = st.sampled_from(("x", "X", "9", "\u00e9", "\u0301", "\u05d0", "\u4f60", "_", "'",
                            "-", "", " ", "\u200d", "\u0130", "\u00df"))
    return draw(glue), draw(st.sampled_from(PROBLEM_PHRASES)), draw(glue)


# --- Input files as bytes ----------------------------------------------------------------------

JUNK_BYTES = (b"\xff", b"\xfe\xff", b"\xed\xa0\x80", b"\xc3", b"\x80", b"\x00", b"\xef\xbb\xbf",
              b"\r", b"\r\n", b"\n", b"\x1a", b"\xe2\x80\xa8", b"\\ud800", b"\\u0000")


def _json_value():
    """Any JSON value, wrong types included (numbers, lists, nulls, nested objects)."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                     st.floats(allow_nan=False, allow_infinity=False), drafts(max_pieces=6,
                                                                              long_tokens=False))
    return st.recursive(leaf, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                     st.dictionaries(short_text, kids,
                                                                     max_size=3)), max_leaves=6)


@st.composite
def check_rows(draw) -> dict:
    """A `check --input` row: mostly right (`id` and a string `text`), sometimes not."""
    row: dict = {}
    if draw(st.integers(0, 9)):
        row["id"] = draw(st.one_of(st.integers(0, 10**6), short_text, st.none()))
    kind = draw(st.integers(0, 11))
    if kind <= 8:
        row["text"] = draw(drafts(max_pieces=12))
    elif kind == 9:
        row["text"] = draw(_json_value())
    # kind 10, 11: no text at all
    if draw(st.booleans()):
        row[draw(short_text)] = draw(_json_value())
    return row


@st.composite
def conversation_rows(draw) -> dict:
    """A `score` JSONL row: a well-formed conversation about two times in three, else one with
    a field missing, of the wrong type, or holding a bad turn."""
    turns = [{"role": draw(st.sampled_from(("agent", "customer"))),
              "text": draw(drafts(max_pieces=10))} for _ in range(draw(st.integers(1, 4)))]
    row = {"conversation_id": draw(st.one_of(st.sampled_from(("c1", "c2", "c3", "\u05d0")),
                                             st.integers(0, 99))),
           "agent": draw(st.sampled_from(("Ann", "Bob", "\u05e9\u05dc\u05d5\u05dd", "A\u200dB"))),
           "turns": turns}
    if draw(st.integers(0, 2)) == 0:
        damage = draw(st.integers(0, 5))
        if damage == 0:
            del row[draw(st.sampled_from(tuple(row)))]
        elif damage == 1:
            row[draw(st.sampled_from(tuple(row)))] = draw(_json_value())
        elif damage == 2:
            turns[draw(st.integers(0, len(turns) - 1))] = draw(_json_value())
        elif damage == 3:
            turns[0]["role"] = draw(st.one_of(st.sampled_from(("Agent ", "bot", "", None)),
                                              _json_value()))
        elif damage == 4:
            turns[-1]["text"] = draw(_json_value())
        else:
            del turns[0][draw(st.sampled_from(("role", "text")))]
    if draw(st.integers(0, 4)) == 0:
        row[draw(short_text)] = draw(_json_value())            # extra keys are ignored
    return row


@st.composite
def jsonl_bytes(draw, rows) -> bytes:
    """JSON Lines bytes of `rows`, damaged in the ways real files are: blank lines, CRLF,
    truncated lines, raw junk bytes, escaped lone surrogates, a BOM, no final newline."""
    lines: list[bytes] = []
    for row in draw(st.lists(rows, max_size=6)):
        line = json.dumps(row, ensure_ascii=draw(st.booleans())).encode("utf-8")
        damage = draw(st.integers(0, 19))
        if damage == 0 and len(line) > 1:
            line = line[:draw(st.integers(1, len(line) - 1))]          # truncated
        elif damage == 1:
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from(JUNK_BYTES)) + line[at:]
        elif damage == 2:
            line = line.replace(b'"text": "', b'"text": "\\ud83d', 1)   # lone high surrogate
        elif damage == 3:
            line = draw(st.binary(max_size=40))
        lines.append(line)
        if draw(st.integers(0, 7)) == 0:
            lines.append(draw(st.sampled_from((b"", b"   ", b"\t", b"\r"))))
    eol = draw(st.sampled_from((b"\n", b"\r\n")))
    data = eol.join(lines) + (eol if draw(st.booleans()) else b"")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@st.composite
def turn_csv_bytes(draw) -> bytes:
    """A one-turn-a-row CSV (conversation_id, agent, role, text[, timestamp]): mostly good
    rows, with the usual damage: missing or reordered columns, short and long rows, bad roles
    and times, a quote left open, junk bytes, a truncated file."""
    header = ["conversation_id", "agent", "role", "text"]
    if draw(st.booleans()):
        header.append("timestamp")
    if draw(st.integers(0, 9)) == 0:
        header.remove(draw(st.sampled_from(header)))
    if draw(st.integers(0, 4)) == 0:
        header = list(draw(st.permutations(header)))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=draw(st.sampled_from(("\n", "\r\n"))))
    w.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        bad = draw(st.integers(0, 4)) == 0
        cell = {"conversation_id": draw(st.sampled_from(("c1", "c2", " c3 ", "c\u200d4"))),
                "agent": draw(st.sampled_from(("Ann", "Bob", "\u05e9\u05dc\u05d5\u05dd"))),
                "role": draw(st.sampled_from(("agent", "customer", "AGENT", " Customer"))),
                "text": draw(drafts(max_pieces=8)),
                "timestamp": draw(st.sampled_from(("1", "2024-01-02T03:04:05", "1.5e9",
                                                   "Tue Oct 31 22:10:47 +0000 2017",
                                                   "2024-01-02T03:04:05+05:30")))}
        if bad:
            key = draw(st.sampled_from(tuple(cell)))
            cell[key] = draw(st.sampled_from(("", "bot", "yesterday", "1e400", "nan", "inf",
                                              "\x00", "-1e308", "9" * 400)))
        row = [cell.get(h, draw(short_text)) for h in header]
        n = draw(st.integers(0, 14))
        if n == 0:
            row = row[:-1]
        elif n == 1:
            row.append("extra")
        w.writerow(row)
    data = buf.getvalue().encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(JUNK_BYTES + (b'"',))) + data[at:]
    if draw(st.integers(0, 9)) == 0:
        data = data[:draw(st.integers(0, len(data)))]                   # truncated file
    return data


@st.composite
def twitter_csv_bytes(draw) -> bytes:
    """The Twitter customer-support layout with links that loop, dangle or repeat, duplicate
    ids, bad `inbound` values and unreadable times."""
    header = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
              "in_response_to_tweet_id"]
    ids = st.sampled_from(("1", "2", "3", "4", "2.0", "", "x"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(ids), draw(st.sampled_from(("AcmeSupport", "115712", "", "Bob"))),
               draw(st.sampled_from(("True", "False", "true", "maybe", ""))),
               draw(st.sampled_from(("Tue Oct 31 22:10:47 +0000 2017", "2017-10-31T22:10:47",
                                     "1509487847", "soon", ""))),
               draw(drafts(max_pieces=6, long_tokens=False)) + draw(st.sampled_from(
                   ("", " ^JD", " -Sam", " ~KC", " https://t.co/x"))),
               ",".join(draw(st.lists(ids, max_size=2))), draw(ids)]
        if draw(st.integers(0, 9)) == 0:
            row = row[:draw(st.integers(1, len(row)))]
        w.writerow(row)
    return buf.getvalue().encode("utf-8")


def fewer(n: int):
    """`@settings` for a costly property: `n` examples under the default profile (60), scaled
    up with the profile (HYPOTHESIS_PROFILE=explore runs about 16 times as many)."""
    from hypothesis import settings

    return settings(max_examples=max(1, n * settings.default.max_examples // 60))


def jsonl_lines(path) -> list[str]:
    """The lines of a JSON Lines file: split on "\\n" only, as JSON allows U+2028 and U+0085
    unescaped inside strings (str.splitlines would cut a row there)."""
    with open(path, encoding="utf-8", newline="") as f:
        return [line for line in f.read().split("\n") if line]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """coach.cli.main in-process, with its stdout and stderr captured: (exit code, out, err)."""
    import contextlib

    from coach.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:    # argparse
            rc = e.code
    return rc, out.getvalue(), err.getvalue()
