"""Reply Coach web app (Gradio Blocks).

Safe by default: binds 127.0.0.1 unless --host is given, never creates a share link, analytics
and run history off, model calls queued one at a time, drafts and uploads size-limited, and no
draft text logged. Checks run side by side for many agents (the page's checks skip the queue;
POST /api/check is a plain JSON route on the same server), and the page checks as the agent
types (debounced). Everything the page shows comes from the pure handlers in `coach.web`, which
call the same `coach` functions as the command line; this file only lays out and wires them.

    python app.py [--host 127.0.0.1] [--port 7860] [--rewrite model|fallback] [--config X.yaml]
    reply-coach app [--host ...] [--port ...]
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Importing coach first switches off analytics and telemetry (coach/privacy.py) before gradio
# or any model runtime is imported.
from coach.config import CoachConfig  # noqa: E402
from coach.errors import CoachError  # noqa: E402
from coach.pipeline import Coach  # noqa: E402
from coach.web import api as web_api  # noqa: E402
from coach.web import check as web_check  # noqa: E402
from coach.web import evaluate as web_eval  # noqa: E402
from coach.web import rewrite as web_rewrite  # noqa: E402
from coach.web import score as web_score  # noqa: E402
from coach.web import settings as web_settings  # noqa: E402
from coach.web.examples import EXAMPLES  # noqa: E402
from coach.web.model_slot import ModelSlot  # noqa: E402
from coach.web.render import FAMILY_STYLES, legend_html, notice_html  # noqa: E402
from coach.web.style import CSS, HEAD  # noqa: E402
from coach.taxonomy import TYPE_NAMES, TYPES  # noqa: E402

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Checks are milliseconds (rules + embeddings), and many agents check at once. The page's checks
# (Check, Ctrl+Enter, live checks, examples) skip Gradio's queue (queue=False: one HTTP request
# each, run in the server's worker threads, side by side), since the queue's join-and-stream
# round trip costs several times the check itself. POST /api/check does the same for scripts.
# Gradio's named `/check` endpoint (gradio_client) stays queued, CHECK_CONCURRENCY at a time:
# more at once only adds thread contention on 2 cores (bench/bench_load.py). A check that runs
# the `lm` detector waits for the model slot in its worker, at most MAX_WAITING_CHECKS at once.
CHECK_CONCURRENCY = 8
MODEL_CONCURRENCY_ID = "model"  # every model call (UI and API) shares one slot
# The model slot inside the process. Rewrites hold it (on top of their `model` queue), and so
# does any check that runs the `lm` detector: checks run side by side, but the local language
# model must still answer one call at a time.
MODEL_SLOT = ModelSlot()
MODEL_LOCK = MODEL_SLOT.lock
LM_DETECTOR = "lm"
QUEUE_MAX_SIZE = 256            # events waiting in Gradio's queue (all tabs); more are refused
log = logging.getLogger("coach.web")


def model_slot(coach) -> contextlib.AbstractContextManager:
    """The model slot (capped wait) when `coach` runs the language model, else nothing."""
    if coach is not None and LM_DETECTOR in coach.config.detectors:
        return MODEL_SLOT.hold()
    return contextlib.nullcontext()


def _header(detectors, mode: str) -> str:
    return ('<div class="rc-header"><h1>Reply Coach</h1>'
            '<p class="rc-tagline">Find the words that push a customer away, see why they hurt, '
            'and get an ownership rewrite.</p>'
            f"{web_settings.status_line(detectors, mode)}</div>")


def build(config: CoachConfig | None = None, mode: str | None = None):
    """The Blocks app. `mode` is the rewrite mode (`model` or `fallback`; default from env)."""
    import gradio as gr

    cache = web_settings.CoachCache(config)
    cache.get()  # build the default Coach now: a bad config fails at start, not on first check
    mode = mode or web_settings.rewrite_mode()
    available = web_settings.available_detectors()
    default_detectors = [d for d in cache.default_detectors if d in available]

    def coach_or_notice(detectors):
        try:
            return cache.get(detectors), None
        except CoachError as e:
            return None, notice_html(str(e), "error")

    # ---------------------------------------------------------------- handlers (UI wrappers)
    def hide_stale_rewrite(text, rewritten_for):
        """Keep the rewrite panel for the draft it was made (or is being made) for; hide and
        empty it once the draft has changed."""
        return ((gr.skip(),) * 6 if text == rewritten_for
                else ("", "", "", "", "", gr.update(visible=False)))

    def ui_check(text, detectors, rewritten_for):
        """Check (every chosen detector), and hide a rewrite made for a different draft."""
        keep = hide_stale_rewrite(text, rewritten_for)
        coach, err = coach_or_notice(detectors)
        if err:
            return (err, "", legend_html(), "", *keep, None)
        try:
            with model_slot(coach):
                view = web_check.check_draft(text, coach)
        except CoachError as e:  # the model is busy: say so, keep the page as it is
            return (notice_html(web_check.error_message(e), "warn"), *(gr.skip(),) * 3, *keep,
                    gr.skip())
        return (*view.as_tuple(), *keep, web_check.shown_key(text, coach.config.detectors))

    def ui_live_check(text, detectors, rewritten_for, shown_for):
        """The check while typing (fired by the page LIVE_DEBOUNCE_MS after the last key):
        the fast detectors only, and nothing at all when the page already shows this draft."""
        keep = hide_stale_rewrite(text, rewritten_for)
        chosen = list(detectors or [])
        live = web_check.live_detectors(chosen)
        if not isinstance(text, str) or not text.strip():
            return (*web_check.start_view().as_tuple(), *keep, None)
        if chosen and not live:
            return (*web_check.live_off_view(chosen).as_tuple(), *keep, None)
        coach, err = coach_or_notice(live)
        if err:
            return (err, "", legend_html(), "", *keep, None)
        if web_check.already_shown(text, coach.config.detectors, shown_for):
            return (*(gr.skip(),) * 4, *keep, gr.skip())
        skipped = [d for d in chosen if d not in live]
        view = web_check.live_check_draft(text, coach, skipped)
        return (*view.as_tuple(), *keep, web_check.shown_key(text, coach.config.detectors))

    def ui_clear():
        """An empty box, the hint, no rewrite, and nothing recorded as shown (so typing the
        same draft again is checked again)."""
        return ("", *web_check.start_view().as_tuple(), "", "", "", "", "",
                gr.update(visible=False), None)

    def ui_rewrite_working(text):
        """At once on Suggest rewrite: the panel with a progress note, and the draft it is for
        (so a live check that fires meanwhile keeps the panel instead of hiding it)."""
        return (web_rewrite.working_html(mode), "", "", "", "", gr.update(visible=True), text)

    def ui_rewrite(text, detectors):
        coach, err = coach_or_notice(detectors)
        if err:
            return err, "", "", "", "", None
        with MODEL_SLOT.hold(capped=False):
            view = web_rewrite.rewrite_draft(text, coach, mode)
        return (*view.as_tuple(), text)

    def ui_score(files, detectors, progress=gr.Progress()):
        try:
            config = cache.config_for(detectors)
        except CoachError as e:
            view = web_score.empty_view(notice_html(str(e), "error"))
        else:
            progress(0, desc="Reading transcripts")
            view = web_score.score_uploads(
                files, config,
                progress=lambda done, total: progress((done, total), desc="Scoring turns",
                                                      unit="turns"))
        first = None
        if view.agents:
            first = max(view.agents, key=lambda a: float(
                view.agent_chart.loc[view.agent_chart.agent == a, "flag_rate"].iloc[0]))
        worst = web_score.worst_turns_html(view.out_dir, first) if view.agents else ""
        agent_chart = gr.update(value=view.agent_chart,
                                **web_score.agent_plot_layout(view.agents))
        return (view.summary_html, view.table, agent_chart, view.family_chart,
                gr.update(choices=view.agents, value=first), worst, view.out_dir,
                view.downloads or None)

    def ui_worst(out_dir, agent):
        return web_score.worst_turns_html(out_dir, agent)

    def ui_eval(choice, upload, detectors, progress=gr.Progress()):
        coach, err = coach_or_notice(detectors)
        if err:
            v = web_eval.empty_view(err)
        else:
            progress(0, desc="Evaluating")
            v = web_eval.run_eval(choice, upload, coach)
        return v.summary_html, v.table, v.chart, v.errors_html, v.json_path

    def ui_settings(detectors):
        """Show the new choice, and load its detectors now so a missing model says so here."""
        chosen = detectors or []
        info = web_settings.settings_html(chosen, mode)
        if not chosen:
            return (notice_html("Choose at least one detector; checks will fail until you do.",
                                "error") + info, _header(chosen, mode))
        _coach, err = coach_or_notice(chosen)
        ready = notice_html("Loaded: checks, scoring and evaluation now use these detectors.",
                            "ok")
        return (err or ready) + info, _header(chosen, mode)

    # ---------------------------------------------------------------- API endpoints (JSON)
    def rejected(endpoint: str, err: CoachError) -> gr.Error:
        """A refused API call: one log line (the reason, never the draft), no traceback."""
        msg = web_check.error_message(err)
        log.warning("%s rejected: %s", endpoint, web_api.one_line(msg))
        return gr.Error(msg, print_exception=False)

    def check(text: str, detectors: str = "") -> dict:
        """Check a draft reply. Returns {clean, count, flags: [{family, type, start, end, quote,
        message, suggestion, severity, source}], detectors, message}. `detectors` is an optional
        comma-separated list (default: the app's)."""
        try:
            coach = cache.get(detectors or None)
            with model_slot(coach):
                return web_check.check_api(text, coach)
        except CoachError as e:
            raise rejected("check", e) from None

    def rewrite(text: str, detectors: str = "") -> dict:
        """Suggest an ownership rewrite of a draft. Returns {rewrite, source ("model" or
        "fallback"), checks {flags_left, facts_missing, promises_added, owns_problem},
        latency_ms, draft_flags (the problems the rewrite fixes)}."""
        try:
            coach = cache.get(detectors or None)
            with MODEL_SLOT.hold(capped=False):
                return web_rewrite.run_rewrite(text, coach, mode)
        except CoachError as e:
            raise rejected("rewrite", e) from None

    # ---------------------------------------------------------------- layout
    with gr.Blocks(title="Reply Coach", analytics_enabled=False,
                   delete_cache=(3600, 7200)) as demo:
        header = gr.HTML(_header(default_detectors, mode), elem_id="rc-header")
        with gr.Tabs():
            with gr.Tab("Coach a draft", id="coach"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, min_width=340):
                        draft = gr.Textbox(
                            label="Your draft reply", lines=8, max_lines=24, elem_id="draft",
                            placeholder="Paste or type the reply you are about to send…")
                        with gr.Row():
                            check_btn = gr.Button("Check", variant="primary", elem_id="check-btn",
                                                  scale=2, min_width=90)
                            rewrite_btn = gr.Button("Suggest rewrite", variant="secondary",
                                                    elem_id="rewrite-btn", scale=3, min_width=150)
                            clear_btn = gr.Button("Clear", variant="secondary", elem_id="clear-btn",
                                                  scale=1, min_width=70)
                        # Clicked by the page script LIVE_DEBOUNCE_MS after the last keystroke
                        # in the draft (in the DOM, not shown: visible="hidden").
                        live_btn = gr.Button("Live check", visible="hidden",
                                             elem_id="live-check-btn")
                        gr.HTML('<p class="rc-hint">Problems are highlighted as you type; Check '
                                "(or Ctrl+Enter) also runs the language model when it is on. "
                                f"Drafts up to {web_settings.MAX_DRAFT_CHARS:,} characters; "
                                "nothing leaves this machine.</p>")
                        # Shown once Suggest rewrite is clicked, right under the draft it
                        # rewrites; hidden again when the draft changes.
                        with gr.Column(visible=False, elem_id="rewrite-panel") as rw_panel:
                            gr.HTML('<h3 class="rc-h">Ownership rewrite</h3>')
                            rw_status = gr.HTML("", elem_id="rewrite-status")
                            rw_text = gr.Textbox(label="Suggested rewrite", lines=3,
                                                 interactive=False, buttons=["copy"],
                                                 elem_id="rewrite-text")
                            gr.HTML('<p class="rc-sub">What changed and why</p>')
                            rw_changes = gr.HTML("", elem_id="rewrite-changes")
                            with gr.Accordion("Word-by-word changes and checks", open=False):
                                gr.HTML('<p class="rc-sub">Changes from your draft '
                                        '(<del class="rc-del">removed</del> '
                                        '<ins class="rc-ins">added</ins>)</p>')
                                rw_diff = gr.HTML("", elem_id="rewrite-diff")
                                gr.HTML('<p class="rc-sub">Checks on the rewrite</p>')
                                rw_checks = gr.HTML("", elem_id="rewrite-checks")
                        examples = gr.Examples(
                            examples=[[e.text] for e in EXAMPLES], inputs=[draft],
                            example_labels=[e.label for e in EXAMPLES],
                            label="Examples from the dev set (click one)")
                    with gr.Column(scale=6, min_width=380):
                        summary = gr.HTML(web_check.start_view().summary_html,
                                          elem_id="summary")
                        highlighted = gr.HTML("", elem_id="highlighted")
                        legend = gr.HTML(legend_html(), elem_id="legend")
                        cards = gr.HTML("", elem_id="cards")
                # the draft the shown (or coming) rewrite belongs to
                rewritten_for = gr.State(None)
                # (draft, detectors) of the result on the page, so live checks skip repeats
                shown_for = gr.State(None)

            with gr.Tab("Score transcripts", id="score"):
                gr.Markdown(
                    "Upload conversations as **JSONL** (`conversation_id`, `agent`, `turns: "
                    "[{role, text}]`) or **CSV** (`conversation_id,agent,role,text`), the formats "
                    f"of `reply-coach score`; up to {web_settings.MAX_UPLOAD_LABEL} per file.")
                with gr.Row():
                    score_files = gr.File(label="Transcripts", file_count="multiple",
                                          file_types=list(web_score.SCORE_SUFFIXES),
                                          elem_id="score-upload", scale=3)
                    score_btn = gr.Button("Score", variant="primary", elem_id="score-btn",
                                          scale=1)
                score_summary = gr.HTML("", elem_id="score-summary")
                score_table = gr.Dataframe(headers=web_score.TABLE_COLUMNS, interactive=False,
                                           label="Scorecard per agent (click a header to sort)",
                                           elem_id="scorecard", wrap=True)
                with gr.Row():
                    agent_plot = gr.BarPlot(x="agent", y="flag_rate", title="Flag rate per agent",
                                            y_title="flagged turns (%)", x_title="agent",
                                            y_lim=[0, 100], sort="-y", elem_id="agent-plot",
                                            height=web_score.AGENT_PLOT_HEIGHT)
                    family_plot = gr.BarPlot(
                        x="family", y="flag_rate", color="family",
                        title="Flags per 100 agent turns, by family",
                        y_title="flags per 100 agent turns", x_title="family", y_lim=[0, None],
                        color_map={s.label: s.colour for s in FAMILY_STYLES.values()},
                        elem_id="family-plot", height=web_score.AGENT_PLOT_HEIGHT)
                with gr.Row():
                    agent_pick = gr.Dropdown(choices=[], label="Worst turns of agent",
                                             interactive=True, elem_id="agent-pick", scale=1)
                    score_downloads = gr.File(label="Downloads (CSV, JSON, HTML report)",
                                              file_count="multiple", interactive=False,
                                              elem_id="score-downloads", scale=2)
                worst = gr.HTML("", elem_id="worst-turns")
                score_dir = gr.State("")

            with gr.Tab("Evaluate", id="evaluate"):
                gr.Markdown("For trainers: score the detectors on a labelled set (the schema of "
                            "`eval/GUIDELINES.md`), exactly as `reply-coach eval` does.")
                choices = web_eval.eval_choices()
                with gr.Row():
                    eval_choice = gr.Radio(choices=choices, value=choices[0][1],
                                           label="Evaluation set", elem_id="eval-choice", scale=2)
                    eval_file = gr.File(label="Eval file (JSONL)", file_types=[".jsonl"],
                                        elem_id="eval-upload", scale=2)
                    eval_btn = gr.Button("Run evaluation", variant="primary",
                                         elem_id="eval-btn", scale=1)
                eval_summary = gr.HTML("", elem_id="eval-summary")
                with gr.Row():
                    eval_table = gr.Dataframe(headers=web_eval.METRIC_COLUMNS, interactive=False,
                                              label="Metrics", elem_id="eval-table", scale=3)
                    eval_plot = gr.BarPlot(
                        x="type", y="F1", color="family", title="F1 per problem type",
                        x_label_angle=-30, y_lim=[0, 1], elem_id="eval-plot", scale=2,
                        height=360, sort=[TYPES[t].label for t in TYPE_NAMES],
                        color_map={s.label: s.colour for s in FAMILY_STYLES.values()})
                eval_json = gr.File(label="Metrics (JSON)", interactive=False,
                                    elem_id="eval-json")
                gr.HTML('<h3 class="rc-h">Misses and false alarms</h3>')
                eval_errors = gr.HTML("", elem_id="eval-errors")

            with gr.Tab("Settings", id="settings"):
                detectors = gr.CheckboxGroup(
                    choices=web_settings.detector_choices(), value=default_detectors,
                    label="Detectors that run on every check, score and evaluation",
                    elem_id="detectors")
                settings_info = gr.HTML(web_settings.settings_html(default_detectors, mode),
                                        elem_id="settings-info")

        # ------------------------------------------------------------ events
        check_outputs = [summary, highlighted, legend, cards]
        rewrite_outputs = [rw_status, rw_text, rw_changes, rw_diff, rw_checks]
        rewrite_panel_out = [*rewrite_outputs, rw_panel]
        check_kw = dict(queue=False, api_visibility="private")  # see CHECK_CONCURRENCY
        check_in = [draft, detectors, rewritten_for]
        check_out = [*check_outputs, *rewrite_panel_out, shown_for]
        check_btn.click(ui_check, check_in, check_out, **check_kw)
        draft.submit(ui_check, check_in, check_out, **check_kw)
        examples.load_input_event.then(ui_check, check_in, check_out, **check_kw)
        # Live check: no spinner on every pause in typing; a click that comes while one is
        # pending runs once after it ("always_last"), so results catch up with the typing.
        live_btn.click(ui_live_check, [*check_in, shown_for], check_out, **check_kw,
                       show_progress="hidden", trigger_mode="always_last")
        clear_btn.click(ui_clear, None, [draft, *check_outputs, *rewrite_panel_out, shown_for],
                        queue=False, api_visibility="private")
        rewrite_btn.click(ui_rewrite_working, [draft], [*rewrite_panel_out, rewritten_for],
                          queue=False, show_progress="hidden", api_visibility="private").then(
            ui_rewrite, [draft, detectors], [*rewrite_outputs, rewritten_for], concurrency_limit=1,
            concurrency_id=MODEL_CONCURRENCY_ID, show_progress="full",
            show_progress_on=[rw_text], api_visibility="private")

        score_btn.click(ui_score, [score_files, detectors],
                        [score_summary, score_table, agent_plot, family_plot, agent_pick, worst,
                         score_dir, score_downloads], concurrency_limit=1,
                        concurrency_id="batch", api_visibility="private")
        agent_pick.input(ui_worst, [score_dir, agent_pick], worst, api_visibility="private")
        eval_btn.click(ui_eval, [eval_choice, eval_file, detectors],
                       [eval_summary, eval_table, eval_plot, eval_errors, eval_json],
                       concurrency_limit=1, concurrency_id="batch", api_visibility="private")
        eval_file.upload(lambda: web_eval.UPLOAD, None, eval_choice, queue=False,
                         api_visibility="private")
        detectors.change(ui_settings, detectors, [settings_info, header],
                         concurrency_limit=1, concurrency_id="settings",
                         api_visibility="private")

        gr.api(check, api_name="check", concurrency_limit=CHECK_CONCURRENCY,
               concurrency_id="check")
        gr.api(rewrite, api_name="rewrite", concurrency_limit=1,
               concurrency_id=MODEL_CONCURRENCY_ID)

    # status_update_rate="auto": every waiting event hears its place in line and an estimate
    # whenever a job finishes, which the rewrite panel shows (queue: 2/3 | 4.1/12.0s).
    demo.queue(status_update_rate="auto", max_size=QUEUE_MAX_SIZE, default_concurrency_limit=1)
    # What `serve` adds to the FastAPI app Gradio builds: POST /api/check, and the middleware
    # that fills in left-out optional arguments of /check and /rewrite (see FillApiArgs).
    demo.reply_coach_routes = web_api.routes(cache.get, model_slot)
    api_fns = {"check": check, "rewrite": rewrite}
    demo.reply_coach_fill_args = dict(
        params=web_api.api_params(api_fns),
        fn_index={fn._id: fn.api_name for fn in demo.fns.values()
                  if fn.api_name in api_fns and fn.api_visibility == "public"})
    return demo


def launch_kwargs(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> dict:
    """Everything passed to `launch`, in one place so a test can pin the safe defaults."""
    import gradio as gr

    # System fonts only: a web font would make the browser fetch from the internet.
    theme = gr.themes.Soft(primary_hue="indigo",
                           font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],
                           font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"]).set(
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_text_color="white")
    # quiet: Gradio's start-up lines include a hint to set share=True (a public link), the
    # opposite of this app's promise; `serve` prints its own one line instead.
    return dict(server_name=host, server_port=port, share=False, show_error=False, quiet=True,
                max_file_size=web_settings.MAX_UPLOAD_BYTES, footer_links=["api"],
                run_history=False, enable_monitoring=False, mcp_server=False, ssr_mode=False,
                pwa=False, theme=theme, css=CSS, head=HEAD)


def running_message(host: str, port: int) -> str:
    """The one start-up line: where the app is, and who can reach it."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return f"Reply Coach running on http://{host}:{port} (local only)"
    return (f"Reply Coach running on http://{host}:{port} (reachable from your network, not "
            "only this machine: --host was given)")


def serve(demo, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Launch with the plain routes (POST /api/check) on Gradio's FastAPI app, print one line,
    and serve until interrupted."""
    from starlette.middleware import Middleware

    app_kwargs = {"routes": list(demo.reply_coach_routes),
                  "middleware": [Middleware(web_api.FillApiArgs, **demo.reply_coach_fill_args)]}
    demo.launch(**launch_kwargs(host, port), prevent_thread_lock=True, app_kwargs=app_kwargs)
    print(running_message(host, demo.server_port), flush=True)
    demo.block_thread()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Reply Coach web app (local only by default)")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"bind address (default {DEFAULT_HOST}; 0.0.0.0 exposes the app to your "
                        "network)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--rewrite", choices=web_settings.REWRITE_MODES, default=None,
                   help="rewrite with the local model (default) or the rule-based fallback only; "
                        f"also ${web_settings.REWRITE_ENV}")
    p.add_argument("--config", help="pipeline config YAML (detectors, rule packs, thresholds)")
    return p.parse_args(argv)


WARMUP_ENV = "REPLY_COACH_WARMUP"
WARMUP_DRAFT = "They lost the parcel and I can't help with that, sorry for any inconvenience."


def warm_up_in_background(config: CoachConfig, mode: str, env=None) -> threading.Thread | None:
    """Load and warm the rewrite model while the page is already up, so the agent's first
    rewrite is no slower than the rest (it took 17 s when the model loaded on that first
    request). The warm-up holds the model slot, so a rewrite asked for meanwhile waits for it
    instead of loading a second copy. Off with REPLY_COACH_WARMUP=0, and in fallback mode."""
    env = os.environ if env is None else env
    if mode != "model" or env.get(WARMUP_ENV, "1").strip() in ("0", "false", "no", "off"):
        return None

    def run() -> None:
        t0 = time.perf_counter()
        try:
            with MODEL_SLOT.hold(capped=False):
                from coach.rewrite.rewriter import rewrite

                rewrite(WARMUP_DRAFT, coach=Coach(config), timeout_s=60.0)
            log.warning("rewrite model ready (%.1f s)", time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001 (the app works without it; rewrites load it later)
            log.warning("rewrite model warm-up failed (%s); it loads on the first rewrite", e)

    t = threading.Thread(target=run, name="rewrite-warm-up", daemon=True)
    t.start()
    return t


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Many agents at once: one thread per tagger run, so concurrent checks use one core each
    # instead of fighting over both (bench/bench_load.py: 20 clients p50 110 -> 66 ms).
    os.environ.setdefault("REPLY_COACH_TAGGER_THREADS", "1")
    try:
        config = CoachConfig.from_yaml(args.config) if args.config else CoachConfig()
        mode = args.rewrite or web_settings.rewrite_mode()
        demo = build(config, mode)
    except CoachError as e:
        print(f"reply-coach app: error: {e}", file=sys.stderr)
        return 2
    # Rejected calls log one WARNING line each (never draft text); per-check INFO lines stay off.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    warm_up_in_background(config, mode)
    serve(demo, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
