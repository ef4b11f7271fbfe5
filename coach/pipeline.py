"""The Coach pipeline: run the configured detectors over a draft and merge their flags.

Like a spaCy pipeline, detectors are looked up by name in a registry, so `check`, `eval`, the app
and batch scoring all run exactly the same code and a new detector is one `register_detector`
away. Every entry point goes through `Coach.check` / `Coach.check_many`.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Callable, Iterable, Protocol, Sequence

from coach.config import CoachConfig
from coach.errors import ConfigError, InputError
from coach.flags import Flag
from coach.detectors.rules.calibration import load_trust, untrusted
from coach.taxonomy import SEVERITIES, TYPES
from coach.text import DraftView, word_bounds


class Detector(Protocol):
    name: str

    def detect(self, view: DraftView) -> list[Flag]: ...


DETECTORS: dict[str, Callable[[CoachConfig], Detector]] = {}


def register_detector(name: str) -> Callable:
    def deco(factory: Callable[[CoachConfig], Detector]) -> Callable[[CoachConfig], Detector]:
        DETECTORS[name] = factory
        return factory
    return deco


@register_detector("rules")
def _rules(config: CoachConfig) -> Detector:
    from coach.detectors.rules.engine import RuleDetector

    return RuleDetector(config.rule_packs, builtin=config.builtin_rules)


@register_detector("embedding")
def _embedding(config: CoachConfig) -> Detector:
    # Imported lazily: loading torch and the model takes seconds, and rules-only runs never pay it.
    from coach.detectors.embedding.detector import EmbeddingDetector

    return EmbeddingDetector(config)


@register_detector("tagger")
def _tagger(config: CoachConfig) -> Detector:
    # The fine-tuned span tagger (coach/detectors/tagger): ONNX Runtime + tokenizers, loaded once.
    from coach.detectors.tagger.detector import TaggerDetector

    return TaggerDetector(config)


@register_detector("lm")
def _lm(config: CoachConfig) -> Detector:
    # The local language model as a judge (coach/detectors/judge.py); loads ~1 GB on first use.
    from coach.detectors.judge import make_judge

    return make_judge(config)


def merge_flags(flags: Iterable[Flag]) -> list[Flag]:
    """One flag per problem span.

    Overlapping flags of the same family become one flag: the type with the most support (number
    of distinct detectors/rules agreeing, then severity, then score) wins, the span is the union,
    and every source is listed (`rules+embedding`). Overlapping flags of different families are
    different problems and are both kept.

    Groups are found in one sweep per family over the flags sorted by start: a flag joins the
    open group when it starts before the group's furthest end. That is linear after the sort,
    where comparing every flag with every group made a 1 MB transcript take minutes.
    """
    open_groups: dict[str, tuple[list[Flag], int]] = {}   # family -> (group, furthest end)
    groups: list[list[Flag]] = []
    for f in sorted(flags, key=lambda f: (f.start, -f.end)):
        g = open_groups.get(f.family)
        if g is not None and f.start < g[1]:
            g[0].append(f)
            open_groups[f.family] = (g[0], max(g[1], f.end))
        else:
            group = [f]
            groups.append(group)
            open_groups[f.family] = (group, f.end)
    merged = []
    for g in groups:
        if len(g) == 1:
            merged.append(g[0])
            continue
        support: dict[str, set[str]] = {}
        for f in g:
            support.setdefault(f.type, set()).add(f.source + ":" + f.rule)
        best = max(g, key=lambda f: (len(support[f.type]), SEVERITIES.index(f.severity), f.score,
                                     f.end - f.start))
        start, end = min(f.start for f in g), max(f.end for f in g)
        sources = []
        for f in g:
            for s in f.source.split("+"):
                if s not in sources:
                    sources.append(s)
        rules = sorted({f.rule for f in g if f.rule})
        merged.append(Flag(best.family, best.type, start, end, "", best.message, best.suggestion,
                           best.severity, "+".join(sources), rule=",".join(rules),
                           score=max(f.score for f in g)))
    return sorted(merged, key=lambda f: (f.start, f.end))


# Detectors that can corroborate a weak rule: the tagger reads every sentence. (The embedding
# detector skips what the rules flagged, so it could never agree; rules + embedding keeps every
# rule, as it always did.)
LEARNED = ("tagger",)


def corroborated(flags: list[Flag], trust: dict[str, float]) -> list[Flag]:
    """Drop the flags of rules measured below the trust line (coach.detectors.rules.calibration) unless a
    learned detector flags the same family in an overlapping span. Linear: one pass per
    family over the flags sorted by start, against the learned flags' running furthest end."""
    keep = [True] * len(flags)
    order = sorted(range(len(flags)), key=lambda i: flags[i].start)
    for fam in {f.family for f in flags}:
        idx = [i for i in order if flags[i].family == fam]
        learned = [(flags[i].start, flags[i].end) for i in idx if flags[i].source != "rules"]
        starts = [s for s, _e in learned]
        ends_max = []          # furthest end among learned flags starting at or before k
        m = -1
        for _s, e in learned:
            m = max(m, e)
            ends_max.append(m)
        for i in idx:
            f = flags[i]
            if f.source != "rules" or not untrusted(f.rule, trust):
                continue
            k = bisect_left(starts, f.end) - 1      # learned flags starting before f ends
            keep[i] = k >= 0 and ends_max[k] > f.start
    return [f for f, k in zip(flags, keep) if k]


_CUES: dict[str, re.Pattern[str]] = {}


def _cue(name: str) -> re.Pattern[str]:
    """A lexicon pattern (REASON, ALTERNATIVE, OWNED_OFFER), compiled once: the lexicon is the one
    place the words of a reason and of an offer live."""
    rx = _CUES.get(name)
    if rx is None:
        from coach import lexicon

        rx = _CUES[name] = re.compile(lexicon.pattern(name), re.I)
    return rx


def explained(view: DraftView, flags: list[Flag]) -> list[Flag]:
    """Drop the flags of types that are clean once explained (`clean_when` in
    coach/types/<type>.yaml) where the reply says what cures them: a REASON in the flag's
    sentence or the next, and each other cue (ALTERNATIVE, OWNED_OFFER) after the flag, in the
    rest of its sentence or the next.
    "We can't waive the fee. We set it because ...; what I can do is ..." is the owned policy
    the taxonomy asks for, and "I can't change it once it's packed. What I can do is ..." no
    longer leaves the customer powerless, whichever detector read the first sentence on its own.
    The rule packs already say so in their `unless`; this holds it for the learned tagger too."""
    if not any(TYPES[f.type].clean_when for f in flags if f.type in TYPES):
        return flags
    keep = []
    for f in flags:
        cues = TYPES[f.type].clean_when if f.type in TYPES else ()
        if cues:
            a, b = view.window_bounds(f.start, f.end, "next")
            if all(_cue(c).search(view.masked, a if c == "REASON" else f.end, b) for c in cues):
                continue
        keep.append(f)
    return keep


class Coach:
    """Runs the configured detectors and returns merged flags with exact offsets."""

    def __init__(self, config: CoachConfig | None = None) -> None:
        self.config = config or CoachConfig()
        unknown = [d for d in self.config.detectors if d not in DETECTORS]
        if unknown:
            raise ConfigError(f"unknown detector(s) {unknown}; available: {sorted(DETECTORS)}")
        if not self.config.detectors:
            raise ConfigError("no detectors selected")
        self.detectors: list[Detector] = [DETECTORS[d](self.config) for d in self.config.detectors]
        # Rules are weighed against a learned detector only when one runs (see corroborated).
        learned = any(d in LEARNED for d in self.config.detectors)
        self._trust = load_trust(str(self.config.rule_trust)) if learned and \
            self.config.rule_trust else {}

    def _validate(self, text: object) -> str:
        if not isinstance(text, str):
            raise InputError(f"draft must be text, got {type(text).__name__}", field="text")
        if len(text) > self.config.max_chars:
            raise InputError(f"draft is {len(text):,} characters; the limit is "
                             f"{self.config.max_chars:,}", field="text")
        return text

    def check(self, text: str) -> list[Flag]:
        return self.check_many([text])[0]

    def check_many(self, texts: Sequence[str]) -> list[list[Flag]]:
        """Check a batch of drafts (batched detectors such as embeddings run once per batch)."""
        views = [DraftView(self._validate(t), self.config.allowlist) for t in texts]
        per_draft: list[list[Flag]] = [[] for _ in views]
        # A detector that can start in the background (the tagger's encoder) starts first, and
        # the others run while it works; flags still join in the detectors' order.
        started = {id(det): det.start_many(views) for det in self.detectors
                   if hasattr(det, "start_many") and not getattr(det, "uses_prior_flags", False)}
        for det in self.detectors:
            batch = getattr(det, "detect_many", None)
            if id(det) in started:
                results = started[id(det)]()
            elif batch is not None and getattr(det, "uses_prior_flags", False):
                # A costly detector skips what earlier (cheaper) detectors already flagged.
                results = batch(views, prior=per_draft)
            elif batch is not None:
                results = batch(views)
            else:
                results = [det.detect(v) for v in views]
            for acc, fl in zip(per_draft, results):
                acc.extend(fl)
        out = []
        for view, fl in zip(views, per_draft):
            # A flag inside an ignored region (allowlist phrase or coach-off marker) is dropped.
            kept = [f for f in fl if not view.is_ignored(f.start, f.end)]
            if self._trust:
                kept = corroborated(kept, self._trust)
            for f in kept:
                f.start, f.end = word_bounds(view.text, f.start, f.end)
            merged = explained(view, merge_flags(kept))
            for f in merged:
                f.quote = view.text[f.start:f.end]
            out.append(merged)
        return out

