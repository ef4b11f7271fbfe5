"""The Suggest-rewrite handler: the ownership rewrite, its diff against the draft, and its checks.

The rewrite itself comes from `coach.rewrite.rewriter.rewrite` (the same function as the CLI's);
this module only validates the draft, picks model or fallback mode, and shapes the result for
the page or the `rewrite` API endpoint. The model may take seconds on CPU, so the app queues
these calls with a concurrency limit of 1 while Check runs on its own, never waiting.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Callable

from coach.errors import CoachError, ModelUnavailableError
from coach.flags import Flag
from coach.pipeline import Coach
from coach.web import render
from coach.web.check import error_message, validate_draft

log = logging.getLogger("coach.web")

RewriteFn = Callable[..., Any]


@dataclass
class RewriteView:
    """Everything the rewrite panel shows."""

    text: str
    status_html: str
    diff_html: str
    checks_html: str
    changes_html: str = ""

    def as_tuple(self) -> tuple[str, str, str, str, str]:
        return self.status_html, self.text, self.changes_html, self.diff_html, self.checks_html


def load_rewrite_fn() -> RewriteFn:
    """The shared rewrite function, imported only when first needed (it may load a model)."""
    try:
        from coach.rewrite.rewriter import rewrite  # noqa: PLC0415 (optional, heavy)
    except ImportError as e:
        raise ModelUnavailableError(
            "the rewrite feature is not installed (coach.rewrite.rewriter is missing: "
            f"{e}); reinstall Reply Coach with `make setup`") from None
    return rewrite


def run_rewrite(text: str, coach: Coach, mode: str = "model",
                rewrite_fn: RewriteFn | None = None, timeout_s: float = 30.0) -> dict:
    """Rewrite a validated draft and return the result as plain JSON-able data."""
    draft = validate_draft(text)
    fn = rewrite_fn or load_rewrite_fn()
    t0 = time.perf_counter()
    res = fn(draft, coach=coach, use_model=(mode == "model"), timeout_s=timeout_s)
    waited_ms = (time.perf_counter() - t0) * 1000
    # RewriteResult.flags are the draft's flags, the problems the rewrite had to fix.
    flags = [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in (res.flags or [])]
    log.info("rewrite: %d chars in, source %s, %.0f ms", len(draft), res.source, res.latency_ms)
    # latency_ms is what the caller waited, model loading included (the rewrite's own figure
    # leaves out a first call's warm-up, which the agent waits through all the same).
    return {"rewrite": res.rewrite, "source": res.source, "checks": dict(res.checks),
            "latency_ms": round(max(waited_ms, float(res.latency_ms)), 1), "draft_flags": flags}


def source_note(result: dict, mode: str) -> str:
    """Where the rewrite came from, how long it took, and what the agent still has to do."""
    ms = result.get("latency_ms", 0.0)
    if result.get("source") == "unchanged":
        return ("No problem found in this draft, so there is nothing to rewrite: it already "
                "owns the conversation.")
    if result.get("source") == "no_rewrite":
        why = _failed_checks(result.get("checks") or {})
        return (f"No rewrite passed the checks ({why}; {ms / 1000:.1f} s), so none is offered. "
                "The highlighted sentences and their cards say what to change.")
    if result.get("source") == "model":
        note = f"Rewritten by the local model in {ms / 1000:.1f} s and checked."
    elif result.get("source") == "transform":
        note = (f"Ownership edit of your own words ({ms:.0f} ms), checked: the flagged parts were "
                "reworded as \"we\" or removed; nothing new was added.")
    elif mode == "fallback":
        note = (f"Rule-based rewrite ({ms:.0f} ms): the model is switched off "
                "(REPLY_COACH_REWRITE=fallback).")
    else:
        note = (f"Rule-based rewrite ({ms / 1000:.1f} s): the model was unavailable, too slow, "
                "or none of its candidates passed the checks.")
    if re.search(r"\[[^\]]+\]", result.get("rewrite", "")):
        note += " Fill in the [bracketed] parts before sending."
    return note


def _failed_checks(checks: dict) -> str:
    parts = []
    if checks.get("flags_left"):
        parts.append(f"{len(checks['flags_left'])} problem(s) left")
    if checks.get("facts_missing"):
        parts.append("a fact of the draft lost")
    if checks.get("promises_added"):
        parts.append("an offer the draft does not make")
    return ", ".join(parts) or "it did not read as one owned reply"


def rewrite_draft(text: str, coach: Coach, mode: str = "model",
                  rewrite_fn: RewriteFn | None = None) -> RewriteView:
    """The rewrite panel for one draft; problems come back as a notice, never an exception."""
    try:
        result = run_rewrite(text, coach, mode, rewrite_fn)
    except CoachError as e:
        return RewriteView("", render.notice_html(error_message(e), "error"), "", "")
    draft = text
    note = render.notice_html(source_note(result, mode),
                              {"model": "ok", "transform": "ok", "unchanged": "ok",
                               "no_rewrite": "warn"}.get(result["source"], "info"))
    if result["source"] in ("unchanged", "no_rewrite"):
        return RewriteView(result["rewrite"], note, "", "")
    flags = [Flag.from_dict(f) for f in result["draft_flags"]]
    return RewriteView(result["rewrite"], note, render.diff_html(draft, result["rewrite"]),
                       render.checks_html(result["checks"]),
                       render.changes_html(draft, result["rewrite"], flags))


def working_html(mode: str) -> str:
    """Shown at once when Suggest rewrite is clicked, before the (slow) model answers."""
    queue = (" If other rewrites are ahead of yours, the box below shows your place in line and "
             "an estimate (queue: 2/3 | 4.1/12.0s).")
    if mode == "model":
        return render.notice_html("Writing an ownership rewrite with the local model; this can "
                                  "take several seconds on CPU. Checks keep working meanwhile."
                                  + queue, "info")
    return render.notice_html("Writing a rule-based ownership rewrite…" + queue, "info")
