"""The Flag record every detector returns and every output format serialises."""
from __future__ import annotations

from dataclasses import dataclass, field

FLAG_FIELDS = ("family", "type", "start", "end", "quote", "message", "suggestion", "severity",
               "source")


@dataclass
class Flag:
    """One problem span in a draft.

    `start`/`end` are character offsets into the original draft, so `quote == text[start:end]`
    always holds; UIs highlight by offset and never by searching for the quote again.
    """

    family: str
    type: str
    start: int
    end: int
    quote: str
    message: str
    suggestion: str
    severity: str
    source: str
    rule: str = ""
    score: float = 1.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict) -> "Flag":
        """A Flag from its `to_dict` shape (the fields beyond FLAG_FIELDS keep their defaults)."""
        return cls(**{k: d[k] for k in FLAG_FIELDS},
                   **{k: d[k] for k in ("rule", "score") if k in d})

    def to_dict(self, full: bool = False) -> dict:
        """The public JSON shape; `full` adds the rule id and score for debugging and eval."""
        d = {k: getattr(self, k) for k in FLAG_FIELDS}
        if full:
            d["rule"] = self.rule
            d["score"] = round(self.score, 4)
        return d
