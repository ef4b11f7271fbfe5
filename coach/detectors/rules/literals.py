"""The words a rule's pattern cannot match without: a free, exact prefilter for the rule engine.

Most of the rules' time goes into scanning drafts that hold none of their words: a pattern that
starts with `\\b(?:...)` is tried at every position of the draft. But every pattern has parts it
must consume, such as "sorry", "polic" or "they"/"them". If none of a set of such strings occurs
in the draft, the pattern cannot match there, and `str.__contains__` (a C-speed substring search)
says so in a fraction of the regex's time. This is the prefilter idea of RE2 and Hyperscan, applied to
Python's own regex syntax tree.

`required(pattern)` returns a set of strings such that every match of the pattern contains at
least one of them, or None where it cannot promise that. It only ever uses what a match consumes
(literals, classes of a few literal characters, groups, alternations, repeats of at least one);
lookarounds, backreferences and conditionals give nothing, so the answer is sound, never
"complete". A test checks it on every match of every rule over the evaluation sets.
"""
from __future__ import annotations

import re
from re import _constants as C  # noqa: PLC2701 (the parser's node kinds; stable since 3.11)
from re import _parser as P  # noqa: PLC2701

CAP = 48          # strings a set may hold before it is not worth checking one by one
MIN_WORD = 5      # a string stands for its longest word only when that word is this long
_Set = frozenset[str]


def _chars(av) -> _Set | None:
    """The characters of a class that lists only literal characters ("[ym]", "['’]")."""
    out = set()
    for op, a in av:
        if op is not C.LITERAL:
            return None   # a range, a category (\\s, \\w) or a negation: too many characters
        out.add(chr(a))
    return frozenset(out)


def _product(a: _Set, b: _Set) -> _Set | None:
    if len(a) * len(b) > CAP:
        return None
    return frozenset(x + y for x in a for y in b)


def _exact(items) -> _Set | None:
    """All the strings a sequence can match, where it matches only a few fixed strings."""
    out: _Set = frozenset({""})
    for op, av in items:
        if op is C.LITERAL:
            got: _Set | None = frozenset({chr(av)})
        elif op is C.IN:
            got = _chars(av)
        elif op is C.SUBPATTERN:
            got = _exact(av[-1])
        elif op is C.BRANCH:
            alts = [_exact(b) for b in av[1]]
            got = None if any(x is None for x in alts) else frozenset().union(*alts)
        else:
            return None
        if got is None:
            return None
        out = _product(out, got)
        if out is None:
            return None
    return out


def _best(factors: list[_Set]) -> _Set | None:
    """The most selective of several sets that are each necessary: the one whose shortest string
    is longest (long strings are rare), fewer strings first."""
    usable = [f for f in factors if f and "" not in f]
    if not usable:
        return None
    return max(usable, key=lambda s: (min(map(len, s)), -len(s)))


def _necessary(items) -> _Set | None:
    factors: list[_Set] = []
    run: _Set = frozenset({""})

    def flush() -> None:
        nonlocal run
        factors.append(run)
        run = frozenset({""})

    for op, av in items:
        exact = _exact([(op, av)]) if op in (C.LITERAL, C.IN, C.SUBPATTERN, C.BRANCH) else None
        if exact is not None:
            joined = _product(run, exact)
            if joined is not None:
                run = joined
                continue
            flush()
            run = exact
            continue
        flush()
        if op is C.SUBPATTERN:
            factors.append(_necessary(av[-1]) or frozenset())
        elif op is C.BRANCH:
            alts = [_necessary(b) for b in av[1]]
            if all(a is not None for a in alts):
                factors.append(frozenset().union(*alts))   # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            if lo >= 1:
                factors.append(_necessary(sub) or frozenset())
        elif op is C.ATOMIC_GROUP:
            factors.append(_necessary(av) or frozenset())
        # AT, ANY, IN of ranges/categories, NOT_LITERAL, ASSERT, ASSERT_NOT, GROUPREF...:
        # nothing a match must contain
    flush()
    return _best(factors)


_WORD = re.compile(r"[^\W\d_]{3,}")


def _shrunk(strings: _Set) -> _Set:
    """Fewer, shorter strings that are still necessary: each string by its longest word
    ("my hands are tied" -> "hands") where that word is long enough to be rare, then none that
    holds another. Checking costs one substring
    search per string, and "i did not cause it/that/this" need only "cause"."""
    out = set()
    for s in strings:
        word = max(_WORD.findall(s), key=len, default="")
        out.add(word if len(word) >= MIN_WORD else s)   # "not", "the" would let every draft by
    return frozenset(s for s in out if not any(o != s and o in s for o in out))


def required(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of `pattern` contains (sorted), or None."""
    if pattern.flags & re.IGNORECASE:
        return None   # the strings would have to be searched for in every case
    try:
        found = _necessary(P.parse(pattern.pattern, pattern.flags))
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    return tuple(sorted(_shrunk(found))) if found else None
