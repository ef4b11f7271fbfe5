"""The lexicon: the words Reply Coach knows (our teams, third parties, agent actions, times...).

Kept once, as data (`coach/lexicon.yaml`), because every part that reads language needs the same
words: the rule packs use them as `{NAME}` macros, the "they" conditions decide from them whether
a pronoun points back to the company, the ownership edits turn "the kitchen decides" into "we
decide" with them, and the verifier asks the rule engine, which reads them too. When each kept
its own copy they drifted: the rules flagged "The kitchen decides what goes on the menu." and the
edit could not fix it, because "kitchen" was missing from the edit's list.

A word list is a macro too: `{OUR_TEAMS}` is the alternation of its entries, in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from coach.errors import RulePackError

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
_MACRO = re.compile(r"\{([A-Z][A-Z_]+)\}")


@dataclass(frozen=True)
class Lexicon:
    """Named word lists and regex macros, as read from one lexicon file."""

    words: dict[str, tuple[str, ...]]
    macros: dict[str, str]

    def as_macros(self) -> dict[str, str]:
        """Every name as a macro body: word lists become alternations of their entries."""
        out = {k: "|".join(v) for k, v in self.words.items()}
        out.update(self.macros)
        return out

    def pattern(self, name: str) -> str:
        """The fully expanded regex fragment for `name` (a list or a macro), for Python code."""
        body = self.as_macros().get(name)
        if body is None:
            raise KeyError(f"the lexicon has no {name!r}; known: {sorted(self.as_macros())}")
        return expand(f"{{{name}}}", self.as_macros(), "lexicon", name)


@lru_cache(maxsize=None)
def load(path: str | None = None) -> Lexicon:
    """The lexicon at `path` (default: the package's), read once per process."""
    where = str(path or LEXICON_PATH)
    try:
        data = yaml.safe_load(Path(where).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise RulePackError(where, f"unreadable lexicon ({e})") from None
    if not isinstance(data, dict):
        raise RulePackError(where, "expected a mapping with `words` and `macros`")
    words: dict[str, tuple[str, ...]] = {}
    for k, v in (data.get("words") or {}).items():
        if not isinstance(v, list) or not v or not all(isinstance(w, str) and w for w in v):
            raise RulePackError(where, f"words.{k} must be a non-empty list of strings")
        words[str(k)] = tuple(v)
    macros = {str(k): str(v) for k, v in (data.get("macros") or {}).items()}
    both = sorted(set(words) & set(macros))
    if both:
        raise RulePackError(where, f"{both} are both a word list and a macro")
    return Lexicon(words, macros)


def words(name: str) -> tuple[str, ...]:
    """The entries of one word list of the package's lexicon."""
    return load().words[name]


def pattern(name: str) -> str:
    """The expanded regex fragment for one name of the package's lexicon."""
    return load().pattern(name)


def expand(pattern: str, macros: dict[str, str], where: str, rule: str) -> str:
    """Expand `{NAME}` macros (recursively, with a depth guard); errors name the file and rule."""
    for _ in range(10):
        if not _MACRO.search(pattern):
            return pattern

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in macros:
                raise RulePackError(where, f"unknown macro {{{m.group(1)}}}", rule)
            return f"(?:{macros[m.group(1)]})"
        pattern = _MACRO.sub(sub, pattern)
    raise RulePackError(where, "macros nest too deeply", rule)


# The auxiliaries whose "n't" chat drops ("cant", "dont", "isnt"); written out before the "n't",
# so "\\w+n't" (any word) never turns into "payment" or "went".
_STEMS = ("ca", "wo", "do", "does", "did", "is", "are", "was", "were", "could", "would", "should",
          "have", "has", "had", "ai", "must", "need")
_AUX_STEM = re.compile(r"(?<![A-Za-z])(?:" + "|".join(_STEMS) + r")$", re.I)
_ESCAPES = re.compile(r"\\.")
_ANY_NT = "(?:n't|(?:" + "|".join(f"(?<=\\b{s})" for s in _STEMS) + ")nt\\b)"


def chat_contractions(pattern: str) -> str:
    """Every "n't" a pattern spells also matches chat's "nt": "i cant change it", "we dont do
    refunds" and "isnt something we offer" are the same refusals with the apostrophe left out
    (chat and text drafts drop it; the rules missed them). Only a literal "n't" outside a
    character class, right after an auxiliary spelled out in the pattern ("can't", "isn't";
    not "\\w+n't"), changes."""
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[" and depth == 0:
            depth = 1
        elif c == "]" and depth:
            depth = 0
        if depth == 0 and pattern.startswith("n't", i):
            if _AUX_STEM.search(_ESCAPES.sub(" ", "".join(out[-8:]))):
                out.append("n'?t")       # "can't" -> "can'?t"
            elif not re.search(r"[A-Za-z]$", _ESCAPES.sub(" ", "".join(out[-2:]))):
                out.append(_ANY_NT)      # a bare "n't" (any contraction): also "nt" after one
            else:
                out.append("n't")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 (re's own name)
    """`re.compile` with chat's contractions (see chat_contractions): the rewrite's own
    patterns read "cant" and "dont" as the rule packs do."""
    try:
        return re.compile(chat_contractions(pattern), flags)
    except re.error:
        return re.compile(pattern, flags)   # e.g. an "n't" inside a look-behind: as written
