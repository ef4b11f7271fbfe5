"""report.html: one self-contained page a QA lead can open anywhere, offline.

Plots are inline SVG drawn here and styles are inline, so the page loads nothing from the
network and needs no JavaScript. Flagged turns use `coach.render.highlight_html` and
`FAMILY_STYLES`, the web app's highlighter and colours, so a flagged turn looks the same in both.
"""
from __future__ import annotations

from html import escape

from coach.render import FAMILY_STYLES, HIGHLIGHT_CSS, family_css, highlight_html
from coach.taxonomy import FAMILIES, TYPES

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;
color:#1d1d1f;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:right}
th:nth-child(2),td:nth-child(2){text-align:left}
.kpi{display:inline-block;margin:.3em 1.5em .3em 0}.kpi b{font-size:1.4em;display:block}
.turn{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;margin:.6em 0;background:#fafafa}
.meta{color:#666;font-size:.85em}.text{white-space:pre-wrap;margin:.4em 0}
.flags{margin:.2em 0 0 1.2em;padding:0;font-size:.9em}
.legend span{display:inline-block;margin-right:1.2em}
.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-1px}
svg text{font:12px system-ui,sans-serif;fill:#333}
details{margin:.8em 0}summary{cursor:pointer;font-weight:600}
.rc-draft{white-space:pre-wrap;line-height:1.9}
""" + HIGHLIGHT_CSS + family_css()


# The same highlighter as the web app (and so the same marks and colours).
render_turn_html = highlight_html


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _name_width(cards: list[dict]) -> int:
    return min(260, 20 + 7 * max((len(c["agent"]) for c in cards), default=4))


def _agent_rows_open(cards: list[dict], extra_height: int, label: str) -> tuple[int, int, list[str]]:
    """Start of a one-row-per-agent bar chart: (left margin, plot width, svg parts so far)."""
    left, plot = _name_width(cards), 420
    h = 22 * len(cards) + extra_height
    return left, plot, [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot + 70}" '
                        f'height="{h}" role="img" aria-label="{label}">']


def _agent_label(left: int, y: int, agent: str) -> str:
    return f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(agent)}</text>'


def flag_rate_svg(cards: list[dict]) -> str:
    """Horizontal bars: share of each agent's turns with at least one flag, in rank order."""
    left, plot, parts = _agent_rows_open(cards, 34, "Flag rate per agent")
    for i, c in enumerate(cards):
        y = 10 + 22 * i
        w = plot * c["flag_rate"]
        parts.append(_agent_label(left, y, c["agent"]) +
                     f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="16" fill="#c0392b">'
                     f'<title>{escape(c["agent"])}: {_pct(c["flag_rate"])} of '
                     f'{c["agent_turns"]} turns flagged</title></rect>'
                     f'<text x="{left + w + 6:.1f}" y="{y + 14}">{_pct(c["flag_rate"])}</text>')
    y = 12 + 22 * len(cards)
    parts.append(f'<line x1="{left}" y1="{y}" x2="{left + plot}" y2="{y}" stroke="#999"/>')
    for t in (0, 0.25, 0.5, 0.75, 1):
        x = left + plot * t
        parts.append(f'<text x="{x:.1f}" y="{y + 16}" text-anchor="middle">{int(t * 100)}%'
                     '</text>')
    parts.append("</svg>")
    return "".join(parts)


def family_mix_svg(cards: list[dict]) -> str:
    """Stacked bars: each agent's flags split by family (share of that agent's flags)."""
    left, plot, parts = _agent_rows_open(cards, 20, "Family mix per agent")
    for i, c in enumerate(cards):
        y = 10 + 22 * i
        parts.append(_agent_label(left, y, c["agent"]))
        total = sum(c["families"].get(f, 0) for f in FAMILIES)
        if not total:
            parts.append(f'<text x="{left}" y="{y + 14}" fill="#888">no flags</text>')
            continue
        x = float(left)
        for fam in FAMILIES:
            n = c["families"].get(fam, 0)
            if not n:
                continue
            w = plot * n / total
            parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="16" '
                         f'fill="{FAMILY_STYLES[fam].colour}"><title>{escape(c["agent"])}: '
                         f'{FAMILY_STYLES[fam].label} {n} of {total} flags</title></rect>')
            x += w
        parts.append(f'<text x="{left + plot + 6}" y="{y + 14}">{total}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(hist: dict, cards: list[dict]) -> str:
    """Bars: how many conversations fall in each ownership-score band; ticks: agents' scores."""
    counts, edges = hist["counts"], hist["edges"]
    left, plot_w, plot_h, top = 40, 500, 160, 22
    peak = max(counts) or 1
    bw = plot_w / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + plot_w + 20}" '
             f'height="{top + plot_h + 70}" role="img" aria-label="Distribution of scores">']
    base = top + plot_h
    for i, n in enumerate(counts):
        hgt = plot_h * n / peak
        x = left + i * bw
        parts.append(f'<rect x="{x + 2:.1f}" y="{base - hgt:.1f}" width="{bw - 4:.1f}" '
                     f'height="{hgt:.1f}" fill="#2e86de"><title>score {edges[i]:g}-'
                     f'{edges[i + 1]:g}: {n} conversations</title></rect>')
        if n:
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{base - hgt - 3:.1f}" '
                         f'text-anchor="middle">{n}</text>')
    parts.append(f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" '
                 'stroke="#999"/>')
    for i, e in enumerate(edges):
        parts.append(f'<text x="{left + i * bw:.1f}" y="{base + 15}" text-anchor="middle">'
                     f'{e:g}</text>')
    tick_y = base + 24
    for c in cards:
        x = left + plot_w * c["ownership_score"] / 100
        parts.append(f'<line x1="{x:.1f}" y1="{tick_y}" x2="{x:.1f}" y2="{tick_y + 14}" '
                     f'stroke="#c0392b" stroke-width="2"><title>{escape(c["agent"])}: '
                     f'{c["ownership_score"]:.1f}</title></line>')
    parts.append(f'<text x="{left}" y="{tick_y + 30}">bars: conversations per ownership-score '
                 'band; red ticks: agents\' scores</text></svg>')
    return "".join(parts)


def _legend() -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{FAMILY_STYLES[f].colour}"></i>{FAMILY_STYLES[f].label}</span>'
        for f in FAMILIES) + "</div>"


def _scorecard_table(cards: list[dict]) -> str:
    head = ("<tr><th>#</th><th>agent</th><th>conversations</th><th>agent turns</th>"
            "<th>flagged turns</th><th>flag rate</th><th>ownership</th>" +
            "".join(f"<th>{FAMILY_STYLES[f].label}</th>" for f in FAMILIES) + "</tr>")
    rows = "".join(
        f'<tr><td>{c["rank"]}</td><td><a href="#agent-{c["rank"]}">{escape(c["agent"])}</a></td>'
        f'<td>{c["conversations"]}</td><td>{c["agent_turns"]}</td><td>{c["flagged_turns"]}</td>'
        f'<td>{_pct(c["flag_rate"])}</td><td>{c["ownership_score"]:.1f}</td>' +
        "".join(f'<td>{c["families"].get(f, 0)}</td>' for f in FAMILIES) + "</tr>"
        for c in cards)
    return f"<table>{head}{rows}</table>"


def _turn_block(row: dict) -> str:
    items = "".join(
        f'<li><b>{escape(TYPES[f["type"]].label if f["type"] in TYPES else f["type"])}</b> '
        f'&ldquo;{escape(f["quote"])}&rdquo; &mdash; {escape(f["message"])} '
        f'<i>Try:</i> {escape(f["suggestion"])}</li>' for f in row["flags"])
    cid = escape(str(row["conversation_id"]))
    return (f'<div class="turn"><div class="meta">conversation {cid}'
            f' &middot; turn {row["turn"]} &middot; {escape(row["source"])}:{row["line"]}'
            f' &middot; penalty {row["penalty"]:.2f}</div>'
            f'<div class="text">{render_turn_html(row["text"], row["flags"])}</div>'
            f'<ol class="flags">{items}</ol></div>')


def render_report(cards: list[dict], summary: dict,
                  examples: dict[str, list[dict]]) -> str:
    """The whole page: summary, the three plots, the scorecard table, each agent's flagged turns.

    `examples` maps each agent to its worst flagged turns (turns.jsonl rows plus `penalty`).
    """
    s = summary
    kpis = [("conversations", f'{s["conversations"]:,}'), ("agents", f'{s["agents"]:,}'),
            ("agent turns", f'{s["agent_turns"]:,}'), ("flagged turns", f'{s["flagged_turns"]:,}'),
            ("flag rate", _pct(s["flag_rate"])),
            ("ownership", "n/a" if s["ownership_score"] is None else f'{s["ownership_score"]:.1f}'),
            ("skipped", f'{s["skipped"]:,}')]
    body = [f'<h1>Reply Coach scorecards</h1><p class="meta">Inputs: '
            f'{escape(", ".join(s.get("inputs", [])))} &middot; detectors: '
            f'{escape(", ".join(s.get("detectors", [])))}</p>',
            "".join(f'<div class="kpi"><b>{v}</b>{k}</div>' for k, v in kpis),
            f'<p class="meta">Ownership score: {escape(s["score_formula"])}. Agents are ranked '
            'best first; the weakest rank last.</p>']
    if cards:
        body += ["<h2>Flag rate per agent</h2><p class=\"meta\">Share of each agent's turns with "
                 "at least one flag.</p>", flag_rate_svg(cards),
                 "<h2>Family mix per agent</h2>", _legend(), family_mix_svg(cards),
                 "<h2>Distribution of scores</h2>", histogram_svg(s["score_histogram"], cards),
                 "<h2>Scorecards</h2>", _scorecard_table(cards)]
    else:
        body.append("<p>No agent turns were scored.</p>")
    if s["skipped_records"]:
        rows = "".join(f'<tr><td>{escape(r["source"])}</td><td>{r["line"] or ""}</td>'
                       f'<td style="text-align:left">{escape(r["error"])}</td></tr>'
                       for r in s["skipped_records"])
        body.append(f'<h2>Skipped ({s["skipped"]})</h2><table><tr><th>file</th><th>line</th>'
                    f'<th>error</th></tr>{rows}</table>')
    if cards:
        body.append("<h2>Flagged turns by agent</h2>")
    for c in cards:
        shown = examples.get(c["agent"], [])
        note = (f'showing the worst {len(shown)} of {c["flagged_turns"]} flagged turns; every '
                'turn is in turns.jsonl' if len(shown) < c["flagged_turns"] else
                f'all {c["flagged_turns"]} flagged turns, worst first')
        blocks = "".join(_turn_block(r) for r in shown) or "<p>No flagged turns.</p>"
        # the weakest agents (last ranks) open by default: that is where a QA lead looks first
        is_open = " open" if c["rank"] > len(cards) - 3 else ""
        body.append(f'<details id="agent-{c["rank"]}"{is_open}>'
                    f'<summary>#{c["rank"]} {escape(c["agent"])} &middot; ownership '
                    f'{c["ownership_score"]:.1f} &middot; {_pct(c["flag_rate"])} of turns flagged'
                    f'</summary><p class="meta">{note}</p>{blocks}</details>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Reply Coach scorecards</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "\n</body></html>\n")
