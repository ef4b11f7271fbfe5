"""The trained classifier head: one calibrated logistic regression per problem type.

A head is a few kilobytes of numbers, kept as two files in a directory so it can be versioned in
`models/` and shipped to trainers: `head.npz` (weights) and `head.json` (format version, model
name, types, per-type thresholds, calibration and the validation metrics it was chosen with).
Inference is plain numpy, so loading a head never unpickles code.

Scores: `p = sigmoid(a * (w . x + b) + c)`, where (a, c) is Platt scaling fitted on out-of-fold
scores, so a threshold of 0.5 means "more likely than not" and thresholds are comparable across
types. A type whose threshold is above 1 is disabled (too few examples to train it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.errors import ConfigError, ModelUnavailableError
from coach.paths import data_dir
from coach.taxonomy import TYPES

HEAD_FORMAT = 1
DEFAULT_HEAD_DIR = data_dir("models") / "embedding_head"
FEATURE_KINDS = ("unit", "unit+context")


@dataclass
class Head:
    types: tuple[str, ...]
    weights: np.ndarray        # (n_types, n_features)
    bias: np.ndarray           # (n_types,)
    platt_a: np.ndarray        # (n_types,)
    platt_c: np.ndarray        # (n_types,)
    thresholds: np.ndarray     # (n_types,)
    model: str
    dim: int
    features: str = "unit"
    meta: dict = field(default_factory=dict)

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated per-type probabilities for feature rows `x` (n, n_features)."""
        if x.shape[0] == 0:
            return np.zeros((0, len(self.types)), dtype=np.float32)
        z = x @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-(self.platt_a * z + self.platt_c)))

    def save(self, out_dir: str | Path) -> Path:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(out / "head.npz", weights=self.weights.astype(np.float32),
                            bias=self.bias.astype(np.float32),
                            platt_a=self.platt_a.astype(np.float32),
                            platt_c=self.platt_c.astype(np.float32))
        info = {"format": HEAD_FORMAT, "model": self.model, "dim": self.dim,
                "features": self.features, "types": list(self.types),
                "thresholds": {t: round(float(v), 4) for t, v in zip(self.types, self.thresholds)},
                "meta": self.meta}
        (out / "head.json").write_text(json.dumps(info, indent=2, sort_keys=False) + "\n",
                                       encoding="utf-8")
        return out


def load_head(head_dir: str | Path | None = None) -> Head:
    """Read a head directory written by `reply-coach train-head` (or the shipped default)."""
    d = Path(head_dir) if head_dir else DEFAULT_HEAD_DIR
    js, npz = d / "head.json", d / "head.npz"
    if not d.is_dir():
        raise ConfigError(f"model dir {d} does not exist; create one with "
                          "`reply-coach train DATA.jsonl --out DIR`")
    if not js.is_file() or not npz.is_file():
        if head_dir is None:
            raise ModelUnavailableError(f"the default embedding head is missing from {d}; "
                                        "reinstall Reply Coach or pass --model-dir")
        raise ConfigError(f"model dir {d} has no head.json/head.npz; create one with "
                          "`reply-coach train DATA.jsonl --out DIR`")
    try:
        info = json.loads(js.read_text(encoding="utf-8"))
        arrays = np.load(npz)
        weights, bias = arrays["weights"], arrays["bias"]
        platt_a, platt_c = arrays["platt_a"], arrays["platt_c"]
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{d}: unreadable embedding head ({e})") from None
    if not isinstance(info, dict) or info.get("format") != HEAD_FORMAT:
        raise ConfigError(f"{js}: head format {info.get('format') if isinstance(info, dict) else '?'}"
                          f" is not supported (expected {HEAD_FORMAT}); retrain it with "
                          "`reply-coach train-head`")
    types = tuple(info.get("types") or ())
    bad = [t for t in types if t not in TYPES]
    if bad or not types:
        raise ConfigError(f"{js}: unknown or missing types {bad}")
    features = info.get("features", "unit")
    if features not in FEATURE_KINDS:
        raise ConfigError(f"{js}: unknown features {features!r}; expected one of {FEATURE_KINDS}")
    dim = int(info.get("dim", 0))
    n_feat = dim * (2 if features == "unit+context" else 1)
    if weights.shape != (len(types), n_feat) or any(a.shape != (len(types),)
                                                    for a in (bias, platt_a, platt_c)):
        raise ConfigError(f"{d}: head arrays do not match {len(types)} types x {n_feat} features")
    th = info.get("thresholds") or {}
    thresholds = np.array([float(th.get(t, 0.5)) for t in types], dtype=np.float32)
    return Head(types, weights.astype(np.float32), bias.astype(np.float32),
                platt_a.astype(np.float32), platt_c.astype(np.float32), thresholds,
                str(info.get("model", "")), dim, features, dict(info.get("meta") or {}))
