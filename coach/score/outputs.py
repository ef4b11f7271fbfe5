"""The files a scoring run leaves in its output folder (except report.html: see report.py).

Everything is written deterministically (sorted keys, input order, no timestamps) and atomically
(to a temporary name, then renamed), so a resumed run or another engine gives the same bytes and
a killed run never leaves a half-written file under a final name.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from urllib.parse import quote

from coach.taxonomy import FAMILIES, TYPE_NAMES, TYPES

TURNS = "turns.jsonl"
SCORECARDS_JSON = "scorecards.json"
SCORECARDS_CSV = "scorecards.csv"
REPORT = "report.html"
SARIF = "scorecards.sarif"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"info": "note", "warning": "warning", "error": "error"}


def dumps_line(obj: object) -> str:
    """One JSONL line, the same bytes for the same object whichever engine produced it."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def atomic_write(path: str | Path, text: str) -> None:
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, p)


def scorecards_json(cards: list[dict], summary: dict) -> str:
    return json.dumps({"agents": cards, "summary": summary}, sort_keys=True, indent=2,
                      ensure_ascii=False) + "\n"


def scorecards_csv(cards: list[dict]) -> str:
    """One row per agent: the scorecard numbers, flag counts per family and type, the worst turn."""
    head = ["rank", "agent", "conversations", "agent_turns", "flagged_turns", "flag_rate",
            "flags", "ownership_score", *[f"family:{f}" for f in FAMILIES],
            *[f"type:{t}" for t in TYPE_NAMES], "worst_conversation_id", "worst_turn",
            "worst_quote"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for c in cards:
        worst = c["worst"][0] if c["worst"] else None
        w.writerow([c["rank"], c["agent"], c["conversations"], c["agent_turns"],
                    c["flagged_turns"], f"{c['flag_rate']:.4f}", c["flags"],
                    f"{c['ownership_score']:.1f}",
                    *[c["families"].get(f, 0) for f in FAMILIES],
                    *[c["types"].get(t, 0) for t in TYPE_NAMES],
                    worst["conversation_id"] if worst else "", worst["turn"] if worst else "",
                    " | ".join(f["quote"] for f in worst["flags"]) if worst else ""])
    return buf.getvalue()


def _uri(path: str) -> str:
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix(), safe="/")


class SarifBuilder:
    """SARIF 2.1.0 log of every flag: one rule per problem type, one result per flag.

    A flag lives inside a turn, not at a byte range of the input file, so each result points at
    the conversation's line/row (`region.startLine`) and names the turn as a logical location
    (`conversation_id/turns[i]`); the exact character span inside the turn is in `properties`.
    """

    def __init__(self, version: str) -> None:
        self.version = version
        self.results: list[dict] = []
        self.artifacts: dict[str, int] = {}

    def add(self, row: dict) -> None:
        """Add the flags of one turns.jsonl row."""
        src = row["source"]
        index = self.artifacts.setdefault(src, len(self.artifacts))
        for f in row["flags"]:
            label = TYPES[f["type"]].label
            self.results.append({
                "ruleId": f["type"],
                "ruleIndex": TYPE_NAMES.index(f["type"]),
                "level": SARIF_LEVELS.get(f["severity"], "warning"),
                "message": {"text": f"{label}: \"{f['quote']}\". {f['message']} "
                                    f"Try: {f['suggestion']}"},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(src), "index": index},
                        "region": {"startLine": max(1, int(row["line"]))}},
                    "logicalLocations": [{
                        "name": f"turns[{row['turn']}]",
                        "fullyQualifiedName": f"{row['conversation_id']}/turns[{row['turn']}]",
                        "kind": "element"}]}],
                "properties": {"conversation_id": row["conversation_id"],
                               "agent": row["agent"], "turn": row["turn"],
                               "start": f["start"], "end": f["end"], "quote": f["quote"],
                               "family": f["family"], "source": f["source"]},
            })

    def document(self) -> str:
        rules = [{"id": t.name,
                  "name": "".join(w.capitalize() for w in t.name.split("_")),
                  "shortDescription": {"text": t.label},
                  "fullDescription": {"text": t.why},
                  "help": {"text": t.fix},
                  "defaultConfiguration": {"level": SARIF_LEVELS[t.severity]},
                  "properties": {"family": t.family}} for t in TYPES.values()]
        log = {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "reply-coach", "version": self.version,
                                "rules": rules}},
            "artifacts": [{"location": {"uri": _uri(p)}} for p in self.artifacts],
            "columnKind": "unicodeCodePoints",
            "results": self.results}]}
        return json.dumps(log, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
