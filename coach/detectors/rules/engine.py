"""Rule packs as data: load YAML packs, compile them, and run them over a DraftView.

A pack is one YAML file per problem type (as proselint keeps one module per check, and Vale keeps
rules as data). Each rule has a regex `pattern` over the normalised, quote-masked draft, optional
context conditions, the agent-facing `message`/`suggestion` (defaulting to the taxonomy), a
`severity`, and `examples.bad`/`examples.good` that the test-suite runs.

Why regex and not spaCy's Matcher: the rules-only path must check >= 1,000 drafts/s on 2 cores,
and a spaCy pipeline runs ~100-200 drafts/s. Context that spaCy would give us (negation, who
"they" refers to, passive voice with no agent) is expressed instead as windowed `unless`/`require`
conditions and small registered Python conditions (coach.detectors.rules.conditions).

Rule fields:
  id:         unique id, e.g. `powerless.cant_help`
  pattern:    regex; `{NAME}` expands a word list or macro of the lexicon (coach/lexicon.yaml)
  span:       optional regex group name whose span becomes the flag (default: whole match)
  unless:     list of {pattern, within} - suppress when the pattern matches in that window
  require:    list of {pattern, within} - keep only when the pattern matches in that window
  check:      list of registered condition names that must all return True
  case_sensitive: true matches `pattern` (and `prefilter`) against the draft's own case, for
              the rare rule that needs it ("IT's problem" is not "it's a problem"); default false
  prefilter:  optional cheap regex that must match somewhere in the draft before `pattern` runs
              (speed only: patterns that start with a long alternation of team names are slow
              to scan at every position, a one-word prefilter rules most drafts out at once).
              Every rule also gets one for free: the strings its pattern cannot match without
              (coach.detectors.rules.literals), looked for before the pattern runs.
  within:     sentence | next | prev | around | after | before | draft | rest_of_sentence |
              sentence_before (see DraftView.window)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from coach.errors import RulePackError
from coach.flags import Flag
from coach.lexicon import chat_contractions, expand, load as load_lexicon
from coach.detectors.rules.conditions import CONDITIONS
from coach.detectors.rules.literals import required
from coach.taxonomy import SEVERITIES, TYPES
from coach.text import DraftView

PACK_DIR = Path(__file__).parent / "packs"
# Below this many characters a rule first looks for its words in the whole draft (one substring
# search each, the common case: most drafts hold none); from it on, straight away paragraph by
# paragraph (Rule.matches): 1 MB of transcript spent 3.5 s in the rules, most of it in
# paragraphs that hold none of a rule's words.
LONG_DRAFT = 20_000
_SCOPES = {"sentence", "next", "prev", "around", "after", "before", "draft", "rest_of_sentence",
           "sentence_before"}


@dataclass
class Context:
    pattern: re.Pattern[str]
    within: str


@dataclass
class Rule:
    id: str
    type: str
    family: str
    pattern: re.Pattern[str]
    message: str
    suggestion: str
    severity: str
    span: str | None = None
    unless: list[Context] = field(default_factory=list)
    require: list[Context] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    good: list[str] = field(default_factory=list)
    pack: str = ""
    prefilter: re.Pattern[str] | None = None
    case_sensitive: bool = False
    # Only the rewrite verifier runs it (strict pack): as a finder on a draft it is too eager.
    verify_only: bool = False
    # Strings every match of `pattern` contains one of (None: none known); see literals.py.
    needs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.needs is None:
            self.needs = required(self.pattern)

    def matches(self, view: DraftView) -> Iterable[Flag]:
        """Yield one Flag per accepted match of this rule in the draft."""
        text = view.masked if self.case_sensitive else view.low
        if self.needs is None:
            regions = view.paragraphs
        elif len(text) < LONG_DRAFT and not any(s in text for s in self.needs):
            return   # none of the words the pattern cannot match without
        elif len(view.paragraphs) == 1:
            regions = view.paragraphs
        else:
            # Only the paragraphs that hold one of the words are scanned, each on its own: a
            # match never runs across a blank line (it once ran from "...need to go to the
            # restaurant directly" into the next message of a transcript), and 1 MB of
            # transcript is not scanned whole for every rule.
            regions = view.paragraphs_with(text, self.needs)
        if self.prefilter is not None and not self.prefilter.search(text):
            return
        for m in (m for a, b in regions for m in self.pattern.finditer(text, a, b)):
            if self.span and m.group(self.span) is not None:
                start, end = m.span(self.span)
            else:
                start, end = m.span()
            if end <= start:
                continue
            if any(_found(view, c, m) for c in self.unless):
                continue
            if not all(_found(view, c, m) for c in self.require):
                continue
            if not all(CONDITIONS[name](view, m) for name in self.checks):
                continue
            quote = view.text[start:end]
            yield Flag(self.family, self.type, start, end, quote,
                       TYPES[self.type].explain(quote, self.message), self.suggestion,
                       self.severity, "rules", rule=self.id)


def _found(view: DraftView, c: Context, m: re.Match[str]) -> bool:
    """Whether a context pattern occurs in its window around the match. Matches in one
    sentence share their `sentence`/`around`/... windows, so each (pattern, window) is searched
    once per draft: a draft that repeats one phrase thousands of times stays linear."""
    a, b = view.window_bounds(m.start(), m.end(), c.within)
    cache = view.context_cache
    key = (id(c.pattern), a, b)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = c.pattern.search(view.low[a:b]) is not None
    return hit


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulePackError(str(path), "file not found") from None
    except UnicodeDecodeError as e:
        raise RulePackError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except yaml.YAMLError as e:
        raise RulePackError(str(path), f"invalid YAML: {e}") from None
    if not isinstance(data, dict):
        raise RulePackError(str(path), "expected a mapping with `type` and `rules`")
    return data


def lower_literals(pattern: str) -> str:
    """Lower-case a regex's literal letters, leaving escapes (\\S, \\W, \\B, ...) alone.

    Rules match case-insensitively. Instead of re.IGNORECASE (about 2.5x slower in CPython's
    engine) we match lower-cased patterns against a lower-cased view of the draft of the same
    length (DraftView.low), so offsets are unchanged.
    """
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        out.append(c.lower())
        i += 1
    # group syntax is case-sensitive: (?P<name>...) and (?P=name); names themselves are lowered
    return "".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P=")


def _compile(pattern: str | list[str], macros: dict[str, str], where: str,
             rule: str, case_sensitive: bool = False) -> re.Pattern[str]:
    if isinstance(pattern, list):  # a list of alternatives reads better than one long line
        pattern = "|".join(f"(?:{p})" for p in pattern)
    try:
        expanded = chat_contractions(expand(pattern, macros, where, rule))
        return re.compile(expanded if case_sensitive else lower_literals(expanded))
    except re.error as e:
        raise RulePackError(where, f"bad regex: {e}", rule) from None


def _contexts(items, macros, where, rule) -> list[Context]:
    out = []
    for item in items or []:
        if isinstance(item, str):
            item = {"pattern": item, "within": "sentence"}
        within = item.get("within", "sentence")
        if within not in _SCOPES:
            raise RulePackError(where, f"unknown window {within!r}; use one of {sorted(_SCOPES)}", rule)
        out.append(Context(_compile(item["pattern"], macros, where, rule), within))
    return out


def load_pack(path: str | Path, lexicon: str | Path | None = None) -> list[Rule]:
    """Load one rule pack file. Errors name the file and the rule."""
    path = Path(path)
    where = str(path)
    data = _read_yaml(path)
    macros = load_lexicon(str(lexicon) if lexicon else None).as_macros()
    macros.update({str(k): str(v) for k, v in (data.get("macros") or {}).items()})
    pack_type = data.get("type")
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        rid = str(raw.get("id") or f"{path.stem}.{i}")
        rtype = raw.get("type", pack_type)
        if rtype not in TYPES:
            raise RulePackError(where, f"unknown type {rtype!r}; expected one of {list(TYPES)}", rid)
        if "pattern" not in raw:
            raise RulePackError(where, "missing `pattern`", rid)
        t = TYPES[rtype]
        severity = raw.get("severity", t.severity)
        if severity not in SEVERITIES:
            raise RulePackError(where, f"severity must be one of {SEVERITIES}", rid)
        checks = list(raw.get("check") or [])
        for c in checks:
            if c not in CONDITIONS:
                raise RulePackError(where, f"unknown check {c!r}; known: {sorted(CONDITIONS)}", rid)
        examples = raw.get("examples") or {}
        rules.append(Rule(
            id=rid, type=rtype, family=t.family,
            pattern=_compile(raw["pattern"], macros, where, rid, case_sensitive=bool(raw.get("case_sensitive"))),
            case_sensitive=bool(raw.get("case_sensitive")),
            message=raw.get("message", t.why), suggestion=raw.get("suggestion", t.fix),
            severity=severity, span=str(raw["span"]).lower() if raw.get("span") else None,
            unless=_contexts(raw.get("unless"), macros, where, rid),
            require=_contexts(raw.get("require"), macros, where, rid),
            checks=checks, bad=list(examples.get("bad") or []), good=list(examples.get("good") or []),
            pack=path.stem, verify_only=bool(raw.get("verify_only")),
            prefilter=_compile(raw["prefilter"], macros, where, rid, bool(raw.get("case_sensitive")))
            if raw.get("prefilter") else None))
    return rules


STRICT_PACK = PACK_DIR / "strict" / "dodges.yaml"


def builtin_pack_paths() -> list[Path]:
    """The packs `check` runs: one per type (the strict pack in packs/strict/ is not one)."""
    return sorted(PACK_DIR.glob("*.yaml"))


@lru_cache(maxsize=1)
def strict_rules() -> tuple[Rule, ...]:
    """The strict pack (packs/strict/dodges.yaml): dodges in any wording, which a rewrite must not
    contain. The verifier runs it; `check` does not, because it is too eager for a draft."""
    return tuple(load_pack(STRICT_PACK))


class RuleDetector:
    """The rule-pack detector: runs every rule and keeps the first flag for each span."""

    name = "rules"

    def __init__(self, extra_packs: Iterable[str | Path] = (), builtin: bool = True) -> None:
        paths = (builtin_pack_paths() if builtin else []) + [Path(p) for p in extra_packs]
        self.rules: list[Rule] = []
        for p in paths:
            # a strict pack given as a finder (the rewrite's eager pass) runs without the rules
            # that only judge a rewrite
            self.rules.extend(r for r in load_pack(p) if not r.verify_only)
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise RulePackError(r.pack, f"duplicate rule id {r.id!r}", r.id)
            seen.add(r.id)

    def detect(self, view: DraftView) -> list[Flag]:
        flags: list[Flag] = []
        for rule in self.rules:
            flags.extend(rule.matches(view))
        return flags
