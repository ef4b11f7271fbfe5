"""HTML for the web app: highlighted drafts, the legend, flag cards, rewrite diffs and checks.

Pure functions from flags to HTML strings, so every piece of the page is unit-tested without a
browser. Every piece of user text is escaped here (drafts are untrusted input shown back in the
page). Colour marks the family, but never alone: every highlight carries a text label and a
family-specific underline style, so the page reads the same in greyscale or to a screen reader.
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable, Mapping, Sequence

from coach.flags import Flag
# One highlighter and one set of family styles, shared with report.html (coach/render.py).
from coach.render import (FAMILY_STYLES, FamilyStyle, esc, highlight_html,  # noqa: F401
                          type_label)
from coach.taxonomy import FAMILIES, types_in


CLEAN_MESSAGE = "No problems found: this draft owns the conversation."


def notice_html(message: str, kind: str = "error") -> str:
    """A boxed message: `error` (input problems), `ok` (clean draft), `info`, `warn`."""
    icons = {"error": "⚠", "ok": "✓", "info": "ℹ", "warn": "⚠"}
    words = {"error": "Error", "ok": "All clear", "info": "Note", "warn": "Warning"}
    return (f'<div class="rc-notice rc-notice-{esc(kind)}" role="status">'
            f'<span class="rc-notice-icon" aria-hidden="true">{icons.get(kind, "")}</span>'
            f'<span class="rc-sr">{words.get(kind, "")}: </span>{esc(message)}</div>')


def legend_html(flags: Sequence[Flag] = ()) -> str:
    """One entry per family: its sample mark, name, underline style, types, and how many found."""
    counts: dict[str, int] = {}
    for f in flags:
        counts[f.family] = counts.get(f.family, 0) + 1
    items = []
    for fam in FAMILIES:
        st = FAMILY_STYLES[fam]
        n = counts.get(fam, 0)
        types = ", ".join(type_label(t) for t in types_in(fam))
        found = f"{n} found" if n else "none"
        items.append(
            f'<li class="rc-legend-item{"" if n else " rc-legend-none"}">'
            f'<mark class="rc-flag rc-fam-{fam}">{esc(st.label)}</mark> '
            f'<span class="rc-legend-style">({st.underline} underline)</span> '
            f'<span class="rc-legend-types">{esc(types)}</span> '
            f'<span class="rc-legend-count">— {found}</span></li>')
    return f'<ul class="rc-legend" aria-label="Legend">{"".join(items)}</ul>'


def cards_html(flags: Sequence[Flag]) -> str:
    """One card per problem: the quote(s), why it hurts, what to write instead. Flags of one
    type that would say the same thing (same message and suggestion) share one card listing
    their quotes, so a draft that dodges twice the same way does not show two identical cards."""
    if not flags:
        return ""
    groups: dict[tuple[str, str, str], list[Flag]] = {}
    for f in flags:
        groups.setdefault((f.type, f.message, f.suggestion), []).append(f)
    cards = []
    for i, group in enumerate(groups.values(), 1):
        f = group[0]
        st = FAMILY_STYLES.get(f.family)
        fam = st.label if st else f.family
        quotes = "".join(f'<blockquote class="rc-quote">“{esc(g.quote)}”</blockquote>'
                         for g in group)
        sources = ", ".join(dict.fromkeys(g.source for g in group))
        cards.append(
            f'<article class="rc-card rc-fam-{esc(f.family)}" data-type="{esc(f.type)}">'
            f'<header class="rc-card-head"><span class="rc-tag rc-fam-{esc(f.family)}">'
            f'<span class="rc-tag-num">{i}</span>{esc(type_label(f.type))}</span>'
            f'<span class="rc-card-meta">{esc(fam)} · {esc(f.severity)}</span></header>'
            f'{quotes}'
            f'<p class="rc-why"><strong>Why it hurts:</strong> {esc(f.message)}</p>'
            f'<p class="rc-fix"><strong>Write instead:</strong> {esc(f.suggestion)}</p>'
            f'<p class="rc-source">found by {esc(sources)}</p></article>')
    return f'<div class="rc-cards">{"".join(cards)}</div>'


def sentence_changes(draft: str, rewrite: str, flags: Sequence[Flag]
                     ) -> list[tuple[str, str, list[Flag]]]:
    """(old sentences, new sentences, the flags inside the old ones) per changed stretch of the
    draft, sentence by sentence: what the agent needs to see to trust a rewrite."""
    from coach.text import sentence_bounds

    a, b = sentence_bounds(draft), sentence_bounds(rewrite)
    ka = [" ".join(draft[s:e].split()).lower() for s, e in a]
    kb = [" ".join(rewrite[s:e].split()).lower() for s, e in b]
    ops = difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes()
    out = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            continue
        old = " ".join(draft[s:e] for s, e in a[i1:i2])
        new = " ".join(rewrite[s:e] for s, e in b[j1:j2])
        lo = a[i1][0] if i1 < i2 else (a[i1 - 1][1] if i1 else 0)
        hi = a[i2 - 1][1] if i1 < i2 else lo
        inside = [f for f in flags if f.start < hi and f.end > lo] if i1 < i2 else []
        out.append((old, new, inside))
    return out


def changes_html(draft: str, rewrite: str, flags: Sequence[Flag]) -> str:
    """The changed sentences, before and after, each with the problem it fixes in the agent's
    terms (the type and what in the quote caused it)."""
    items = []
    for old, new, inside in sentence_changes(draft, rewrite, flags):
        why = []
        for f in {f.type: f for f in reversed(inside)}.values():
            why.append(f'<li><strong>{esc(type_label(f.type))}:</strong> {esc(f.message)}</li>')
        reason = (f'<ul class="rc-because">{"".join(why)}</ul>' if why else
                  '<p class="rc-because">Reworded so the reply still reads as one.</p>')
        was = f'<p class="rc-was"><span>Was</span> “{esc(old)}”</p>' if old else \
            '<p class="rc-was"><span>Added</span></p>'
        now = f'<p class="rc-now"><span>Now</span> “{esc(new)}”</p>' if new else \
            '<p class="rc-now"><span>Removed</span></p>'
        items.append(f'<li class="rc-change">{was}{now}{reason}</li>')
    if not items:
        return ""
    return f'<ol class="rc-changes" aria-label="What changed and why">{"".join(items)}</ol>'


def summary_html(flags: Sequence[Flag]) -> str:
    """A one-line verdict: clean, or how many problems of which types."""
    if not flags:
        return notice_html(CLEAN_MESSAGE, "ok")
    n = len(flags)
    names: list[str] = []
    for f in flags:
        if type_label(f.type) not in names:
            names.append(type_label(f.type))
    return notice_html(f"{n} problem{'s' if n != 1 else ''} found: {', '.join(names)}.", "warn")


_TOKEN = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")


def diff_chunks(before: str, after: str) -> list[tuple[str, str, str]]:
    """(op, old, new) chunks of a word-level diff, op in equal/delete/insert/replace.

    Changes separated only by whitespace or a single short word are merged into one chunk, so a
    rewritten clause reads as "old clause -> new clause" rather than alternating word by word.
    """
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    chunks: list[list] = []
    for op, i1, i2, j1, j2 in ops:
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        small_gap = op == "equal" and (not old.strip() or (i2 - i1 <= 2 and len(old.strip()) <= 3))
        if chunks and chunks[-1][0] != "equal" and (op != "equal" or small_gap):
            last_old, last_new = chunks[-1][1] + old, chunks[-1][2] + new
            chunks[-1] = ["pending", last_old, last_new]
            continue
        chunks.append([op if op == "equal" else "pending", old, new])
    # An equal gap swallowed at the very end of a change belongs back outside it.
    out: list[tuple[str, str, str]] = []
    for op, old, new in chunks:
        if op == "equal":
            out.append(("equal", old, new))
            continue
        k = 0
        while k < min(len(old), len(new)) and old[-1 - k] == new[-1 - k]:
            k += 1
        while k and any(len(x) > k and x[-k - 1].isalnum() and x[-k].isalnum()
                        for x in (old, new)):
            k -= 1  # never split a word
        tail = old[len(old) - k:] if k else ""
        old, new = old[:len(old) - k], new[:len(new) - k]
        kind = "replace" if old and new else ("delete" if old else "insert")
        if old or new:
            out.append((kind, old, new))
        if tail:
            out.append(("equal", tail, tail))
    return out


def diff_html(before: str, after: str) -> str:
    """Word-level changes from the draft to the rewrite: removed words struck, new ones marked.

    `<del>`/`<ins>` carry meaning for assistive technology, and strike-through vs underline
    tell them apart without relying on red/green alone.
    """
    out = ['<div class="rc-diff" aria-label="Changes from your draft">']
    for op, old, new in diff_chunks(before, after):
        if op == "equal":
            out.append(esc(old))
            continue
        if old:
            out.append(f'<del class="rc-del" title="removed">{esc(old)}</del>')
        if old and new:
            out.append(" ")
        if new:
            out.append(f'<ins class="rc-ins" title="added">{esc(new)}</ins>')
    out.append("</div>")
    return "".join(out)


def _check_row(ok: bool, label: str, detail: str = "") -> str:
    mark = "✓" if ok else "✗"
    word = "passed" if ok else "failed"
    extra = f' <span class="rc-check-detail">{esc(detail)}</span>' if detail else ""
    return (f'<li class="rc-check rc-check-{word}"><span class="rc-check-mark" aria-hidden="true">'
            f'{mark}</span> <strong>{esc(label)}</strong> — {word}{extra}</li>')


def _count_or_list(value: object) -> tuple[bool, str]:
    """Checks report either a count or the offending items; either way empty/zero passes."""
    if isinstance(value, bool):
        return not value, ""
    if isinstance(value, (int, float)):
        return value == 0, "" if value == 0 else f"({value:g})"
    if isinstance(value, (list, tuple, set)):
        items = [getattr(v, "quote", v) for v in value]
        return not items, "" if not items else "(" + ", ".join(str(v) for v in items) + ")"
    return not value, "" if not value else f"({value})"


CHECK_LABELS = {
    "flags_left": "No problem flags left",
    "facts_missing": "Facts from the draft kept",
    "promises_added": "No new promises added",
    "owns_problem": "Owns the problem",
}


def checks_html(checks: Mapping[str, object]) -> str:
    """The verification the rewrite passed, one line each, pass/fail in words and symbols."""
    rows = []
    for key, label in CHECK_LABELS.items():
        if key not in checks:
            continue
        value = checks[key]
        if key == "owns_problem":
            rows.append(_check_row(bool(value), label))
        else:
            ok, detail = _count_or_list(value)
            rows.append(_check_row(ok, label, detail))
    for key, value in checks.items():
        if key not in CHECK_LABELS:
            ok, detail = _count_or_list(value)
            rows.append(_check_row(ok, key.replace("_", " "), detail))
    return f'<ul class="rc-checks" aria-label="Checks on the rewrite">{"".join(rows)}</ul>'


def table_html(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A small static table (used in the settings panel)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="rc-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
