"""Read transcripts into Conversation records: JSONL, turn-per-row CSV, and the Twitter layout.

The format is chosen by extension and confirmed by content, so a `.csv` that is really JSON
Lines (or a JSON array saved as `.json`) gets a clear message instead of a wall of row errors.

File-level problems (missing, empty, binary, not UTF-8, wrong shape, missing columns) always
raise `InputError`. Row-level problems become `Skipped` records, placed in input order, naming
the file, line/row and field; the runner decides whether to stop on the first (the default) or
report and skip them (`--skip-bad`). A conversation with any bad row is skipped as a whole:
scoring a conversation with a hole in it would misstate the agent's record.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from coach.errors import CoachError, InputError, NothingToCheck
from coach.io import decode, find_lone_surrogate, iter_jsonl, open_bytes
from coach.score.model import ROLES, Conversation, Item, Skipped, Turn

JSON_EXTS = (".jsonl", ".ndjson", ".json")
CSV_EXTS = (".csv",)
CSV_COLUMNS = ("conversation_id", "agent", "role", "text")   # required, in this order
OPTIONAL_COLUMNS = ("timestamp",)                            # orders turns when present
TWITTER_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text",
                   "response_tweet_id", "in_response_to_tweet_id")



def _lift_csv_field_limit() -> None:
    """No per-cell cap in the csv module: a cell over csv's limit would abort the whole file.
    An over-long turn is rejected by the pipeline's `max_chars` check instead, which skips
    (with --skip-bad) or reports just its conversation."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:       # a C long is 32 bits on some platforms
            limit //= 2


_lift_csv_field_limit()

# A sign-off at the end of a support tweet: "^JD", "-Sam", "- Sam" (a name after ^ or a dash),
# and "~KC", "*TJ", "/CR" (only 1-3 capital initials after ~ * /, so "iOS / Android" is no
# agent). Common closings ("- Thanks!", "- Cheers", "- Best") are not names.
_SIGNOFF = re.compile(r"(?:^|\s)(?:([\^]|[-\u2013\u2014])\s?([A-Z][A-Za-z]{0,15})"
                      r"|([~*/])\s?([A-Z]{1,3}))[\s.!]*$")
_CLOSINGS = frozenset({
    "thanks", "thank", "thankyou", "thanx", "thx", "tx", "ty", "ta", "cheers", "regards",
    "best", "bestwishes", "wishes", "you", "sincerely", "kind", "warmly", "love", "enjoy",
    "welcome", "cya", "bye", "goodbye", "later", "peace", "xo", "xx", "hugs", "please", "pls",
})
_TRAILING_URLS = re.compile(r"(?:\s+https?://\S+)+\s*$")


def parse_columns(spec: str | dict[str, str] | None) -> dict[str, str]:
    """`text=body,agent=agent_name` -> {"text": "body", "agent": "agent_name"}.

    Keys are our column names, values the names in the user's file; unknown keys are an error
    so a typo does not silently fall back to the default column.
    """
    if not spec:
        return {}
    pairs = spec.items() if isinstance(spec, dict) else (
        p.split("=", 1) if "=" in p else (p, "") for p in spec.split(",") if p.strip())
    known = CSV_COLUMNS + OPTIONAL_COLUMNS
    out: dict[str, str] = {}
    for key, value in pairs:
        key, value = key.strip(), value.strip()
        if key not in known:
            raise CoachError(f"--columns: unknown column {key!r}; expected some of "
                             f"{', '.join(known)} (as ours=theirs, e.g. text=body)")
        if not value:
            raise CoachError(f"--columns: no file column given for {key!r} (use {key}=NAME)")
        out[key] = value
    return out


def detect_format(path: str, text: str) -> str:
    """'jsonl', 'csv' (one turn per row) or 'twitter', by extension and then content."""
    ext = Path(path).suffix.lower()
    head = text.lstrip()[:1]
    looks_json = head in ("{", "[")
    if ext in JSON_EXTS or (ext not in CSV_EXTS and looks_json):
        if head == "[":
            raise InputError("is a JSON array; expected JSON Lines (one conversation object per "
                             "line)", path, 1)
        if not looks_json:
            raise InputError(f"named {ext} but is not JSON Lines (it starts with {head!r}, not "
                             "'{'); is it a CSV file?", path, 1)
        return "jsonl"
    if looks_json:
        raise InputError("named .csv but looks like JSON Lines; rename it .jsonl", path, 1)
    header = _header(path, text)
    if "tweet_id" in header and "in_response_to_tweet_id" in header:
        return "twitter"
    return "csv"


def read_path(path: str, columns: dict[str, str] | None = None) -> list[Item]:
    """All conversations and skipped records of one file, in input order."""
    text = decode(open_bytes(path), path)
    if not text.strip():
        raise NothingToCheck("empty file, no conversations to score", path)
    fmt = detect_format(path, text)
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "twitter":
        return _read_twitter(path, text)
    return _read_turn_csv(path, text, columns or {})


def load_inputs(paths: list[str], columns: dict[str, str] | None = None) -> list[Item]:
    """Every input file's records, numbered in input order (the order of all outputs)."""
    if not paths:
        raise CoachError("no input files given")
    items: list[Item] = []
    for p in paths:
        items.extend(read_path(p, columns))
    for i, item in enumerate(items):
        item.seq = i
    return items


# --- JSON Lines -----------------------------------------------------------------------------

def _read_jsonl(path: str) -> list[Item]:
    items: list[Item] = []
    for lineno, row, err in iter_jsonl(path, ("conversation_id", "agent", "turns"),
                                       skip_bad=True):
        if err is None:
            try:
                items.append(_conversation_from_row(row, path, lineno))
                continue
            except InputError as e:
                err = e
        cid = row.get("conversation_id") if isinstance(row, dict) else None
        items.append(Skipped(path, lineno, str(err), _as_id(cid)))
    return items


def _as_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    if find_lone_surrogate(value, ""):
        return None     # not writable as UTF-8; iter_jsonl's error already names the field
    return str(value)


def _conversation_from_row(row: dict, path: str, line: int) -> Conversation:
    cid = _as_id(row["conversation_id"])
    if cid is None or not cid.strip():
        raise InputError("must be a non-empty string", path, line, "conversation_id")
    agent = row["agent"]
    if not isinstance(agent, str) or not agent.strip():
        raise InputError("must be a non-empty string", path, line, "agent")
    turns = row["turns"]
    if not isinstance(turns, list):
        raise InputError(f"must be a list of turns, got {type(turns).__name__}", path, line,
                         "turns")
    if not turns:
        raise InputError("has no turns", path, line, "turns")
    out = []
    for i, t in enumerate(turns):
        if not isinstance(t, dict):
            raise InputError(f"must be an object, got {type(t).__name__}", path, line,
                             f"turns[{i}]")
        for f in ("role", "text"):
            if f not in t:
                raise InputError("missing field", path, line, f"turns[{i}].{f}")
        if t["role"] not in ROLES:
            raise InputError(f"must be one of {', '.join(ROLES)}, got {t['role']!r}", path, line,
                             f"turns[{i}].role")
        if not isinstance(t["text"], str):
            raise InputError(f"must be a string, got {type(t['text']).__name__}", path, line,
                             f"turns[{i}].text")
        out.append(Turn(t["role"], t["text"], agent if t["role"] == "agent" else ""))
    return Conversation(cid, agent, out, path, line)


# --- CSV, one turn per row ------------------------------------------------------------------

def _rows(path: str, text: str):
    """(start line, fields) per CSV record; blank lines are skipped, csv errors name the line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    prev = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise InputError(f"unreadable CSV ({e})", path, prev + 1) from None
        start, prev = prev + 1, reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        yield start, row


def _header(path: str, text: str) -> list[str]:
    for _line, row in _rows(path, text):
        return [c.strip() for c in row]
    raise InputError("empty file: no header row", path)


def _index(path: str, header: list[str], wanted: dict[str, str], hint: str) -> dict[str, int]:
    missing = [f"{ours}" + (f" (as {theirs!r})" if theirs != ours else "")
               for ours, theirs in wanted.items() if theirs not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; the header has "
                         f"{', '.join(header) or 'nothing'}. {hint}", path, 1)
    return {ours: header.index(theirs) for ours, theirs in wanted.items()}


def parse_time(value: str) -> float:
    """Seconds since the epoch from a number, ISO 8601, or Twitter's `Tue Oct 31 22:10:47 +0000
    2017`; naive times count as UTC so mixed inputs still compare."""
    v = value.strip()
    if not v:
        raise ValueError("empty")
    try:
        return float(v)
    except ValueError:
        pass
    for parse in (lambda s: datetime.fromisoformat(s),
                  lambda s: datetime.strptime(s, "%a %b %d %H:%M:%S %z %Y")):
        try:
            d = parse(v)
        except ValueError:
            continue
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        return d.timestamp()
    raise ValueError(f"not a time: {v[:40]!r}")


class _Groups:
    """Conversations assembled from rows, kept in order of first appearance."""

    def __init__(self) -> None:
        self.order: list[object] = []           # conversation keys and standalone Skipped
        self.rows: dict[str, list] = {}
        self.first_line: dict[str, int] = {}
        self.error: dict[str, Skipped] = {}

    def add(self, key: str, line: int, row: object) -> None:
        if key not in self.rows:
            self.rows[key], self.first_line[key] = [], line
            self.order.append(key)
        self.rows[key].append(row)

    def bad(self, key: str | None, line: int, err: InputError, path: str) -> None:
        if key is None:
            self.order.append(Skipped(path, line, str(err)))
            return
        if key not in self.rows:
            self.add(key, line, None)
        self.error.setdefault(key, Skipped(path, line, str(err), key))


def _read_turn_csv(path: str, text: str, columns: dict[str, str]) -> list[Item]:
    rows = _rows(path, text)
    _line, raw_header = next(rows)
    header = [c.strip() for c in raw_header]
    wanted = {c: columns.get(c, c) for c in CSV_COLUMNS}
    idx = _index(path, header, wanted, "Map other names with --columns, e.g. "
                 "--columns text=body,agent=agent_name.")
    ts_name = columns.get("timestamp", "timestamp")
    if "timestamp" in columns and ts_name not in header:
        raise InputError(f"missing column timestamp (as {ts_name!r}); the header has "
                         f"{', '.join(header)}", path, 1)
    ts_idx = header.index(ts_name) if ts_name in header else None
    groups = _Groups()
    n = 0
    for line, row in rows:
        n += 1
        cid = row[idx["conversation_id"]].strip() if len(row) > idx["conversation_id"] else ""
        key = cid or None
        if len(row) != len(header):
            groups.bad(key, line, InputError(f"has {len(row)} fields; the header has "
                                             f"{len(header)}", path, line), path)
            continue
        try:
            if not cid:
                raise InputError("missing value", path, line, wanted["conversation_id"])
            role = row[idx["role"]].strip().lower()
            if role not in ROLES:
                raise InputError(f"must be one of {', '.join(ROLES)}, got "
                                 f"{row[idx['role']][:40]!r}", path, line, wanted["role"])
            agent = row[idx["agent"]].strip()
            if role == "agent" and not agent:
                raise InputError("missing value for an agent turn", path, line, wanted["agent"])
            ts = 0.0
            if ts_idx is not None:
                try:
                    ts = parse_time(row[ts_idx])
                except ValueError as e:
                    raise InputError(f"unreadable time ({e})", path, line, ts_name) from None
        except InputError as e:
            groups.bad(key, line, e, path)
            continue
        groups.add(cid, line, (ts, line, Turn(role, row[idx["text"]],
                                              agent if role == "agent" else "", line), agent))
    if n == 0:
        raise InputError("no rows after the header: no conversations to score", path)
    items: list[Item] = []
    for key in groups.order:
        if isinstance(key, Skipped):
            items.append(key)
        elif key in groups.error:
            items.append(groups.error[key])
        else:
            members = sorted(groups.rows[key], key=lambda r: (r[0], r[1]))
            agent_turns = [r[3] for r in members if r[2].role == "agent"]
            named = [r[3] for r in members if r[3]]
            agent = (agent_turns or named or [""])[0]
            items.append(Conversation(key, agent, [r[2] for r in members], path,
                                      groups.first_line[key], text_column=wanted["text"]))
    return items


# --- The "customer support on Twitter" layout -------------------------------------------------

def signoff_agent(handle: str, text: str) -> str:
    """The agent of a company tweet: its sign-off ("AppleSupport ^JD") or else the handle."""
    body = _TRAILING_URLS.sub("", text)
    m = _SIGNOFF.search(body)
    if not m:
        return handle
    mark, name = (m.group(1), m.group(2)) if m.group(2) else (m.group(3), m.group(4))
    if name.lower() in _CLOSINGS:
        return handle
    mark = "-" if mark in "-\u2013\u2014" else mark
    return f"{handle} {mark}{name}"


def _tweet_id(value: str) -> str:
    """Ids as written, minus the `.0` that spreadsheet exports add to numeric ids."""
    v = value.strip()
    return v[:-2] if v.endswith(".0") and v[:-2].isdigit() else v


def _read_twitter(path: str, text: str) -> list[Item]:
    rows = _rows(path, text)
    _line, raw_header = next(rows)
    header = [c.strip() for c in raw_header]
    idx = _index(path, header, {c: c for c in TWITTER_COLUMNS},
                 "The Twitter layout needs all of " + ", ".join(TWITTER_COLUMNS) + ".")
    tweets: dict[str, dict] = {}
    order: list[object] = []          # tweet ids and standalone Skipped, in file order
    errors: dict[str, Skipped] = {}
    n = 0
    for line, row in rows:
        n += 1
        cell = (lambda c: row[idx[c]] if len(row) > idx[c] else "")
        tid = _tweet_id(cell("tweet_id"))
        try:
            if not tid:
                raise InputError("missing value", path, line, "tweet_id")
            if tid in tweets:
                raise InputError(f"duplicate tweet_id (first at line {tweets[tid]['line']})",
                                 path, line, "tweet_id")
        except InputError as e:
            order.append(Skipped(path, line, str(e)))
            continue
        tw = {"line": line, "parent": _tweet_id(cell("in_response_to_tweet_id")),
              "children": [_tweet_id(c) for c in cell("response_tweet_id").split(",")
                           if c.strip()]}
        tweets[tid] = tw
        order.append(tid)
        try:
            if len(row) != len(header):
                raise InputError(f"has {len(row)} fields; the header has {len(header)}", path,
                                 line)
            author = cell("author_id").strip()
            if not author:
                raise InputError("missing value", path, line, "author_id")
            inbound = cell("inbound").strip().lower()
            if inbound not in ("true", "false"):
                raise InputError(f"must be True or False, got {cell('inbound')[:20]!r}", path,
                                 line, "inbound")
            try:
                ts = parse_time(cell("created_at"))
            except ValueError as e:
                raise InputError(f"unreadable time ({e})", path, line, "created_at") from None
        except InputError as e:
            errors[tid] = Skipped(path, line, str(e))
            continue
        txt = cell("text")
        tw.update(ts=ts, turn=Turn("customer", txt, "", line) if inbound == "true" else
                  Turn("agent", txt, signoff_agent(author, txt), line), handle=author)
    if n == 0:
        raise InputError("no rows after the header: no tweets to score", path)

    # Threads are the connected parts of the reply graph (both link columns, either way).
    parent = {t: t for t in tweets}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            # the root is the one seen first in the file, so results do not depend on link order
            if tweets[ra]["line"] <= tweets[rb]["line"]:
                parent[rb] = ra
            else:
                parent[ra] = rb

    for tid, tw in tweets.items():
        for other in [tw["parent"], *tw["children"]]:
            if other and other in tweets:
                union(tid, other)
    members: dict[str, list[str]] = {}
    for tid in tweets:
        members.setdefault(find(tid), []).append(tid)

    items: list[Item] = []
    for entry in order:
        if isinstance(entry, Skipped):
            items.append(entry)
            continue
        if find(entry) != entry:
            continue                    # a thread is emitted where its first tweet appears
        thread = members[entry]
        bad = [errors[t] for t in thread if t in errors]
        if bad:
            first = min(bad, key=lambda s: s.line)
            items.append(Skipped(path, first.line, first.error + (
                f" (thread of {len(thread)} tweets skipped)" if len(thread) > 1 else ""),
                entry))
            continue
        ordered = sorted(thread, key=lambda t: (tweets[t]["ts"], tweets[t]["line"]))
        turns = [tweets[t]["turn"] for t in ordered]
        handles = [tweets[t]["handle"] for t in ordered if tweets[t]["turn"].role == "agent"]
        items.append(Conversation(ordered[0], handles[0] if handles else "", turns, path,
                                  tweets[entry]["line"], text_column="text"))
    return items
