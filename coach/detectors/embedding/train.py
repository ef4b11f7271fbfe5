"""Train the embedding head from labelled drafts in the eval schema (`reply-coach train-head`).

Examples are the same units the detector scores (sentences, and clauses of multi-clause
sentences, from `draft_units`); a unit is a positive for a type when a gold span of that type
covers at least half of the shorter of the two, and is left out for that type when it only grazes
one (neither a clear positive nor a fair negative). Clean drafts give negatives only.

Thresholds and calibration are chosen on held-out predictions: the splittable file is cut into
K folds by a hash of (seed, id), each fold is scored by a model trained without it (extra rows
are always training), Platt scaling is fitted on those out-of-fold scores, and each type's
threshold maximises that type's draft-level F1 on them while the clean-draft false-positive rate
stays within budget. The shipped head is then refitted on everything. Everything is
deterministic given the seed (hash folds, lbfgs, sorted inputs).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from coach.detectors.embedding.detector import context_vectors, draft_units, featurize
from coach.detectors.embedding.head import Head
from coach.embedder.model import MODEL_NAME, Embedder
from coach.errors import InputError
from coach.metrics import GoldItem, prf, span_match
from coach.taxonomy import TYPE_NAMES, TYPES
from coach.text import DraftView

DISABLED = 1.01          # threshold of a type with too few examples: never fires
MIN_POSITIVES = 4        # drafts with a type needed to train that type
C_GRID = (0.5, 2.0, 8.0)


@dataclass
class Examples:
    """Unit-level training matrix: X (n, f), labels Y (n, k) in {1, 0, -1 = ignore}."""

    x: np.ndarray
    y: np.ndarray
    draft: np.ndarray          # index of the draft each unit comes from
    is_sentence: np.ndarray    # sentences decide draft-level scores together with clauses
    drafts: list[GoldItem] = field(default_factory=list)


def unit_labels(start: int, end: int, gold: GoldItem, types: Sequence[str]) -> np.ndarray:
    row = np.zeros(len(types), dtype=np.int8)
    for _fam, t, gs, ge in gold.spans:
        if t not in types:
            continue
        k = types.index(t)
        if span_match((start, end), (gs, ge)):   # the eval's matching rule: a clear positive
            row[k] = 1
        elif min(end, ge) > max(start, gs) and row[k] == 0:  # only grazes it: ignored
            row[k] = -1
    return row


def build_examples(golds: Sequence[GoldItem], embedder: Embedder, features: str,
                   types: Sequence[str] = TYPE_NAMES) -> Examples:
    """Embed every unit of every draft (batched) and label it from the gold spans."""
    per = [draft_units(DraftView(g.text)) for g in golds]
    texts = []
    for du in per:
        texts += [s.text for s in du.sents]
        texts += [c.text for cs in du.clauses if len(cs) > 1 for c in cs]
    vecs = embedder.encode(texts)
    xs, ys, ds, iss = [], [], [], []
    pos = 0
    for di, (g, du) in enumerate(zip(golds, per)):
        n = len(du.sents)
        sv = vecs[pos:pos + n]
        pos += n
        ctx = context_vectors(sv)
        if n:
            xs.append(featurize(sv, ctx, features))
            ys += [unit_labels(s.start, s.end, g, types) for s in du.sents]
            ds += [di] * n
            iss += [True] * n
        for i, cs in enumerate(du.clauses):
            if len(cs) <= 1:
                continue
            cv = vecs[pos:pos + len(cs)]
            pos += len(cs)
            xs.append(featurize(cv, np.repeat(ctx[i:i + 1], len(cs), axis=0), features))
            ys += [unit_labels(c.start, c.end, g, types) for c in cs]
            ds += [di] * len(cs)
            iss += [False] * len(cs)
    dim = embedder.dim * (2 if features == "unit+context" else 1)
    x = np.vstack(xs) if xs else np.zeros((0, dim), dtype=np.float32)
    y = np.array(ys, dtype=np.int8).reshape(-1, len(types))
    return Examples(x, y, np.array(ds, dtype=np.int64), np.array(iss, dtype=bool), list(golds))


def fold_of(item_id: str, seed: int, k: int) -> int:
    """Stable fold of a draft: a hash of (seed, id), so splits never depend on file order."""
    h = hashlib.sha256(f"{seed}:{item_id}".encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") % k


def _fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="lbfgs")
    clf.fit(x, y)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, max_iter=1000, solver="lbfgs")
    clf.fit(z.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def _draft_max(scores: np.ndarray, draft: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    np.maximum.at(out, draft, scores)
    return out


def _ap(scores: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores)) if y.any() and not y.all() else 0.0


def choose_thresholds(draft_p: np.ndarray, gold: np.ndarray, clean: np.ndarray,
                      max_clean_fp: float, base: np.ndarray | None = None) -> np.ndarray:
    """Per type, the draft-level F1-best threshold; then raise the type that costs least F1 until
    the clean-draft FP rate is within `max_clean_fp`.

    draft_p (n, k) are draft-level probabilities, gold (n, k) booleans, clean (n,) booleans.
    `base` (n, k) booleans are what the detectors the head serves beside (the rules) already
    predict: thresholds are then chosen for the combination - a type the rules already cover
    gains little from the head and gets a high threshold, and the FP budget counts a clean draft
    flagged by either. Why: the head is never used alone by default, and choosing it alone
    spent the FP budget on drafts the rules got right, adding false alarms without recall.
    """
    n, k = draft_p.shape
    base = np.zeros_like(gold, dtype=bool) if base is None else base.astype(bool)
    grid = np.round(np.arange(0.30, 0.99, 0.01), 2)
    th = np.full(k, DISABLED)
    for j in range(k):
        if gold[:, j].sum() == 0:
            continue
        best = (-1.0, 0.0)
        for t in grid:
            pred = base[:, j] | (draft_p[:, j] >= t)
            tp = int((pred & gold[:, j]).sum())
            fp = int((pred & ~gold[:, j]).sum())
            fn = int((~pred & gold[:, j]).sum())
            f = prf(tp, fp, fn)["f"]
            if f >= best[0] - 1e-9:   # on equal F1 the higher threshold is the safer one
                best = (f, t)
        th[j] = best[1]

    def clean_fp(th_: np.ndarray) -> float:
        if not clean.any():
            return 0.0
        return float((base[clean] | (draft_p[clean] >= th_)).any(axis=1).mean())

    def total_f(th_: np.ndarray) -> float:
        pred = base | (draft_p >= th_)
        return prf(int((pred & gold).sum()), int((pred & ~gold).sum()),
                   int((~pred & gold).sum()))["f"]

    # Greedy: each step raises one type's threshold just past its lowest-scoring flagged clean
    # draft, choosing the step that loses the least F1 per clean draft saved.
    while clean_fp(th) > max_clean_fp:
        best = None
        for j in range(k):
            flagged = draft_p[clean & ~base.any(axis=1) & (draft_p[:, j] >= th[j]), j]
            if flagged.size == 0:
                continue
            t2 = th.copy()
            t2[j] = min(float(flagged.min()) + 1e-4, DISABLED)
            saved = clean_fp(th) - clean_fp(t2)
            cost = total_f(th) - total_f(t2)
            key = (saved > 0, -cost / max(saved, 1e-9), -j)
            if best is None or key > best[0]:
                best = (key, t2)
        if best is None:
            break
        th = best[1]
    return th


def rules_predictions(items: Sequence[GoldItem], types: Sequence[str]) -> np.ndarray:
    """(n, k) booleans: which types the default rule packs flag in each draft."""
    from coach.config import CoachConfig
    from coach.pipeline import Coach

    coach = Coach(CoachConfig(detectors=("rules",)))
    out = np.zeros((len(items), len(types)), dtype=bool)
    for i, flags in enumerate(coach.check_many([g.text for g in items])):
        for f in flags:
            if f.type in types:
                out[i, types.index(f.type)] = True
    return out


def train_head(split_items: Sequence[GoldItem], extra_items: Sequence[GoldItem],
               embedder: Embedder, seed: int = 13, folds: int = 5, features: str = "unit",
               max_clean_fp: float = 0.02, with_rules: bool = True, log=print) -> Head:
    """Cross-validate on `split_items` (extra items always train), then refit on everything.

    With `with_rules`, thresholds are chosen for rules + head together (see choose_thresholds)
    and the validation metrics describe that combination; otherwise for the head alone."""
    types = list(TYPE_NAMES)
    items = list(split_items) + list(extra_items)
    if not split_items:
        raise InputError("no labelled drafts to validate on")
    ex = build_examples(items, embedder, features, types)
    n_split = len(split_items)
    fold = np.array([fold_of(g.id, seed, folds) for g in split_items], dtype=np.int64)
    unit_fold = np.where(ex.draft < n_split, fold[np.minimum(ex.draft, n_split - 1)], -1)
    k = len(types)
    w = np.zeros((k, ex.x.shape[1]))
    b = np.zeros(k)
    pa, pc = np.ones(k), np.zeros(k)
    oof_p = np.zeros((int((ex.draft < n_split).sum()), k))
    val_mask = ex.draft < n_split
    gold_split = np.array([[t in g.types for t in types] for g in split_items], dtype=bool)
    chosen_c = {}
    for j, t in enumerate(types):
        yj = ex.y[:, j]
        n_drafts = len({int(d) for d in ex.draft[yj == 1]})
        if n_drafts < MIN_POSITIVES or len(set(fold[gold_split[:, j]])) < 2:
            log(f"  {t}: only {n_drafts} drafts with this type; disabled")
            pa[j], pc[j] = 0.0, -20.0
            continue
        best = None
        for c in C_GRID:
            z = np.zeros(len(yj))
            ok = True
            for f in range(folds):
                tr = (unit_fold != f) & (yj >= 0)
                te = unit_fold == f
                if not te.any():
                    continue
                if len(set(yj[tr].tolist())) < 2:
                    ok = False
                    break
                wf, bf = _fit(ex.x[tr], yj[tr], c)
                z[te] = ex.x[te] @ wf + bf
            if not ok:
                continue
            m = val_mask & (yj >= 0)
            ap = _ap(z[m], yj[m] == 1)
            if best is None or ap > best[0] + 1e-9:
                best = (ap, c, z)
        if best is None:
            pa[j], pc[j] = 0.0, -20.0
            continue
        _ap_v, c, z = best
        chosen_c[t] = c
        m = val_mask & (yj >= 0)
        pa[j], pc[j] = _platt(z[m], (yj[m] == 1).astype(int))
        oof_p[:, j] = 1.0 / (1.0 + np.exp(-(pa[j] * z[val_mask] + pc[j])))
        keep = yj >= 0
        w[j], b[j] = _fit(ex.x[keep], yj[keep], c)
    draft_p = np.vstack([_draft_max(oof_p[:, j], ex.draft[val_mask], n_split)
                         for j in range(k)]).T
    clean = ~gold_split.any(axis=1)
    base = rules_predictions(split_items, types) if with_rules else None
    th = choose_thresholds(draft_p, gold_split, clean, max_clean_fp, base)
    for j in range(k):
        if pa[j] == 0.0:
            th[j] = DISABLED
    pred = draft_p >= th
    metrics = validation_metrics(pred if base is None else pred | base, gold_split, clean, types)
    metrics["scope"] = "rules+head" if with_rules else "head"
    if base is not None:
        metrics["rules_alone"] = validation_metrics(base, gold_split, clean, types)["micro"]
        metrics["head_alone"] = validation_metrics(pred, gold_split, clean, types)["micro"]
    metrics["C"] = chosen_c
    head = Head(tuple(types), w.astype(np.float32), b.astype(np.float32), pa.astype(np.float32),
                pc.astype(np.float32), th.astype(np.float32), MODEL_NAME, embedder.dim, features,
                {"seed": seed, "folds": folds, "max_clean_fp": max_clean_fp,
                 "thresholds_for": "rules+head" if with_rules else "head",
                 "n_drafts": len(items), "n_validation_drafts": n_split,
                 "n_units": int(ex.x.shape[0]),
                 "positives": {t: int((ex.y[:, j] == 1).sum()) for j, t in enumerate(types)},
                 "validation": metrics})
    return head


def validation_metrics(pred: np.ndarray, gold: np.ndarray, clean: np.ndarray,
                       types: Sequence[str]) -> dict:
    """Draft-level metrics of out-of-fold predictions (what `reply-coach train-head` prints)."""
    per_type = {t: prf(int((pred[:, j] & gold[:, j]).sum()), int((pred[:, j] & ~gold[:, j]).sum()),
                       int((~pred[:, j] & gold[:, j]).sum())) for j, t in enumerate(types)}
    fams = sorted({TYPES[t].family for t in types})
    fp_ = lambda j: [i for i, t in enumerate(types) if TYPES[t].family == fams[j]]
    fpred = np.stack([pred[:, fp_(j)].any(axis=1) for j in range(len(fams))], axis=1)
    fgold = np.stack([gold[:, fp_(j)].any(axis=1) for j in range(len(fams))], axis=1)
    micro = prf(int((fpred & fgold).sum()), int((fpred & ~fgold).sum()), int((~fpred & fgold).sum()))
    cfp = float(pred[clean].any(axis=1).mean()) if clean.any() else 0.0
    return {"type": per_type, "micro": micro, "clean_fp_rate": round(cfp, 4),
            "n": int(len(pred)), "n_clean": int(clean.sum())}
