"""The Score-transcripts handler: uploaded transcripts in, scorecards, charts and downloads out.

Scoring is `coach.score.run.score_paths`, the function behind `reply-coach score`; this module
checks the uploads, reports progress, and turns its scorecards.json into a table, chart data
and highlighted worst turns. turns.jsonl (every agent turn's text) is deleted right after
scoring, and result folders older than two hours are removed at each run.
"""
from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from coach.config import CoachConfig
from coach.errors import CoachError
from coach.flags import Flag
from coach.taxonomy import FAMILIES
from coach.web import render
from coach.web.check import error_message
from coach.web.uploads import checked_uploads, remove_old_outputs, upload_root

log = logging.getLogger("coach.web")

SCORE_SUFFIXES = (".jsonl", ".csv")
WORST_SHOWN = 5
TABLE_COLUMNS = ["Agent", "Conversations", "Agent turns", "Flagged turns", "Flag rate %",
                 *(f"{render.FAMILY_STYLES[f].label} /100 turns" for f in FAMILIES),
                 "Ownership score",
                 "Top problem"]

Progress = Callable[[int, int], None]

# The flag-rate-per-agent chart: names are angled once there are more than a few agents or a long
# name (level names of 11 agents overlap into one smudge), and the chart grows taller with the
# longest name so the angled labels keep room under the bars.
AGENT_PLOT_HEIGHT = 300
AGENT_PLOT_MAX_HEIGHT = 560
AGENT_LABEL_ANGLE = -40


@dataclass
class ScoreView:
    """Everything the Score tab shows after a run."""

    summary_html: str
    table: pd.DataFrame
    agent_chart: pd.DataFrame
    family_chart: pd.DataFrame
    agents: list[str] = field(default_factory=list)
    out_dir: str = ""
    downloads: list[str] = field(default_factory=list)


def empty_view(message_html: str = "") -> ScoreView:
    return ScoreView(message_html, pd.DataFrame(columns=TABLE_COLUMNS),
                     pd.DataFrame(columns=["agent", "flag_rate"]),
                     pd.DataFrame(columns=["family", "flag_rate"]))


def _score_fn() -> Callable[..., dict]:
    from coach.score.run import score_paths  # noqa: PLC0415 (imported when first used)

    return score_paths


def _rate(count: float, total: float) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def _family_count(value: object) -> float:
    """A family entry may be a count or a dict holding one (`flagged_turns` / `count`)."""
    if isinstance(value, dict):
        for k in ("flagged_turns", "turns", "count", "n"):
            if isinstance(value.get(k), (int, float)):
                return float(value[k])
        return 0.0
    return float(value) if isinstance(value, (int, float)) else 0.0


def _top_problem(agent: dict) -> str:
    types = agent.get("types") or {}
    if not isinstance(types, dict) or not types:
        return "—"
    name = max(types, key=lambda t: (_family_count(types[t]), t))
    return render.type_label(name) if _family_count(types[name]) else "—"


def scorecard_frames(cards: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The per-agent table, flag rate per agent, and flags per 100 turns per family (all agents).

    scorecards.json counts flags per family (a turn can hold several), so family figures are
    flags per 100 agent turns, not a share of turns.
    """
    rows, agent_rates = [], []
    fam_turns = {fam: 0.0 for fam in FAMILIES}
    total_turns = 0
    for a in cards.get("agents", []):
        turns = a.get("agent_turns", 0) or 0
        total_turns += turns
        rate = a.get("flag_rate")
        rate_pct = round(100.0 * rate, 1) if isinstance(rate, (int, float)) else \
            _rate(a.get("flagged_turns", 0), turns)
        own = a.get("ownership_score")
        fams = a.get("families") or {}
        fam_pcts = []
        for fam in FAMILIES:
            n = _family_count(fams.get(fam, 0))
            fam_turns[fam] += n
            fam_pcts.append(_rate(n, turns))
        rows.append([a["agent"], a.get("conversations", 0), turns, a.get("flagged_turns", 0),
                     rate_pct, *fam_pcts,
                     round(float(own), 1) if isinstance(own, (int, float)) else None,
                     _top_problem(a)])
        agent_rates.append({"agent": a["agent"], "flag_rate": rate_pct})
    fam_rates = [{"family": render.FAMILY_STYLES[fam].label,
                  "flag_rate": _rate(fam_turns[fam], total_turns)} for fam in FAMILIES]
    return (pd.DataFrame(rows, columns=TABLE_COLUMNS), pd.DataFrame(agent_rates),
            pd.DataFrame(fam_rates))


def score_uploads(files: object, config: CoachConfig, progress: Progress | None = None,
                  out_root: Path | None = None, upload_dir: Path | None = None,
                  score_fn: Callable[..., dict] | None = None) -> ScoreView:
    """Score uploaded transcripts; bad input comes back as a notice naming file and line."""
    paths: list[Path] = []
    try:
        paths = checked_uploads(files, SCORE_SUFFIXES, upload_dir)
        root = out_root or upload_root()
        root.mkdir(parents=True, exist_ok=True)
        remove_old_outputs(root)
        out_dir = tempfile.mkdtemp(prefix="reply-coach-score-", dir=root)
        fn = score_fn or _score_fn()
        try:
            summary = fn([str(p) for p in paths], out_dir, workers=1, skip_bad=True, quiet=True,
                         progress=progress, config=config)
        finally:
            # every agent turn's text: the page reads only scorecards.json (worst turns
            # included), and turns.jsonl is not offered for download, so it goes at once
            (Path(out_dir) / "turns.jsonl").unlink(missing_ok=True)
        cards = json.loads((Path(out_dir) / "scorecards.json").read_text(encoding="utf-8"))
    except CoachError as e:
        return empty_view(render.notice_html(error_message(e, paths), "error"))
    table, agent_chart, family_chart = scorecard_frames(cards)
    agents = [a["agent"] for a in cards.get("agents", [])]
    downloads = [str(p) for name, p in sorted((summary.get("paths") or {}).items())
                 if name != "turns" and Path(p).suffix in (".csv", ".json", ".html")
                 and Path(p).exists()]
    log.info("score: %d files, %d agents", len(paths), len(agents))
    return ScoreView(summary_html(cards.get("summary") or summary, paths), table,
                     agent_chart, family_chart, agents, out_dir, downloads)


def agent_plot_layout(agents: list[str]) -> dict:
    """`height` and `x_label_angle` for the agent chart, so every name stays readable."""
    longest = max((len(str(a)) for a in agents), default=0)
    if len(agents) <= 4 and longest <= 12:
        return {"height": AGENT_PLOT_HEIGHT, "x_label_angle": 0}
    # ~7 px per character at the axis font; an angled label's height is its length x sin(40°)
    label_px = int(longest * 7 * 0.65) + 10
    return {"height": min(AGENT_PLOT_HEIGHT + label_px, AGENT_PLOT_MAX_HEIGHT),
            "x_label_angle": AGENT_LABEL_ANGLE}


def summary_html(summary: dict, paths: list[Path]) -> str:
    """The line above the table: what was scored, and anything skipped (files by their names)."""
    n_files = len(paths)
    convs = summary.get("conversations", 0)
    n_agents = summary.get("agents")
    turns = summary.get("agent_turns", 0)
    flagged = summary.get("flagged_turns", 0)
    skipped = summary.get("skipped", 0)
    skipped_n = len(skipped) if isinstance(skipped, list) else int(skipped or 0)
    who = f", {n_agents} agent{'s' if n_agents != 1 else ''}" if isinstance(n_agents, int) else ""
    msg = (f"Scored {convs:,} conversation{'s' if convs != 1 else ''} from {n_files} "
           f"file{'s' if n_files != 1 else ''}{who}: {turns:,} agent turns, {flagged:,} flagged "
           f"({_rate(flagged, turns)}%).")
    out = render.notice_html(msg, "ok" if not flagged else "info")
    if skipped_n:
        where = "; ".join(str(r.get("error", "")) for r in (summary.get("skipped_records")
                                                           or [])[:3])
        for p in paths:
            where = where.replace(str(p), p.name)
        out += render.notice_html(f"{skipped_n} malformed conversation(s) or row(s) were skipped"
                                  + (f": {where}" if where else "") + ". The downloads list "
                                  "every one.", "warn")
    return out


def _flag(d: dict) -> Flag:
    """A flag from a turns.jsonl / scorecards.json row (worst-turn flags carry no message)."""
    return Flag(d.get("family", ""), d.get("type", ""), int(d.get("start", 0)),
                int(d.get("end", 0)), d.get("quote", ""), d.get("message", ""),
                d.get("suggestion", ""), d.get("severity", "info"), d.get("source", ""))


def _turn_flags(rec: dict) -> list[Flag]:
    return [_flag(f) if isinstance(f, dict) else f for f in rec.get("flags") or []]


def worst_turns(out_dir: str, agent: str, limit: int = WORST_SHOWN) -> list[dict]:
    """The agent's worst turns as scorecards.json ranks them (`Aggregator.worst_turns`:
    penalty, then flag count, then input order); none listed means none flagged."""
    if not out_dir or not agent:
        return []
    cards_path = Path(out_dir) / "scorecards.json"
    if not cards_path.exists():
        return []
    cards = json.loads(cards_path.read_text(encoding="utf-8"))
    for a in cards.get("agents", []):
        if a.get("agent") == agent:
            return list(a.get("worst") or [])[:limit]
    return []


def worst_turns_html(out_dir: str, agent: str | None) -> str:
    """The chosen agent's worst turns, each highlighted like a checked draft."""
    if not agent:
        return render.notice_html("Choose an agent to see their worst turns.", "info")
    turns = worst_turns(out_dir, agent)
    if not turns:
        return render.notice_html(f"No flagged turns for {agent}.", "ok")
    parts = [f'<h3 class="rc-h">Worst turns: {render.esc(agent)}</h3>']
    for rec in turns:
        flags = _turn_flags(rec)
        where = rec.get("conversation_id", "")
        idx = rec.get("turn")  # 0-based position in the conversation, customer turns included
        head = f"Conversation {where}" + (f", turn {idx + 1}" if isinstance(idx, int) else "")
        labels = ", ".join(dict.fromkeys(render.type_label(f.type) for f in flags))
        parts.append(f'<section class="rc-turn"><p class="rc-turn-head">{render.esc(head)} — '
                     f'{render.esc(labels)}</p>{render.highlight_html(rec.get("text", ""), flags)}'
                     "</section>")
    return "".join(parts)
