"""Human-readable output of flags for the terminal (colour only on a TTY, NO_COLOR honoured)."""
from __future__ import annotations

import os
from typing import Sequence

from coach.flags import Flag
from coach.taxonomy import TYPES

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


def format_flags(text: str, flags: Sequence[Flag], colour: bool = False) -> str:
    if not flags:
        return "No problems found: this draft owns the conversation."
    lines = [highlight(text, flags, colour), ""]
    for i, f in enumerate(flags, 1):
        label = TYPES[f.type].label
        head = f"{i}. {label} ({f.family}, {f.severity}) at {f.start}-{f.end}: \"{f.quote}\""
        if colour:
            head = f"{_COLOURS.get(f.family, '')}{head}{_RESET}"
        lines += [head, f"   why: {f.message}", f"   try: {f.suggestion}", f"   source: {f.source}"]
    n = len(flags)
    lines.append(f"\n{n} problem{'s' if n != 1 else ''} found.")
    return "\n".join(lines)
