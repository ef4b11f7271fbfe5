"""Generation: the model calls of a rewrite, and the prompts and examples they are made of.

The rewrite pass (coach.rewrite.rewriter) decides what to fix and checks every answer; this
module only asks. It builds the clause prompt (one system message that llama.cpp keeps cached,
the retrieved sentence pair as a finished exchange, then the sentence), and `_Gen` makes the calls
of one rewrite under its deadline: greedy first, then the sampled candidates in one batched call.
The language-model runtime it calls is coach.lm.
"""
from __future__ import annotations

import json
import time
from typing import Sequence

from coach.lm.backends import chat_many
from coach.lm.prompts import escape_draft, render
from coach.taxonomy import TYPES

PROMPT_VERSION = 1            # "whole" and "slots" prompts (prompts/rewrite.v1.txt)
CLAUSE_PROMPT_VERSION = 4     # "clause": cached system message, sentence examples (rewrite.v4.txt)
# Words the model may not write when fixing an empty apology: it otherwise echoes the stock
# phrase ("I'm sorry for any inconvenience") in most candidates, which the verifier then rejects.
APOLOGY_BAN = TYPES["scripted_apology"].rewrite.avoid_words   # coach/types/scripted_apology.yaml
CLAUSE_EXAMPLES = 1           # retrieved sentence pairs per flagged sentence (README "Rewrites")
_PART_SCHEMA = {"type": "object", "properties": {"part": {"type": "string", "maxLength": 600}},
                "required": ["part"], "additionalProperties": False}
_WHOLE_SCHEMA = {"type": "object", "properties": {"rewrite": {"type": "string", "maxLength": 2000}},
                 "required": ["rewrite"], "additionalProperties": False}


def _unit_examples(part: str, types: Sequence[str], k: int, retriever=None) -> list:
    """The k sentence pairs of the units bank closest to `part` that share its problem types."""
    if k <= 0:
        return []
    from coach.rewrite.retrieve import get_retriever

    r = retriever or get_retriever(bank="units")
    return r.select(part, types, k=k)


def _context(draft: str, u) -> str:
    """The draft's text before a flagged sentence (at most ~40 words): an empty apology can only
    name the specific problem if the model sees what happened."""
    words = draft[:u.start].split()
    return " ".join(words[-40:])


def _clause_messages(body: str, problem: str, examples, context: str = "") -> list[dict]:
    """System (cached by llama.cpp), then each example as a finished user/assistant exchange,
    then the real sentence: a 1.5B model copies far less from examples it sees as past turns
    than from examples inlined above the task."""
    msgs = [{"role": "system", "content": system_prompt("clause")}]
    for e in examples:
        msgs.append({"role": "user", "content": render(
            "rewrite", "clause", CLAUSE_PROMPT_VERSION, part=escape_draft(e.draft),
            problem=", ".join(e.types))})
        msgs.append({"role": "assistant", "content": json.dumps({"part": e.rewrite},
                                                                ensure_ascii=False)})
    user = render("rewrite", "clause", CLAUSE_PROMPT_VERSION, part=escape_draft(body),
                  problem=problem)
    if context:
        user = render("rewrite", "context", CLAUSE_PROMPT_VERSION,
                      context=escape_draft(context)) + "\n" + user
    msgs.append({"role": "user", "content": user})
    return msgs


def system_prompt(strategy: str = "clause") -> str:
    """The system message; its "how to fix each problem" lines are the types' `prompt_line`s
    (coach/types/), so the prompt and the fallback describe each type from one file."""
    fixes = "\n".join(f"- {t}: {TYPES[t].rewrite.prompt_line}" for t in TYPES)
    return render("rewrite", "system", CLAUSE_PROMPT_VERSION if strategy == "clause" else PROMPT_VERSION,
                  fix_lines=fixes)


def warm_up(backend) -> float:
    """Read the clause system prompt once so llama.cpp caches it: later rewrites only pay for
    their own ~100-150 tokens. `rewrite` calls it before a process's first rewrite (and leaves
    it out of that rewrite's time limit); the bench reports it. Returns the seconds it took."""
    t0 = time.perf_counter()
    backend.warm = True
    try:
        backend.chat([{"role": "system", "content": system_prompt("clause")},
                      {"role": "user", "content": "<part>ok</part>"}], max_tokens=1,
                     temperature=0.0, json_schema=_PART_SCHEMA, timeout_s=60.0)
    except _REPLY_ERRORS:
        pass
    return time.perf_counter() - t0


def _examples(draft: str, types: Sequence[str], k: int, retriever=None) -> tuple[str, list[str]]:
    """The k closest bank pairs as a prompt block, and their rewrites (a candidate may not copy
    them)."""
    from coach.rewrite.retrieve import get_retriever

    ex = (retriever or get_retriever()).select(draft, types, k=k)
    if not ex:
        return "(none)", []
    block = "\n".join(render("rewrite", "example", PROMPT_VERSION, draft=e.draft, rewrite=e.rewrite)
                      for e in ex)
    return block, [e.rewrite for e in ex]


def _sampling(card_gen: dict, i: int) -> tuple[float, int]:
    """Candidate 0 is greedy; later ones sample with the card's temperature and a new seed."""
    if i == 0:
        return 0.0, 0
    return float(card_gen.get("temperature", 0.7)), int(card_gen.get("seed", 7)) + i


class _Gen:
    """The model calls of one rewrite, sharing its deadline and token limits."""

    def __init__(self, backend, deadline: float, gen_cfg: dict) -> None:
        self.backend, self.deadline, self.cfg = backend, deadline, gen_cfg
        self.calls = 0

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def call_timeout(self) -> float:
        """Wall-clock limit of one call: the time left, capped by the card's `timeout_s`."""
        left = self.left()
        return max(0.5, min(left, float(self.cfg.get("timeout_s", left))))

    def ask(self, user: str | list[dict], schema: dict, key: str, i: int, k: int,
            max_tokens: int, strategy: str = "whole", ban: tuple[str, ...] = ()) -> list[str]:
        """`k` candidates of one prompt from one call, sampled as candidate `i` is (0: greedy);
        the empty ones dropped. `user` is the user message, or the whole message list."""
        if self.left() <= 0.2:
            return []
        temp, seed = _sampling(self.cfg, i)
        messages = user if isinstance(user, list) else [
            {"role": "system", "content": system_prompt(strategy)}, {"role": "user", "content": user}]
        self.calls += k
        try:
            gens = chat_many(self.backend, messages, k, max_tokens=max_tokens, temperature=temp,
                             top_p=float(self.cfg.get("top_p", 0.9)), seed=seed,
                             json_schema=schema, timeout_s=self.call_timeout(),
                             **({"ban": ban} if ban else {}))
            vals = [(g.json() or {}).get(key) for g in gens]
        except _REPLY_ERRORS:  # a failed or malformed backend reply: skip these candidates
            return []
        return [v.strip() for v in vals if isinstance(v, str) and v.strip()]

    def answers(self, user: str | list[dict], schema: dict, key: str, n: int, max_tokens: int,
                strategy: str = "whole", ban: tuple[str, ...] = ()):
        """Up to `n` non-empty answers, stopping when time is up: greedy first (alone it is the
        cheapest call, and dropping it for a batch of 4 sampled ones passed 12 of 46 dev drafts
        against 13-15), then the other n-1 sampled in one batched call (`chat_many`: llama.cpp
        decodes them side by side from one reading of the prompt; on 46 dev drafts a sentence
        the model failed took 8.7 s instead of 9.9 s at the median)."""
        yield from self.ask(user, schema, key, 0, 1, max_tokens, strategy, ban)
        if n > 1 and self.left() > 0.2:
            yield from self.ask(user, schema, key, 1, n - 1, max_tokens, strategy, ban)


# What a backend call can raise on a failed or malformed reply (a missing "choices" entry, a
# None where text was expected, ...): the candidate is skipped, never the whole rewrite.
_REPLY_ERRORS = (RuntimeError, ValueError, KeyError, IndexError, TypeError)
