"""EmbeddingDetector: flags sentences/clauses whose meaning matches a problem type.

Per batch of drafts: embed every sentence worth embedding (one batched model call, cached), score
it with the head, and only for sentences that look suspicious (score >= `clause_gate` x the
type's threshold) embed their clauses too, so a flag points at the clause that carries the
problem ("so there's nothing I can do") rather than the whole sentence. The same `draft_units` /
`featurize` code builds training examples, so training and inference cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from coach.config import CoachConfig
from coach.detectors.embedding.head import Head, load_head
from coach.embedder.model import MODEL_NAME, Embedder, get_embedder
from coach.detectors.embedding.segment import Unit, clauses, sentences, worth_embedding
from coach.errors import ConfigError
from coach.flags import Flag
from coach.taxonomy import TYPES
from coach.text import DraftView

CLAUSE_GATE = 0.5   # examine clauses of a sentence scoring >= this fraction of a threshold


@dataclass
class DraftUnits:
    """The embedded units of one draft: its sentences and, per sentence, its clauses."""

    sents: list[Unit]
    clauses: list[list[Unit]]   # clauses[i] are the clauses of sents[i] (itself if it has none)


def draft_units(view: DraftView) -> DraftUnits:
    sents = [u for u in sentences(view) if worth_embedding(u)]
    return DraftUnits(sents, [clauses(view, s) for s in sents])


def context_vectors(sent_vecs: np.ndarray) -> np.ndarray:
    """For each sentence, the mean vector of the draft's *other* sentences (zeros if alone)."""
    n = sent_vecs.shape[0]
    if n <= 1:
        return np.zeros_like(sent_vecs)
    total = sent_vecs.sum(axis=0, keepdims=True)
    return (total - sent_vecs) / (n - 1)


def featurize(unit_vecs: np.ndarray, ctx_vecs: np.ndarray, kind: str) -> np.ndarray:
    """Feature rows for units: the unit's own vector, plus its draft context for `unit+context`."""
    if kind == "unit+context":
        return np.hstack([unit_vecs, ctx_vecs]).astype(np.float32)
    return unit_vecs.astype(np.float32)


def _without_flagged(du: DraftUnits, flags: Sequence[Flag]) -> DraftUnits:
    """The units of `du` whose sentence overlaps none of `flags`."""
    if not flags:
        return du
    keep = [i for i, s in enumerate(du.sents)
            if not any(f.start < s.end and s.start < f.end for f in flags)]
    return DraftUnits([du.sents[i] for i in keep], [du.clauses[i] for i in keep])


class EmbeddingDetector:
    """The `embedding` detector of the pipeline (source "embedding", score = probability)."""

    name = "embedding"
    uses_prior_flags = True
    skip_flagged = True

    def __init__(self, config: CoachConfig | None = None, embedder: Embedder | None = None,
                 head: Head | None = None) -> None:
        config = config or CoachConfig()
        self.head = head or load_head(config.model_dir)
        if self.head.model and self.head.model != MODEL_NAME:
            raise ConfigError(f"the embedding head was trained on {self.head.model!r} but this "
                              f"install provides {MODEL_NAME!r}; retrain it with `reply-coach train-head`")
        self.thresholds = self.head.thresholds.copy()
        for t, v in (config.thresholds or {}).items():
            if t not in TYPES:
                raise ConfigError(f"thresholds: unknown type {t!r}; expected one of {list(TYPES)}")
            if not isinstance(v, (int, float)) or not 0.0 <= float(v) <= 1.0:
                raise ConfigError(f"thresholds: {t} must be a number between 0 and 1, got {v!r}")
            if t in self.head.types:
                self.thresholds[self.head.types.index(t)] = float(v)
        self.embedder = embedder or get_embedder()
        if self.embedder.dim != self.head.dim:
            raise ConfigError(f"the embedding head expects {self.head.dim}-d vectors, the model "
                              f"gives {self.embedder.dim}-d; retrain it with `reply-coach train-head`")

    def detect(self, view: DraftView) -> list[Flag]:
        return self.detect_many([view])[0]

    def detect_many(self, views: Sequence[DraftView],
                    prior: Sequence[Sequence[Flag]] | None = None) -> list[list[Flag]]:
        """Flags per draft. `prior` are flags earlier detectors (the rules) found in each draft:
        a sentence overlapping one is not embedded, since the merged result would keep one flag
        per span anyway; this is most of the work the model is spared in a flagged draft."""
        units = [draft_units(v) for v in views]
        if prior is not None and self.skip_flagged:
            units = [_without_flagged(du, fl) for du, fl in zip(units, prior)]
        flat = [s.text for du in units for s in du.sents]
        vecs = self.embedder.encode(flat)
        head, th = self.head, self.thresholds
        # Sentence scores, per draft.
        per_draft, pos = [], 0
        for du in units:
            sv = vecs[pos:pos + len(du.sents)]
            pos += len(du.sents)
            ctx = context_vectors(sv)
            per_draft.append((ctx, head.proba(featurize(sv, ctx, head.features))))
        # Clauses of suspicious multi-clause sentences, embedded in one more batched call.
        want: list[tuple[int, int]] = []
        for d, (du, (_ctx, p)) in enumerate(zip(units, per_draft)):
            for i in range(len(du.sents)):
                if len(du.clauses[i]) > 1 and (p[i] >= CLAUSE_GATE * th).any():
                    want.append((d, i))
        cvecs = self.embedder.encode([c.text for d, i in want for c in units[d].clauses[i]])
        clause_p: dict[tuple[int, int], np.ndarray] = {}
        pos = 0
        for d, i in want:
            cs = units[d].clauses[i]
            ctx = np.repeat(per_draft[d][0][i:i + 1], len(cs), axis=0)
            clause_p[(d, i)] = head.proba(featurize(cvecs[pos:pos + len(cs)], ctx, head.features))
            pos += len(cs)
        out = []
        for d, (du, (_ctx, p)) in enumerate(zip(units, per_draft)):
            flags: list[Flag] = []
            for i, sent in enumerate(du.sents):
                cp = clause_p.get((d, i))
                for k, t in enumerate(head.types):
                    best_unit, best_p = None, 0.0
                    if cp is not None and cp[:, k].max() >= th[k]:
                        j = int(cp[:, k].argmax())
                        best_unit, best_p = du.clauses[i][j], float(cp[j, k])
                    elif p[i, k] >= th[k]:
                        best_unit, best_p = sent, float(p[i, k])
                    if best_unit is not None:
                        flags.append(self._flag(views[d], t, best_unit, best_p))
            out.append(flags)
        return out

    @staticmethod
    def _flag(view: DraftView, type_name: str, unit: Unit, score: float) -> Flag:
        t = TYPES[type_name]
        return Flag(t.family, t.name, unit.start, unit.end, view.text[unit.start:unit.end],
                    t.why, t.fix, t.severity, "embedding", rule="", score=score)
