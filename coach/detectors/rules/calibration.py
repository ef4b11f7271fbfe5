"""How far each rule is trusted on its own, measured on the dev sets (tools/calibrate_rules.py).

Rules are evidence, not the engine: the packs were written from our own sentences, and several
fire on clean real messages ("Sorry to hear that! Which store?"). A rule measured below
MIN_TRUST precision keeps its flag only where the span tagger flags the same family in an
overlapping span; the merged flag then lists both sources and keeps the rule's explanation.
Rules that never fired on a dev set are trusted (no evidence against them), and a rules-only
pipeline (`--detectors rules`, the fast mode) has nothing to corroborate with, so it is left as
the packs say (so is rules + embedding, whose detector skips what the rules flagged).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from coach.errors import ConfigError
from coach.paths import data_dir

RULE_TRUST_PATH = data_dir("models") / "rule_trust.json"
MIN_TRUST = 0.9


@lru_cache(maxsize=8)
def load_trust(path: str) -> dict[str, float]:
    """rule id -> measured precision; {} when the file is absent."""
    p = Path(path)
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        return {k: float(v["precision"]) for k, v in data["rules"].items()}
    except (ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"{p}: not a rule trust file ({e})") from None


def untrusted(rule_ids: str, trust: dict[str, float], min_trust: float = MIN_TRUST) -> bool:
    """True when every rule behind a flag is below the trust line."""
    ids = [r for r in rule_ids.split(",") if r]
    return bool(ids) and all(trust.get(r, 1.0) < min_trust for r in ids)
