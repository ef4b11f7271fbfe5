"""The records batch scoring passes around: conversations, their turns, and skipped inputs.

Every reader (JSONL, turn CSV, Twitter CSV) produces the same records, so scoring, checkpoints,
the Ray engine and the outputs never care where a conversation came from. `source` and `line`
travel with each record so every message about it can point at the file and line/row.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = ("agent", "customer")


@dataclass
class Turn:
    """One message. `agent` is who wrote an agent turn (a conversation can be handed over).

    `line` is the turn's own line/row in the source when it has one (CSV and Twitter rows);
    None for JSON Lines, where the conversation's line is the turn's line.
    """

    role: str
    text: str
    agent: str = ""
    line: int | None = None

    def to_dict(self) -> dict:
        return {"role": self.role, "text": self.text, "agent": self.agent, "line": self.line}


@dataclass
class Conversation:
    """A conversation in input order; `line` is where it starts in `source` (1-based)."""

    conversation_id: str
    agent: str
    turns: list[Turn]
    source: str
    line: int
    seq: int = 0  # position among all inputs; fixes output order and resume position
    # the source column holding turn text (CSV layouts); None for JSON Lines (turns[i].text)
    text_column: str | None = None

    def to_dict(self) -> dict:
        return {"conversation_id": self.conversation_id, "agent": self.agent,
                "turns": [t.to_dict() for t in self.turns], "source": self.source,
                "line": self.line, "seq": self.seq, "text_column": self.text_column}

    @classmethod
    def from_dict(cls, d: dict) -> "Conversation":
        return cls(d["conversation_id"], d["agent"], [Turn(**t) for t in d["turns"]],
                   d["source"], d["line"], d["seq"], d.get("text_column"))

    def turn_place(self, i: int) -> tuple[int, str]:
        """(line, field) naming turn `i` in the source, for error messages."""
        t = self.turns[i]
        if self.text_column is not None:
            return (t.line if t.line is not None else self.line), self.text_column
        return self.line, f"turns[{i}].text"


@dataclass
class Skipped:
    """A malformed conversation or row: reported with its place, never silently dropped."""

    source: str
    line: int | None
    error: str
    conversation_id: str | None = None
    seq: int = 0

    def to_dict(self) -> dict:
        return {"source": self.source, "line": self.line, "error": self.error,
                "conversation_id": self.conversation_id}


Item = Conversation | Skipped
