"""The Evaluate handler: a labelled set in, the metrics, a chart and the errors out.

Runs `coach.dataset.load_eval` and `coach.evaluate.evaluate` (exactly what `reply-coach eval`
runs) on a bundled set or an uploaded file in the eval schema (eval/GUIDELINES.md).
"""
from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from coach.errors import CoachError, InputError
from coach.flags import Flag
from coach.metrics import GoldItem
from coach.pipeline import Coach
from coach.taxonomy import FAMILIES, TYPE_NAMES, TYPES
from coach.web import render
from coach.web.check import error_message
from coach.web.uploads import checked_upload, remove_old_outputs, upload_root

log = logging.getLogger("coach.web")

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "eval"
BUNDLED = {"dev": "dev.jsonl", "test": "test.jsonl"}
UPLOAD = "upload"
MAX_ERRORS_SHOWN = 40
METRIC_COLUMNS = ["Level", "Name", "Precision", "Recall", "F1", "Support"]


@dataclass
class EvalView:
    """Everything the Evaluate tab shows after a run."""

    summary_html: str
    table: pd.DataFrame
    chart: pd.DataFrame
    errors_html: str
    json_path: str | None


def empty_view(message_html: str = "") -> EvalView:
    return EvalView(message_html, pd.DataFrame(columns=METRIC_COLUMNS),
                    pd.DataFrame(columns=["type", "F1", "family"]), "", None)


def bundled_sets(eval_dir: Path = EVAL_DIR) -> dict[str, Path]:
    """The bundled eval sets that exist on disk, by choice name."""
    return {k: eval_dir / v for k, v in BUNDLED.items() if (eval_dir / v).is_file()}


def eval_choices(eval_dir: Path = EVAL_DIR) -> list[tuple[str, str]]:
    labels = {"dev": "Dev set (eval/dev.jsonl)", "test": "Test set (eval/test.jsonl, held out)"}
    return [(labels[k], k) for k in bundled_sets(eval_dir)] + [("Upload a file", UPLOAD)]


def metrics_frames(res: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The metrics table (family, type, micro, span rows) and the F1-per-type chart data."""
    rows = []
    for fam in FAMILIES:
        m = res["family"][fam]
        rows.append(["family", render.FAMILY_STYLES[fam].label, m["p"], m["r"], m["f"],
                     m["support"]])
    for t in TYPE_NAMES:
        m = res["type"][t]
        rows.append(["type", TYPES[t].label, m["p"], m["r"], m["f"], m["support"]])
    for key, name in (("micro", "micro (draft, family)"), ("micro_type", "micro (draft, type)"),
                      ("span", "span overlap")):
        m = res[key]
        rows.append(["overall", name, m["p"], m["r"], m["f"], m["support"]])
    h = res["hard"]["micro"]
    rows.append(["overall", "hard subset micro", h["p"], h["r"], h["f"], h["support"]])
    table = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    chart = pd.DataFrame([{"type": TYPES[t].label, "F1": res["type"][t]["f"],
                           "family": render.FAMILY_STYLES[TYPES[t].family].label}
                          for t in TYPE_NAMES])
    return table, chart


def summary_html(res: dict, name: str) -> str:
    h = res["hard"]
    lat = res["latency_ms"]
    msg = (f"{name}: {res['n']} drafts ({res['n_clean']} clean). Micro-F1 "
           f"{res['micro']['f']:.3f}, clean-draft false-positive rate {res['clean_fp_rate']:.3f}, "
           f"hard subset ({h['n']} drafts) micro-F1 {h['micro']['f']:.3f} with clean FP rate "
           f"{h['clean_fp_rate']:.3f}, span F1 {res['span']['f']:.3f}; latency p50 "
           f"{lat['p50']:.2f} ms, p95 {lat['p95']:.2f} ms.")
    return render.notice_html(msg, "info")


def errors_html(golds: Sequence[GoldItem], flags: Sequence[Sequence[Flag]],
                limit: int = MAX_ERRORS_SHOWN) -> str:
    """Misses and false alarms per draft: the missed gold spans and the wrong flags, marked."""
    parts, n = [], 0
    for g, fl in zip(golds, flags):
        pred = {f.type for f in fl}
        missed, extra = g.types - pred, pred - g.types
        if not missed and not extra:
            continue
        n += 1
        if n > limit:
            continue
        marks: list[Flag] = []
        labels: list[str] = []
        for fam, t, s, e in g.spans:
            if t in missed:
                marks.append(Flag(fam, t, s, e, g.text[s:e], "", "", "info", "gold"))
                labels.append(f"Missed: {render.type_label(t)}")
        for f in fl:
            if f.type in extra:
                marks.append(f)
                labels.append(f"False alarm: {render.type_label(f.type)}")
        order = sorted(range(len(marks)), key=lambda i: (marks[i].start, marks[i].end))
        marks, labels = [marks[i] for i in order], [labels[i] for i in order]
        missed_nospan = sorted(t for t in missed if not any(st == t for _f, st, _s, _e in g.spans))
        what = []
        if missed:
            what.append("missed " + ", ".join(render.type_label(t) for t in sorted(missed)))
        if extra:
            what.append("false alarm " + ", ".join(render.type_label(t) for t in sorted(extra)))
        note = (f' <span class="rc-turn-note">(no gold span for '
                f'{render.esc(", ".join(missed_nospan))})</span>' if missed_nospan else "")
        parts.append(f'<section class="rc-turn"><p class="rc-turn-head">{render.esc(g.id)}'
                     f'{" (hard)" if g.hard else ""} — {render.esc("; ".join(what))}{note}</p>'
                     f'{render.highlight_html(g.text, marks, labels)}</section>')
    if not n:
        return render.notice_html("No misses and no false alarms on this set.", "ok")
    head = render.notice_html(
        f"{n} draft{'s' if n != 1 else ''} with a miss or false alarm"
        + (f"; the first {limit} are shown (download the JSON for all metrics)" if n > limit
           else "") + ".", "info")
    return head + "".join(parts)


def run_eval(choice: str, upload: object, coach: Coach, out_root: Path | None = None,
             eval_dir: Path = EVAL_DIR, upload_dir: Path | None = None) -> EvalView:
    """Evaluate the coach on the chosen set; bad files come back as a notice naming the line."""
    from coach.dataset import load_eval  # noqa: PLC0415
    from coach.evaluate import evaluate  # noqa: PLC0415

    paths: list[Path] = []
    try:
        if choice == UPLOAD:
            if not upload:
                raise InputError("upload an eval file (JSONL in the eval schema) first",
                                 field="file")
            path = checked_upload(upload, (".jsonl",), upload_dir)
            paths = [path]
            name = path.name
        else:
            sets = bundled_sets(eval_dir)
            if choice not in sets:
                raise InputError(f"the bundled {choice!r} set is not installed "
                                 f"(looked for {eval_dir / BUNDLED.get(choice, '?')})")
            path, name = sets[choice], f"eval/{BUNDLED[choice]}"
        golds = load_eval(path)
        res, _preds, flags = evaluate(coach, golds)
    except CoachError as e:
        return empty_view(render.notice_html(error_message(e, paths), "error"))
    res["config"] = "+".join(coach.config.detectors)
    res["file"] = name
    root = out_root or upload_root()
    root.mkdir(parents=True, exist_ok=True)
    remove_old_outputs(root)
    out_dir = Path(tempfile.mkdtemp(prefix="reply-coach-eval-", dir=root))
    json_path = out_dir / f"metrics-{Path(name).stem}.json"
    json_path.write_text(json.dumps(res, indent=2), encoding="utf-8")
    table, chart = metrics_frames(res)
    log.info("eval: %d drafts, micro-F1 %.3f", res["n"], res["micro"]["f"])
    return EvalView(summary_html(res, name), table, chart, errors_html(golds, flags),
                    str(json_path))
