"""Loading evaluation files in the eval schema (see eval/GUIDELINES.md) with precise errors."""
from __future__ import annotations

from pathlib import Path

from coach.errors import InputError
from coach.io import iter_jsonl
from coach.metrics import GoldItem, locate
from coach.taxonomy import TYPES

REQUIRED = ("id", "text")


def load_eval(path: str | Path) -> list[GoldItem]:
    """Read an eval-schema JSONL file.

    Only `id` and `text` are required; `spans` give the labels (families/types are derived from
    them when absent), so a trainer's own file can be minimal. A span whose quote is not in the
    text, or a type outside the taxonomy, is an error naming the line and field.
    """
    items = []
    seen: set[str] = set()
    for lineno, row, _err in iter_jsonl(path, REQUIRED):
        assert row is not None
        rid = str(row["id"])
        if rid in seen:
            raise InputError(f"duplicate id {rid!r}", str(path), lineno, "id")
        seen.add(rid)
        text = row["text"]
        spans = []
        # Occurrences already used, per type: one clause may carry two types (a "they" hand-off
        # is they_language and dead_end), but a type's second quote means a second occurrence.
        taken: dict[str, set[tuple[int, int]]] = {}
        raw_spans = row.get("spans", [])
        if not isinstance(raw_spans, list):
            raise InputError("must be a list", str(path), lineno, "spans")
        for j, s in enumerate(raw_spans):
            if not isinstance(s, dict) or "type" not in s or "quote" not in s:
                raise InputError("each span needs `type` and `quote`", str(path), lineno,
                                 f"spans[{j}]")
            if s["type"] not in TYPES:
                raise InputError(f"unknown type {s['type']!r}", str(path), lineno,
                                 f"spans[{j}].type")
            family = TYPES[s["type"]].family
            if s.get("family", family) != family:
                raise InputError(f"family {s['family']!r} does not match type {s['type']!r} "
                                 f"(expected {family!r})", str(path), lineno, f"spans[{j}].family")
            used = taken.setdefault(s["type"], set())
            where = locate(text, s["quote"], used)
            if where is None:
                raise InputError(f"quote {s['quote']!r} is not in the text", str(path), lineno,
                                 f"spans[{j}].quote")
            used.add(where)
            spans.append((family, s["type"], *where))
        types = set(row.get("types") or [t for _f, t, _s, _e in spans])
        for t in types:
            if t not in TYPES:
                raise InputError(f"unknown type {t!r}", str(path), lineno, "types")
        families = {TYPES[t].family for t in types}
        items.append(GoldItem(rid, text, families, types, spans, bool(row.get("hard")), row))
    if not items:
        raise InputError("no rows found (the file is empty)", str(path))
    return items
