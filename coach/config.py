"""Pipeline configuration: which detectors run, with which packs, thresholds and limits.

One dataclass, loadable from YAML, so trainers can keep configurations as files and compare them
(`reply-coach eval FILE --compare a.yaml b.yaml`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from coach.errors import ConfigError

MAX_DRAFT_CHARS = 2_000_000  # ~2 MB: anything longer is almost surely not a single reply
# The default since December 2026 (README "Detection"): the fine-tuned span tagger with the rules
# as evidence (weak rules need the tagger's agreement). On real agent messages (real-dev) it
# more than doubles the precision of rules + embedding at a lower clean false-alarm rate.
# Every entry point (check, score, the app, the rewrite verifier) uses this default;
# `--detectors rules` is the fast mode, `rules,embedding` the previous default.
DEFAULT_DETECTORS: tuple[str, ...] = ("rules", "tagger")


def _default_rule_trust():
    from coach.detectors.rules.calibration import RULE_TRUST_PATH

    return RULE_TRUST_PATH


@dataclass
class CoachConfig:
    detectors: tuple[str, ...] = DEFAULT_DETECTORS
    rule_packs: tuple[str, ...] = ()          # extra user packs, on top of the built-in ones
    builtin_rules: bool = True
    allowlist: tuple[str, ...] = ()           # phrases never flagged (e.g. a product called "They")
    thresholds: dict[str, float] = field(default_factory=dict)  # per type, for scored detectors
    model_dir: str | None = None              # a trained embedding head (reply-coach train-head)
    tagger_dir: str | None = None             # a trained span tagger (reply-coach train --out)
    # Rule precision measured on the dev sets; weak rules need a learned detector's agreement
    # (coach/detectors/rules/calibration.py). "" turns the weighing off.
    rule_trust: str | None = field(default_factory=lambda: str(_default_rule_trust()))
    max_chars: int = MAX_DRAFT_CHARS
    name: str = "default"

    @classmethod
    def from_yaml(cls, path: str | Path) -> "CoachConfig":
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(f"{p}: config file not found") from None
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            raise ConfigError(f"{p}: not a valid YAML config ({e})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{p}: expected a mapping of settings")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"{p}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
        for k in ("detectors", "rule_packs", "allowlist"):
            if k in data:
                v = data[k]
                data[k] = tuple(v.split(",")) if isinstance(v, str) else tuple(v or ())
        data.setdefault("name", p.stem)
        return cls(**data)
