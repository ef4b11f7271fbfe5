"""Score conversations (per-turn flags) and roll them up into per-agent scorecards.

Scoring goes through `Coach.check_many` only, so a scorecard means exactly what `check` and the
app show. Aggregation reads the per-conversation records in input order and nothing else, which
is why the local engine, the Ray engine and a resumed run all produce the same bytes.

Ownership score (0-100, higher is better), per agent and per conversation:

    weight(flag)   = 1 for info, 2 for warning, 3 for error severity
    penalty(turn)  = min(1, sum of weight(flag) over the turn's flags / 3)
    ownership      = 100 * (1 - mean penalty over the agent's turns), rounded to 0.1

So a clean turn costs nothing, one scripted apology (info) costs a third of a turn, one
warning-level flag (they-language, powerless, policy wall, disowning, dead end) two thirds, and
blame-shifting (error) or any two warnings cost the whole turn. Averaging over turns makes agents
with different volumes comparable; capping each turn at 1 keeps one rambling reply from sinking
an otherwise good agent.
"""
from __future__ import annotations

import heapq
from typing import Iterable

from coach.errors import InputError
from coach.pipeline import Coach
from coach.score.model import Conversation, Item, Skipped
from coach.taxonomy import FAMILIES, TYPE_NAMES

SEVERITY_WEIGHTS: dict[str, int] = {"info": 1, "warning": 2, "error": 3}
FULL_PENALTY = 3
SCORE_FORMULA = ("ownership = 100 * (1 - mean over agent turns of min(1, sum of flag weights / "
                 "3)); weights: info 1, warning 2, error 3")
WORST_PER_AGENT = 5        # in scorecards.json / .csv
EXAMPLES_PER_AGENT = 25    # highlighted in report.html
HIST_BINS = 10


def turn_penalty(flags: Iterable[dict]) -> float:
    """How much of one turn is lost to its flags, 0..1 (see the module docstring)."""
    return min(1.0, sum(SEVERITY_WEIGHTS.get(f["severity"], 2) for f in flags) / FULL_PENALTY)


def ownership(penalty_sum: float, turns: int) -> float | None:
    return None if turns == 0 else round(100.0 * (1.0 - penalty_sum / turns), 1)


def skipped_record(s: Skipped) -> dict:
    return {"kind": "skipped", "seq": s.seq, **s.to_dict()}


def score_items(coach: Coach, items: list[Item]) -> list[dict]:
    """One record per item, in order: agent turns with their flags, or the skip and its reason.

    All agent turns of the batch go through one `check_many` call (batched detectors run once);
    if a turn is rejected (e.g. longer than `max_chars`) each conversation is scored on its own
    so only the bad one becomes a skipped record.
    """
    convs = [it for it in items if isinstance(it, Conversation)]
    texts = [t.text for c in convs for t in c.turns if t.role == "agent"]
    try:
        flat = coach.check_many(texts)
    except InputError:
        flat = None
    out, pos = [], 0
    for it in items:
        if isinstance(it, Skipped):
            out.append(skipped_record(it))
            continue
        n = sum(1 for t in it.turns if t.role == "agent")
        if flat is not None:
            out.append(_record(it, flat[pos:pos + n]))
            pos += n
        else:
            out.append(score_conversation(coach, it))
    return out


def score_conversation(coach: Coach, conv: Conversation) -> dict:
    try:
        flags = coach.check_many([t.text for t in conv.turns if t.role == "agent"])
    except InputError as e:
        bad = next(i for i, t in enumerate(conv.turns)
                   if t.role == "agent" and _rejected(coach, t.text))
        line, column = conv.turn_place(bad)
        err = InputError(e.reason, conv.source, line, column)
        return skipped_record(Skipped(conv.source, conv.line, str(err), conv.conversation_id,
                                      conv.seq))
    return _record(conv, flags)


def _rejected(coach: Coach, text: str) -> bool:
    try:
        coach.check(text)
    except InputError:
        return True
    return False


def _record(conv: Conversation, flags: list) -> dict:
    turns, k = [], 0
    for i, t in enumerate(conv.turns):
        if t.role != "agent":
            continue
        turns.append({"turn": i, "agent": t.agent or conv.agent, "text": t.text,
                      "flags": [f.to_dict() for f in flags[k]]})
        k += 1
    return {"kind": "conversation", "seq": conv.seq, "conversation_id": conv.conversation_id,
            "agent": conv.agent, "source": conv.source, "line": conv.line,
            "turns": len(conv.turns), "agent_turns": turns}


def turn_rows(rec: dict) -> list[dict]:
    """The turns.jsonl rows of one conversation record."""
    return [{"conversation_id": rec["conversation_id"], "agent": t["agent"], "turn": t["turn"],
             "source": rec["source"], "line": rec["line"], "text": t["text"],
             "flags": t["flags"]} for t in rec["agent_turns"]]


class _Tally:
    """Counts shared by one agent and by the whole run."""

    def __init__(self) -> None:
        self.conversations: set[int] = set()
        self.agent_turns = self.flagged_turns = self.flags = 0
        self.penalty = 0.0
        self.families = dict.fromkeys(FAMILIES, 0)
        self.types = dict.fromkeys(TYPE_NAMES, 0)

    def add(self, seq: int, flags: list[dict], penalty: float) -> None:
        self.conversations.add(seq)
        self.agent_turns += 1
        self.penalty += penalty
        if flags:
            self.flagged_turns += 1
            self.flags += len(flags)
        for f in flags:
            self.families[f["family"]] = self.families.get(f["family"], 0) + 1
            self.types[f["type"]] = self.types.get(f["type"], 0) + 1

    def card(self) -> dict:
        rate = self.flagged_turns / self.agent_turns if self.agent_turns else 0.0
        return {"conversations": len(self.conversations), "agent_turns": self.agent_turns,
                "flagged_turns": self.flagged_turns, "flag_rate": round(rate, 4),
                "flags": self.flags, "ownership_score": ownership(self.penalty, self.agent_turns),
                "families": dict(self.families), "types": dict(self.types)}


class Aggregator:
    """Streams conversation records (in input order) into scorecards and a run summary."""

    def __init__(self) -> None:
        self.total = _Tally()
        self.agents: dict[str, _Tally] = {}
        self.examples: dict[str, list] = {}     # agent -> min-heap of its worst flagged turns
        self.conversations = 0
        self.skipped: list[dict] = []
        self.histogram = [0] * HIST_BINS

    def add(self, rec: dict) -> None:
        if rec["kind"] == "skipped":
            self.skipped.append({k: rec[k] for k in ("source", "line", "conversation_id",
                                                     "error")})
            return
        self.conversations += 1
        seq, conv_penalty = rec["seq"], 0.0
        for row in turn_rows(rec):
            p = turn_penalty(row["flags"])
            conv_penalty += p
            self.total.add(seq, row["flags"], p)
            self.agents.setdefault(row["agent"], _Tally()).add(seq, row["flags"], p)
            if row["flags"]:
                heap = self.examples.setdefault(row["agent"], [])
                key = (p, len(row["flags"]), -seq, -row["turn"])
                entry = (key, {**row, "penalty": round(p, 4)})
                if len(heap) < EXAMPLES_PER_AGENT:
                    heapq.heappush(heap, entry)
                elif key > heap[0][0]:
                    heapq.heapreplace(heap, entry)
        if rec["agent_turns"]:
            score = ownership(conv_penalty, len(rec["agent_turns"]))
            self.histogram[min(HIST_BINS - 1, int(score // (100 / HIST_BINS)))] += 1

    def worst_turns(self, agent: str) -> list[dict]:
        """The agent's worst flagged turns, worst first (penalty, then flag count, then order)."""
        return [e for _k, e in sorted(self.examples.get(agent, []), key=lambda x: x[0],
                                      reverse=True)]

    def scorecards(self) -> list[dict]:
        """Agents best first (ownership score, then name): the weakest agents rank last."""
        cards = []
        for agent, tally in self.agents.items():
            card = {"agent": agent, **tally.card()}
            card["worst"] = [_worst(e) for e in self.worst_turns(agent)[:WORST_PER_AGENT]]
            cards.append((tally.penalty / tally.agent_turns, agent, card))
        cards.sort(key=lambda c: (c[0], c[1]))
        out = []
        for rank, (_p, _a, card) in enumerate(cards, 1):
            out.append({"rank": rank, **card})
        return out

    def summary(self) -> dict:
        card = self.total.card()
        card["conversations"] = self.conversations
        return {**card, "agents": len(self.agents), "skipped": len(self.skipped),
                "skipped_records": self.skipped, "score_formula": SCORE_FORMULA,
                "score_histogram": {"edges": [round(i * 100 / HIST_BINS, 1)
                                              for i in range(HIST_BINS + 1)],
                                    "counts": list(self.histogram),
                                    "of": "conversations with agent turns"}}


def _worst(e: dict) -> dict:
    return {"conversation_id": e["conversation_id"], "turn": e["turn"], "source": e["source"],
            "line": e["line"], "penalty": e["penalty"], "text": e["text"],
            "flags": [{k: f[k] for k in ("family", "type", "severity", "start", "end", "quote")}
                      for f in e["flags"]]}
