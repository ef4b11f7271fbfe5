"""BIO labels per problem type, derived from the taxonomy (one place for the type names)."""
from __future__ import annotations

from coach.taxonomy import TYPE_NAMES

LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in TYPE_NAMES for p in ("B", "I"))
LABEL_ID = {name: i for i, name in enumerate(LABELS)}


def type_columns(probs_width: int = len(LABELS)) -> list[tuple[str, int, int]]:
    """(type, B column, I column) for each type, in taxonomy order."""
    assert probs_width == len(LABELS)
    return [(t, LABEL_ID[f"B-{t}"], LABEL_ID[f"I-{t}"]) for t in TYPE_NAMES]
