"""Web app settings: limits, which detectors run, the rewrite mode, and the shared Coach objects.

The app never builds its own detection logic: it asks `coach.pipeline` for a `Coach` with the
detectors picked on the Settings tab. Coaches are cached per detector set because loading a
model-backed detector takes seconds and the page must stay fast after the first check.
"""
from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Mapping, Sequence

from coach.config import CoachConfig
from coach.errors import ConfigError
from coach.pipeline import DETECTORS, Coach
from coach.web.render import esc, table_html

# A support reply is a few hundred characters; 10,000 leaves room for long emails and quoted
# threads while keeping one request cheap. Uploads are bounded the same way.
MAX_DRAFT_CHARS = 10_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_LABEL = "20 MB"

REWRITE_ENV = "REPLY_COACH_REWRITE"
REWRITE_MODES = ("model", "fallback")

DETECTOR_INFO: dict[str, tuple[str, str]] = {
    "rules": ("Rules", "Context-aware regex rule packs (coach/detectors/rules/packs); instant."),
    "embedding": ("Embeddings", "Sentence embeddings (all-MiniLM-L6-v2, installed package) with "
                                "a trained classifier head; tens of ms per draft on CPU."),
    "lm": ("Language model", "The local rewrite model (qwen2.5-coder-1.5b-instruct) as a judge "
                             "returning checked JSON flags; seconds per draft on CPU."),
}


def rewrite_mode(env: Mapping[str, str] | None = None) -> str:
    """`model` (default) asks the local model; `fallback` uses the rule-based rewrite only.

    Tests and slow machines set REPLY_COACH_REWRITE=fallback so a rewrite never waits on a model.
    """
    value = (env if env is not None else os.environ).get(REWRITE_ENV, "model").strip().lower()
    if value not in REWRITE_MODES:
        raise ConfigError(f"{REWRITE_ENV}={value!r}; expected one of {', '.join(REWRITE_MODES)}")
    return value


def available_detectors() -> list[str]:
    """Detector names registered in the pipeline, in a stable, friendly order."""
    known = [d for d in DETECTOR_INFO if d in DETECTORS]
    return known + sorted(d for d in DETECTORS if d not in DETECTOR_INFO)


def detector_choices() -> list[tuple[str, str]]:
    """(label, name) pairs for the Settings checkboxes."""
    return [(DETECTOR_INFO.get(d, (d, ""))[0], d) for d in available_detectors()]


def normalize_detectors(selected: Sequence[str] | str | None,
                        default: Sequence[str] = ("rules",)) -> tuple[str, ...]:
    """The detectors to run, validated: unknown names and an empty choice are clear errors."""
    if selected is None:
        return tuple(default)
    if isinstance(selected, str):
        selected = [s.strip() for s in selected.split(",") if s.strip()]
    chosen = tuple(dict.fromkeys(selected))
    if not chosen:
        raise ConfigError("choose at least one detector on the Settings tab")
    unknown = [d for d in chosen if d not in DETECTORS]
    if unknown:
        raise ConfigError(f"unknown detector(s) {unknown}; available: {available_detectors()}")
    return chosen


class CoachCache:
    """One Coach per detector set, built on first use and shared by every request.

    The key is the set in `available_detectors()` order, so ["embedding", "rules"] and
    ["rules", "embedding"] share one Coach. Building one (loading a model can take seconds)
    happens outside the cache-wide lock, under a lock for that key only, so a rules-only check
    never waits for another detector set to load, and one set is never built twice at once.
    """

    def __init__(self, base: CoachConfig | None = None) -> None:
        self.base = base or CoachConfig()
        self._coaches: dict[tuple[str, ...], Coach] = {}
        self._building: dict[tuple[str, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def default_detectors(self) -> tuple[str, ...]:
        return tuple(self.base.detectors)

    def key(self, detectors: Sequence[str] | str | None = None) -> tuple[str, ...]:
        chosen = normalize_detectors(detectors, self.default_detectors)
        order = {d: i for i, d in enumerate(available_detectors())}
        return tuple(sorted(chosen, key=lambda d: order.get(d, len(order))))

    def get(self, detectors: Sequence[str] | str | None = None) -> Coach:
        key = self.key(detectors)
        with self._lock:
            coach = self._coaches.get(key)
            if coach is not None:
                return coach
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                coach = self._coaches.get(key)
            if coach is None:
                coach = Coach(replace(self.base, detectors=key, name="+".join(key)))
                with self._lock:
                    self._coaches[key] = coach
                    self._building.pop(key, None)
            return coach

    def config_for(self, detectors: Sequence[str] | str | None = None) -> CoachConfig:
        return self.get(detectors).config


def rewrite_model_name() -> str:
    """The name of the local rewrite model, if the rewrite package says which it uses."""
    try:
        import coach.rewrite.rewriter as rw  # noqa: PLC0415 (optional feature)
    except ImportError:
        return "not installed (coach.rewrite missing)"
    for attr in ("MODEL_NAME", "MODEL_ID", "DEFAULT_MODEL"):
        if isinstance(getattr(rw, attr, None), str):
            return getattr(rw, attr)
    for mod_name in ("coach.lm.cards", "coach.lm"):
        try:
            mod = __import__(mod_name, fromlist=["_"])
        except ImportError:
            continue
        for attr in ("MODEL_NAME", "MODEL_ID", "DEFAULT_MODEL"):
            if isinstance(getattr(mod, attr, None), str):
                return getattr(mod, attr)
    return "local model (coach.lm)"


def settings_html(detectors: Sequence[str], mode: str, model_name: str | None = None) -> str:
    """What runs, shown on the page: detectors on/off, the rewrite model and mode, the limits."""
    on = set(detectors)
    rows = []
    for d in available_detectors():
        label, desc = DETECTOR_INFO.get(d, (d, ""))
        rows.append((label, "on" if d in on else "off", desc))
    model = model_name if model_name is not None else rewrite_model_name()
    rewrite = ("checked ownership edits, else the local model, checked; rule-based fallback if "
               "neither passes" if mode == "model" else
               "checked ownership edits, else the rule-based fallback; no model "
               "(REPLY_COACH_REWRITE=fallback)")
    return (table_html(("Detector", "Status", "What it does"), rows) +
            '<dl class="rc-settings">'
            f"<dt>Rewrite model</dt><dd>{esc(model)}</dd>"
            f"<dt>Rewrite mode</dt><dd>{esc(rewrite)}</dd>"
            f"<dt>Limits</dt><dd>drafts up to {MAX_DRAFT_CHARS:,} characters; uploads up to "
            f"{MAX_UPLOAD_LABEL} each</dd>"
            "<dt>Privacy</dt><dd>runs on this machine only; analytics off; no draft text is "
            "logged</dd></dl>")


def status_line(detectors: Sequence[str], mode: str) -> str:
    """The short line under the page title naming what is running."""
    names = ", ".join(DETECTOR_INFO.get(d, (d, ""))[0] for d in detectors)
    rw = "local model" if mode == "model" else "rule-based fallback"
    return (f'<p class="rc-status">Detectors: <strong>{esc(names)}</strong> · Rewrite: '
            f'<strong>{esc(rw)}</strong> · Runs on this machine; nothing leaves it.</p>')
