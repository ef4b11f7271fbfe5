"""A scripted fake backend for fast tests: it returns canned answers in order and records the
prompts it saw. It is NOT a model; tests that need the real one are marked `slow`."""
from __future__ import annotations

import json

from coach.lm.backends import Generation


class ScriptedFakeBackend:
    """Answers: a dict (sent as JSON), a str (sent as is), an exception (raised) or a Generation
    (returned as is). `card`: the model card the backend claims to be loaded from."""

    name = "scripted-fake"

    def __init__(self, answers, card=None):
        self.answers = list(answers)
        self.card = card
        self.calls: list[dict] = []

    def chat(self, messages, *, max_tokens, temperature=0.0, top_p=1.0, seed=0, json_schema=None,
             timeout_s=20.0, ban=()):
        self.calls.append({"messages": messages, "max_tokens": max_tokens,
                           "temperature": temperature, "schema": json_schema, "ban": tuple(ban)})
        a = self.answers.pop(0) if self.answers else {}
        if isinstance(a, BaseException):   # a scripted failure of the backend itself
            raise a
        if isinstance(a, Generation):      # a scripted raw reply (e.g. text=None)
            return a
        text = a if isinstance(a, str) else json.dumps(a)
        return Generation(text, 100, 20, 1.0, 1.0, "stop")


class BatchingFakeBackend(ScriptedFakeBackend):
    """A scripted fake (NOT a model) with llama.cpp's `chat_n`: records each batch's size and
    first seed, and answers it from the script, one answer per candidate."""

    def __init__(self, answers, slots: int = 4, card=None):
        super().__init__(answers, card)
        self.slots = slots
        self.batches: list[tuple[int, int]] = []

    def chat_n(self, messages, n, *, seed=0, **kw):
        self.batches.append((n, seed))
        return [self.chat(messages, seed=seed + i, **kw) for i in range(n)]


def write_bank(path, rows=None):
    rows = rows or [
        {"id": "b1", "domain": "retail", "types": ["they_language"],
         "draft": "The warehouse sent the wrong size.", "rewrite": "We sent the wrong size, and I've booked the right one."},
        {"id": "b2", "domain": "telecom", "types": ["powerless"],
         "draft": "There's nothing I can do about your bill.", "rewrite": "Here's what I can do: I'll go through your bill with you now."},
        {"id": "b3", "domain": "utilities", "types": ["scripted_apology"],
         "draft": "We apologise for any inconvenience.", "rewrite": "I'm sorry your supply was cut off."},
        {"id": "b4", "domain": "retail", "types": ["dead_end"],
         "draft": "You'll need to contact the manufacturer.", "rewrite": "I'll contact the manufacturer for you and pass on what they say."},
    ]
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path
