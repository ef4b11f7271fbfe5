"""The Check handler: a draft in, flags and the HTML that explains them out.

Runs `Coach.check` (the same call the CLI makes); this module only validates the input against
the web limits and turns flags into page pieces or the JSON the `check` API endpoint returns.
Drafts are never logged: only their length.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from coach.errors import CoachError, InputError
from coach.flags import Flag
from coach.pipeline import Coach
from coach.web import render
from coach.web.settings import MAX_DRAFT_CHARS

log = logging.getLogger("coach.web")


@dataclass
class CheckView:
    """Everything the Coach tab shows after Check."""

    summary_html: str
    highlight_html: str
    legend_html: str
    cards_html: str
    flags: list[Flag] = field(default_factory=list)

    def as_tuple(self) -> tuple[str, str, str, str]:
        return self.summary_html, self.highlight_html, self.legend_html, self.cards_html


def validate_draft(text: object, limit: int = MAX_DRAFT_CHARS) -> str:
    """The draft as a non-empty string within the web limit, or an InputError that says why."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(f"the draft must be text, got {type(text).__name__}", field="draft")
    if not text.strip():
        raise InputError("paste a draft reply first", field="draft")
    if len(text) > limit:
        raise InputError(f"the draft is {len(text):,} characters; the limit is {limit:,}. "
                         "Check one reply at a time, or score long transcripts on the "
                         "Score transcripts tab", field="draft")
    return text


def error_message(err: CoachError, paths: Sequence[Path] = ()) -> str:
    """A user-facing message: no `<input>: field 'draft':` noise for drafts, and uploads named
    by the file name the user picked rather than Gradio's temp path."""
    if isinstance(err, InputError) and err.path is None and err.line is None:
        return err.reason[:1].upper() + err.reason[1:] + "."
    msg = str(err)
    for p in paths:
        msg = msg.replace(str(p), p.name)
    return msg


def check_draft(text: str, coach: Coach) -> CheckView:
    """Check one draft; a bad draft comes back as a clear notice instead of an exception."""
    try:
        draft = validate_draft(text)
        flags = coach.check(draft)
    except CoachError as e:
        return CheckView(render.notice_html(error_message(e), "error"), "", "", "")
    log.info("check: %d chars, %d flags", len(draft), len(flags))
    return CheckView(render.summary_html(flags), render.highlight_html(draft, flags),
                     render.legend_html(flags), render.cards_html(flags), flags)


def check_api(text: str, coach: Coach) -> dict:
    """The `check` endpoint's JSON: the flags in their public shape, plus a verdict.

    Raises InputError for an empty or over-long draft (the app turns it into an API error).
    """
    draft = validate_draft(text)
    flags = coach.check(draft)
    log.info("check api: %d chars, %d flags", len(draft), len(flags))
    return {
        "clean": not flags,
        "count": len(flags),
        "flags": [f.to_dict() for f in flags],
        "detectors": list(coach.config.detectors),
        "message": render.CLEAN_MESSAGE if not flags else
        f"{len(flags)} problem{'s' if len(flags) != 1 else ''} found",
    }
