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
