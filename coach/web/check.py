"""The Check handler: a draft in, flags and the HTML that explains them out.

Runs `Coach.check` (the same call the CLI makes); this module only validates the input against
the web limits and turns flags into page pieces or the JSON the `check` API endpoint returns.
Drafts are never logged: only their length.

Live checking (highlights while the agent types) runs the same check, debounced in the page
(LIVE_DEBOUNCE_MS after the last keystroke), with two savings that keep it exact:

* a draft whose result is already on the page (same text, same or more detectors) is not
  checked again (`already_shown`);
* within a changed draft, only new sentences reach the embedding model: the shared `Embedder`
  caches sentence vectors by text, so unchanged sentences are looked up, not re-encoded. The
  rules re-scan the whole draft (well under a millisecond) because their context windows
  (`after`, `around`, `next`, ...) cross sentences: checking sentences one by one would give
  different flags from Check.

The `lm` detector (seconds per draft, one call at a time) is left out of live checks; it runs
when Check is pressed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from coach.errors import CoachError, InputError, NothingToCheck
from coach.flags import Flag
from coach.pipeline import Coach
from coach.web import render
from coach.web.settings import DETECTOR_INFO, MAX_DRAFT_CHARS

log = logging.getLogger("coach.web")

LIVE_DEBOUNCE_MS = 400
LIVE_SKIPPED = ("lm",)   # too slow to run on every pause in typing; Check runs it
START_HINT = "Type or paste a draft: problems are highlighted as you type (or press Check)."


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
        raise NothingToCheck("paste a draft reply first", field="draft")
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


def _labels(detectors: Sequence[str]) -> str:
    return ", ".join(DETECTOR_INFO.get(d, (d, ""))[0] for d in detectors)


def start_view() -> CheckView:
    """What the Coach tab shows with no draft: the hint, an empty legend."""
    return CheckView(render.notice_html(START_HINT, "info"), "", render.legend_html(), "")


def live_detectors(detectors: Sequence[str] | None) -> tuple[str, ...]:
    """The chosen detectors a live check runs: all but the slow ones (LIVE_SKIPPED)."""
    return tuple(d for d in (detectors or ()) if d not in LIVE_SKIPPED)


def shown_key(text: str, detectors: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """What a result on the page was computed from (kept in the page's session state)."""
    return text, tuple(detectors)


def already_shown(text: object, detectors: Sequence[str], shown: object) -> bool:
    """True when the page already shows this draft checked with these detectors (or more), so a
    live check has nothing to add: typing and deleting a character, or a live check firing just
    after Check, does no work and does not replace a fuller result (one with `lm`)."""
    if not isinstance(shown, (tuple, list)) or len(shown) != 2:
        return False
    shown_text, shown_dets = shown
    return shown_text == text and set(detectors) <= set(shown_dets or ())


def live_check_draft(text: object, coach: Coach, skipped: Sequence[str] = ()) -> CheckView:
    """The live check of a draft being typed: an empty box shows the hint, not an error, and
    the summary says which chosen detectors wait for Check."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return start_view()
    view = check_draft(text, coach)
    if skipped and view.highlight_html:
        names = _labels(skipped)
        view.summary_html += render.notice_html(
            f"Checked as you type without the {names} detector; press Check to run it too.",
            "info")
    return view


def live_off_view(chosen: Sequence[str]) -> CheckView:
    """Only slow detectors chosen: nothing to run while typing."""
    names = _labels(chosen)
    return CheckView(render.notice_html(
        f"Live checking is off: only the {names} detector is chosen, which is too slow to run "
        "while you type. Press Check.", "info"), "", render.legend_html(), "")
