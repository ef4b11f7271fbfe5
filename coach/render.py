"""Human-readable output of flags: the terminal (colour only on a TTY, NO_COLOR honoured) and
the one HTML highlighter shared by the web app and report.html, with the family styles."""
from __future__ import annotations

import sys

import html
import os
from dataclasses import dataclass
from typing import Sequence

from coach.flags import Flag
from coach.taxonomy import FAMILIES, TYPES


@dataclass(frozen=True)
class FamilyStyle:
    """How one family looks: a name people read, and a colour pair with good contrast."""

    label: str
    colour: str       # border / underline / chip
    background: str   # highlight fill (dark text on it passes WCAG AA)
    underline: str    # CSS border style, so families differ without colour


FAMILY_STYLES: dict[str, FamilyStyle] = {
    "distancing": FamilyStyle("Distancing", "#7c3aed", "#ede9fe", "solid"),
    "scripted_apology": FamilyStyle("Scripted apology", "#b45309", "#fef3c7", "dashed"),
    "dead_end": FamilyStyle("Dead end", "#0e7490", "#cffafe", "dotted"),
}
assert set(FAMILY_STYLES) == set(FAMILIES), "every taxonomy family needs a style"

# The rules the highlighter's markup needs (the web app adds them to its CSS; report.html
# inlines them), so both pages colour a flagged span the same way.
HIGHLIGHT_CSS = """
mark.rc-flag { color: #1f2937; padding: 1px 2px; border-radius: 3px; border-bottom-width: 3px; }
mark.rc-multi { outline: 2px solid #374151; outline-offset: 1px; }
.rc-tag { display: inline-block; font-size: .74rem; font-weight: 600; color: #fff;
  border-radius: 999px; padding: 0 8px 0 3px; margin: 0 4px 0 3px; line-height: 1.55;
  vertical-align: 1px; white-space: nowrap; }
.rc-tag-num { display: inline-block; min-width: 1.25em; text-align: center; margin-right: 4px;
  background: rgba(255,255,255,.25); border-radius: 999px; padding: 0 3px; }
"""


def family_css() -> str:
    """Per-family colours for marks, chips and cards, from FAMILY_STYLES."""
    rules = []
    for fam, st in FAMILY_STYLES.items():
        rules.append(f"mark.rc-fam-{fam} {{ background: {st.background}; "
                     f"border-bottom: 3px {st.underline} {st.colour}; }}")
        rules.append(f".rc-tag.rc-fam-{fam} {{ background: {st.colour}; }}")
        rules.append(f".rc-card.rc-fam-{fam} {{ border-left-color: {st.colour}; }}")
    return "\n".join(rules)


def esc(text: object) -> str:
    """Escape anything for HTML text or attribute context."""
    return html.escape(str(text), quote=True)


def type_label(type_name: str) -> str:
    t = TYPES.get(type_name)
    return t.label if t else type_name


def _get(flag: Flag | dict, key: str):
    return flag.get(key) if isinstance(flag, dict) else getattr(flag, key)


def highlight_html(text: str, flags: Sequence[Flag | dict],
                   labels: Sequence[str] | None = None) -> str:
    """The draft with every flagged span marked by offset, each followed by a numbered label.

    Flags may be `Flag`s or their dict form (turns.jsonl / scorecards.json rows). `labels`
    overrides the chip text per flag (the Evaluate tab writes "Missed: Dead end").

    Overlapping flags (different families may overlap) are handled by cutting the text at every
    flag boundary: each piece is marked with the family of the flags covering it, and each flag's
    label sits right after the piece where it ends, so nothing is dropped.
    """
    n = len(text)
    spans = []
    for i, f in enumerate(flags, 1):
        start, end = int(_get(f, "start")), int(_get(f, "end"))
        if 0 <= start < end <= n:
            spans.append((i, start, end, str(_get(f, "family")), str(_get(f, "type"))))
    cuts = sorted({0, n, *(s[1] for s in spans), *(s[2] for s in spans)})
    out = ['<div class="rc-draft" aria-label="Your draft with problems marked">']
    for a, b in zip(cuts, cuts[1:]):
        covering = [s for s in spans if s[1] <= a and b <= s[2]]
        piece = esc(text[a:b])
        if covering:
            families = list(dict.fromkeys(s[3] for s in covering))
            cls = " ".join(f"rc-fam-{esc(fam)}" for fam in families)
            multi = " rc-multi" if len(families) > 1 else ""
            title = "; ".join(f"{i}. {type_label(t)}" for i, _a, _b, _f, t in covering)
            ids = " ".join(str(s[0]) for s in covering)
            out.append(f'<mark class="rc-flag {cls}{multi}" data-flags="{ids}" '
                       f'title="{esc(title)}">{piece}</mark>')
        else:
            out.append(piece)
        for i, _start, end, fam, typ in spans:
            if end == b:
                label = labels[i - 1] if labels else type_label(typ)
                out.append(f'<span class="rc-tag rc-fam-{esc(fam)}" data-type="{esc(typ)}">'
                           f'<span class="rc-tag-num">{i}</span>{esc(label)}</span>')
    out.append("</div>")
    return "".join(out)

_COLOURS = {"distancing": "\033[1;35m", "scripted_apology": "\033[1;33m", "dead_end": "\033[1;36m"}
_RESET = "\033[0m"


def use_colour(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR")


def highlight(text: str, flags: Sequence[Flag], colour: bool) -> str:
    """The draft with each flagged span marked: coloured on a TTY, [[...]]{type} otherwise."""
    out, pos = [], 0
    for f in sorted(flags, key=lambda f: f.start):
        if f.start < pos:
            continue
        out.append(text[pos:f.start])
        if colour:
            out.append(f"{_COLOURS.get(f.family, '')}{text[f.start:f.end]}{_RESET}")
        else:
            out.append(f"[[{text[f.start:f.end]}]]{{{f.type}}}")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def detectors_line(detectors: Sequence[str]) -> str:
    """The line every output carries, so no reader wonders which detectors found what."""
    return "detectors: " + ", ".join(detectors)


def announce(detectors: Sequence[str]) -> None:
    """Say on standard error which detectors a batch run uses (its results stay clean JSONL)."""
    print(f"reply-coach: {detectors_line(detectors)}", file=sys.stderr)


def format_flags(text: str, flags: Sequence[Flag], colour: bool = False,
                 detectors: Sequence[str] = ()) -> str:
    if not flags:
        clean = "No problems found: this draft owns the conversation."
        return clean + (f" ({detectors_line(detectors)})" if detectors else "")
    lines = [highlight(text, flags, colour), ""]
    for i, f in enumerate(flags, 1):
        label = TYPES[f.type].label
        head = f"{i}. {label} ({f.family}, {f.severity}) at {f.start}-{f.end}: \"{f.quote}\""
        if colour:
            head = f"{_COLOURS.get(f.family, '')}{head}{_RESET}"
        lines += [head, f"   why: {f.message}", f"   try: {f.suggestion}", f"   source: {f.source}"]
    n = len(flags)
    lines.append(f"\n{n} problem{'s' if n != 1 else ''} found"
                 + (f" ({detectors_line(detectors)})." if detectors else "."))
    return "\n".join(lines)
