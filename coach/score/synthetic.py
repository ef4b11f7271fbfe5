"""Deterministic synthetic transcripts for benchmarks and long-run tests (never for evaluation).

Agents differ in how often they reach for distancing, stock apologies and dead ends, so the
scorecards have something to rank; the same seed always gives the same bytes.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

CUSTOMER = ["Where is my order? It was due on Monday.", "I was charged twice this month.",
            "My internet keeps dropping every evening.", "Can I return a jacket I bought in May?",
            "The app logs me out every time I open it.", "Why did my bill go up?"]
GOOD = ["I've checked your order and it's at our depot; I've booked it on tomorrow's van.",
        "I'm sorry we charged you twice. I've refunded the second payment just now.",
        "I've booked an engineer for Thursday between 8 and 10am and added a credit.",
        "Our return window is 30 days so we can resell items as new, but I can offer store "
        "credit today.", "I've reset your session from my side; please try again now.",
        "We raised our rates in March. I've moved you to the fixed plan, which saves $12."]
BAD = ["They changed the billing system, so there's nothing I can do.",
       "We apologize for any inconvenience caused.", "Please contact the courier directly.",
       "That's company policy.", "The warehouse made a mistake, not us.",
       "Honestly the policy is dumb, but I don't make the rules.",
       "Please wait while the team looks into it."]


def conversations(n: int, agents: int = 20, agent_turns: int = 2, seed: int = 7):
    """`n` conversations as JSONL rows; agent k is bad in about k/agents of its sentences."""
    rnd = random.Random(seed)
    for i in range(n):
        a = i % agents
        turns = []
        for _ in range(agent_turns):
            turns.append({"role": "customer", "text": rnd.choice(CUSTOMER)})
            parts = [rnd.choice(BAD) if rnd.random() < a / agents else rnd.choice(GOOD)
                     for _ in range(rnd.randint(1, 2))]
            turns.append({"role": "agent", "text": " ".join(parts)})
        yield {"conversation_id": f"syn-{i:07d}", "agent": f"agent-{a:02d}", "turns": turns}


def write_synthetic(path: str | Path, n: int, agents: int = 20, agent_turns: int = 2,
                    seed: int = 7) -> Path:
    p = Path(path)
    with open(p, "w", encoding="utf-8") as f:
        for row in conversations(n, agents, agent_turns, seed):
            f.write(json.dumps(row) + "\n")
    return p
