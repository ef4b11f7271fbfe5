"""Few-shot examples chosen per draft from the rewrite bank.

The bank (`prompts/rewrite_bank.jsonl`, one {"id", "domain", "types", "draft", "rewrite", "note"}
per line) holds hand-written draft -> ownership rewrite pairs. A fixed pair of examples made the
model paste their details into unrelated drafts (an exchange offer into an insurance reply), so
each draft gets the bank rows that share its flag types and are closest in meaning (cosine of
all-MiniLM-L6-v2 vectors from the installed package, offline). Without the embedding model, word
overlap ranks instead, so rewriting never needs a second model to work.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from coach.errors import InputError
from coach.io import iter_jsonl
from coach.paths import data_dir
from coach.taxonomy import TYPES

BANK_PATH = data_dir("prompts") / "rewrite_bank.jsonl"
# Sentence-level pairs (one flagged sentence -> its owned replacement) for the clause strategy:
# short examples cost little prompt time and carry few details the model could copy.
UNITS_PATH = BANK_PATH.with_name("rewrite_units.jsonl")
BANKS = {"replies": BANK_PATH, "units": UNITS_PATH}
_FIELDS = ("id", "types", "draft", "rewrite")
# How much closer (cosine) an example whose fix invents an action must be to be shown before one
# that does not: enough to prefer a near neighbour that only owns the problem.
ACTION_PENALTY = 0.15


@dataclass(frozen=True)
class Example:
    id: str
    domain: str
    types: tuple[str, ...]
    draft: str
    rewrite: str
    note: str = ""


def load_bank(path: str | Path = BANK_PATH) -> list[Example]:
    """Read and validate the bank; a bad row is an InputError naming the line and field."""
    path = str(path)
    out: list[Example] = []
    seen: set[str] = set()
    for lineno, row, _err in iter_jsonl(path, _FIELDS):
        assert row is not None
        types = row["types"]
        if not isinstance(types, list) or not types:
            raise InputError("must be a non-empty list of types", path, lineno, "types")
        for t in types:
            if t not in TYPES:
                raise InputError(f"unknown type {t!r}", path, lineno, "types")
        for f in ("draft", "rewrite"):
            if not isinstance(row[f], str) or not row[f].strip():
                raise InputError("must be non-empty text", path, lineno, f)
        rid = str(row["id"])
        if rid in seen:
            raise InputError(f"duplicate id {rid!r}", path, lineno, "id")
        seen.add(rid)
        out.append(Example(rid, str(row.get("domain", "")), tuple(types), row["draft"],
                           row["rewrite"], str(row.get("note", ""))))
    return out


def bank_digest(bank: Sequence[Example]) -> str:
    """A digest of the bank's drafts: stored vectors are used only for the very same drafts."""
    import hashlib

    return hashlib.sha256("\n".join(e.draft for e in bank).encode("utf-8")).hexdigest()


def vectors_path(bank_path: Path) -> Path:
    return Path(bank_path).with_suffix(".vectors.npz")


def save_vectors(path: Path, bank: Sequence[Example], vecs) -> None:
    """Store the bank's vectors (float16) beside it: embedding ~3,000 sentences costs ~10-20 s
    on 2 cores, which the first rewrite of every process would otherwise pay."""
    import numpy as np

    np.savez_compressed(path, vectors=np.asarray(vecs, dtype=np.float16),
                        digest=np.array(bank_digest(bank)))


def load_vectors(path: Path, bank: Sequence[Example]):
    """The stored vectors, or None when absent or made for other drafts."""
    import numpy as np

    try:
        with np.load(path) as z:
            if str(z["digest"]) != bank_digest(bank) or len(z["vectors"]) != len(bank):
                return None
            return z["vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        return None


def _words(s: str) -> set[str]:
    return set(re.findall(r"[a-z']{3,}", s.lower()))


class Retriever:
    """Ranks bank examples for a draft: type match first, then similarity."""

    def __init__(self, bank: Sequence[Example], use_embeddings: bool = True,
                 vectors_path: Path | None = None) -> None:
        self.bank = list(bank)
        self._vecs = None
        self._emb = None
        if use_embeddings and self.bank:
            try:
                from coach.embedder.model import get_embedder

                self._emb = get_embedder()
                self._vecs = load_vectors(vectors_path, self.bank) if vectors_path else None
                if self._vecs is None:
                    self._vecs = self._emb.encode([e.draft for e in self.bank])
            except Exception:  # no embedding model: word overlap still gives relevant examples
                self._emb = None
                self._vecs = None

    @property
    def _acts(self) -> list[bool]:
        """Per example: its fix takes an action, or commits to a step, its problem sentence never
        mentions ("let me see if anything can come off"). The model imitates its examples: on dev
        15 of its 30 D rewrites had invented an action, and 1,178 of the 2,132 bank pairs commit
        to a step of their writer's story that the verifier rejects in a rewrite."""
        if self.__dict__.get("_acts_cache") is None:
            from coach.rewrite.verify import actions_added, commitments_added  # noqa: PLC0415

            self.__dict__["_acts_cache"] = [bool(actions_added(e.draft, e.rewrite) or
                                                 commitments_added(e.draft, e.rewrite))
                                            for e in self.bank]
        return self.__dict__["_acts_cache"]

    def _similarity(self, text: str) -> list[float]:
        if self._emb is not None and self._vecs is not None:
            v = self._emb.encode([text])[0]
            return [float(x) for x in self._vecs @ v]
        w = _words(text)
        return [len(w & _words(e.draft)) / (len(w | _words(e.draft)) or 1) for e in self.bank]

    def select(self, text: str, types: Sequence[str], k: int = 3,
               exclude: Sequence[str] = ()) -> list[Example]:
        """Up to k examples: rows covering more of `types` first, then the most similar."""
        if not self.bank or k <= 0:
            return []
        sims = self._similarity(text)
        want = set(types)
        acts = self._acts
        ranked = sorted(range(len(self.bank)), key=lambda i: (
            -len(want & set(self.bank[i].types)), -sims[i] + ACTION_PENALTY * acts[i]))
        out: list[Example] = []
        for i in ranked:
            e = self.bank[i]
            if e.id in exclude or e.draft.strip() == text.strip():
                continue
            if want and not (want & set(e.types)):
                break
            out.append(e)
            if len(out) == k:
                break
        return out


_RETRIEVERS: dict[str, Retriever] = {}
_LOCK = threading.Lock()


def get_retriever(path: str | Path | None = None, bank: str = "replies") -> Retriever:
    """A retriever over a bank file: the process-wide one for a named bank ("replies": whole
    draft -> rewrite pairs, "units": sentence pairs), or a fresh one for `path`. A bank file
    that does not exist gives an empty retriever (no examples), never an error."""
    if bank not in BANKS:
        raise InputError(f"unknown example bank {bank!r}; expected one of {sorted(BANKS)}")
    with _LOCK:
        if path is not None or bank not in _RETRIEVERS:
            p = Path(path or BANKS[bank])
            r = Retriever(load_bank(p) if p.exists() else [], vectors_path=vectors_path(p))
            if path is not None:
                return r
            _RETRIEVERS[bank] = r
        return _RETRIEVERS[bank]
