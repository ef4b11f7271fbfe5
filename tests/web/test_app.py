"""app.py: safe launch settings, command-line arguments, and the named API endpoints."""
import os

import app


def test_launch_is_local_private_and_limited():
    kw = app.launch_kwargs()
    assert kw["server_name"] == "127.0.0.1" and kw["server_port"] == 7860
    assert kw["share"] is False and kw["run_history"] is False
    assert kw["quiet"] is True  # no "set share=True" hint; serve() prints its own line
    assert kw["enable_monitoring"] is False and kw["mcp_server"] is False
    assert kw["max_file_size"] == 20 * 1024 * 1024
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert "#check-btn" in kw["head"] and "mark.rc-fam-dead_end" in kw["css"]


def test_running_message_says_who_can_reach_the_app():
    assert app.running_message("127.0.0.1", 7860) == \
        "Reply Coach running on http://127.0.0.1:7860 (local only)"
    wide = app.running_message("0.0.0.0", 9000)
    assert "http://0.0.0.0:9000" in wide and "reachable from your network" in wide
    assert "local only" not in wide and "share" not in wide


def test_arguments():
    a = app.parse_args([])
    assert (a.host, a.port, a.rewrite) == ("127.0.0.1", 7860, None)
    a = app.parse_args(["--host", "0.0.0.0", "--port", "9000", "--rewrite", "fallback"])
    assert (a.host, a.port, a.rewrite) == ("0.0.0.0", 9000, "fallback")


def test_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "x.yaml"
    bad.write_text("detectors: [nope]\n")
    assert app.main(["--config", str(bad), "--port", "1"]) == 2
    assert "unknown detector" in capsys.readouterr().err


def test_blocks_expose_check_and_rewrite_endpoints():
    demo = app.build(mode="fallback")
    named = {fn.api_name: fn for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert {"check", "rewrite"} <= set(named)
    assert named["rewrite"].concurrency_limit == 1
    assert named["rewrite"].concurrency_id == named_ui_rewrite_id(demo)
    assert not demo.analytics_enabled


def named_ui_rewrite_id(demo):
    """The UI's rewrite event shares the API's model slot (concurrency id)."""
    ids = {fn.concurrency_id for fn in demo.fns.values()
           if fn.name == "ui_rewrite"}
    assert len(ids) == 1
    return ids.pop()


def _fns(demo, name):
    return [fn for fn in demo.fns.values() if fn.name == name]


def test_page_checks_skip_the_queue_and_model_calls_keep_theirs():
    demo = app.build(mode="fallback")
    checks = _fns(demo, "ui_check")
    assert len(checks) == 3 and all(fn.queue is False for fn in checks)  # button, submit, example
    (live,) = _fns(demo, "ui_live_check")
    assert live.queue is False and live.trigger_mode == "always_last"
    assert live.show_progress == "hidden"
    (rw,) = _fns(demo, "ui_rewrite")
    assert rw.queue is not False and rw.concurrency_limit == 1
    assert rw.concurrency_id == app.MODEL_CONCURRENCY_ID
    assert rw.show_progress == "full"          # the status tracker shows queue: N/M and an ETA
    assert demo._queue.live_updates            # status_update_rate="auto": estimates are sent
    named = {fn.api_name: fn for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert named["check"].concurrency_limit == app.CHECK_CONCURRENCY > 1
    assert named["check"].concurrency_id != app.MODEL_CONCURRENCY_ID
    # the plain route and the argument-filling middleware are ready for serve()
    assert [r.path for r in demo.reply_coach_routes] == ["/api/check"]
    fill = demo.reply_coach_fill_args
    assert fill["params"] == {"check": [None, ""], "rewrite": [None, ""]}
    assert sorted(fill["fn_index"].values()) == ["check", "rewrite"]
    assert all(demo.fns[i].api_name == n for i, n in fill["fn_index"].items())


class _RecordingCoach:
    """Stands in for Coach: remembers whether the model slot was held during each check."""

    seen: list = []

    def __init__(self, config):
        self.config = config

    def check(self, text):
        type(self).seen.append((self.config.detectors, app.MODEL_LOCK.locked()))
        return []


def _handlers(monkeypatch):
    from coach.web import settings

    _RecordingCoach.seen = []
    monkeypatch.setattr(settings, "Coach", _RecordingCoach)
    demo = app.build(mode="fallback")
    by_name = {fn.name: fn.fn for fn in demo.fns.values()}
    api = {fn.api_name: fn.fn for fn in demo.fns.values() if fn.api_visibility == "public"}
    return by_name["ui_check"], api["check"]


def _page_handlers(monkeypatch):
    from coach.web import settings

    _RecordingCoach.seen = []
    monkeypatch.setattr(settings, "Coach", _RecordingCoach)
    demo = app.build(mode="fallback")
    return {fn.name: fn.fn for fn in demo.fns.values()}


def test_checks_with_the_language_model_take_the_model_slot(monkeypatch):
    ui_check, check_api = _handlers(monkeypatch)
    ui_check("They did it.", ["rules", "lm"], None)
    check_api("They did it.", "lm,rules")
    ui_check("They did it.", ["rules"], None)
    check_api("They did it.", "rules")
    assert _RecordingCoach.seen == [(("rules", "lm"), True), (("rules", "lm"), True),
                                    (("rules",), False), (("rules",), False)]
    assert not app.MODEL_LOCK.locked()


def test_lm_check_waits_for_a_running_model_call_but_rules_checks_do_not(monkeypatch):
    import threading

    ui_check, check_api = _handlers(monkeypatch)
    done = threading.Event()
    with app.MODEL_LOCK:             # a rewrite is using the model
        t = threading.Thread(target=lambda: (check_api("x", "lm"), done.set()))
        t.start()
        assert not done.wait(0.3), "an lm check ran beside the model call"
        assert check_api("x", "rules")["clean"]          # rules-only: served at once
    assert done.wait(5)
    t.join(5)


def _is_skip(v):
    return isinstance(v, dict) and v.get("__type__") == "update" and len(v) == 1


def test_live_check_runs_fast_detectors_only_and_says_so(monkeypatch):
    h = _page_handlers(monkeypatch)
    out = h["ui_live_check"]("They did it.", ["rules", "lm"], None, None)
    assert _RecordingCoach.seen == [(("rules",), False)]  # no lm, no model slot
    assert "press Check to run it too" in out[0]          # "clean" is not final without lm
    assert out[-1] == ("They did it.", ("rules",))        # recorded as shown
    # the same draft again: nothing runs, nothing on the page changes
    again = h["ui_live_check"]("They did it.", ["rules", "lm"], None, out[-1])
    assert _RecordingCoach.seen == [(("rules",), False)]
    assert all(_is_skip(v) for v in again[:4]) and _is_skip(again[-1])
    # only the model chosen: live checking is off, nothing runs
    off = h["ui_live_check"]("They did it.", ["lm"], None, None)
    assert "Live checking is off" in off[0] and len(_RecordingCoach.seen) == 1
    # an empty box shows the hint, not an error
    empty = h["ui_live_check"]("  ", ["rules"], None, None)
    assert "highlighted as you type" in empty[0] and "rc-notice-error" not in empty[0]


def test_check_after_live_runs_everything_and_live_does_not_replace_it(monkeypatch):
    h = _page_handlers(monkeypatch)
    full = h["ui_check"]("They did it.", ["rules", "lm"], None)
    assert full[-1] == ("They did it.", ("rules", "lm"))
    late_live = h["ui_live_check"]("They did it.", ["rules", "lm"], None, full[-1])
    assert all(_is_skip(v) for v in late_live[:4])    # the lm result stays on the page
    assert _RecordingCoach.seen == [(("rules", "lm"), True)]


def test_rewrite_panel_stays_for_its_draft_and_hides_when_the_draft_changes(monkeypatch):
    h = _page_handlers(monkeypatch)
    working = h["ui_rewrite_working"]("Draft one.")
    assert working[5]["visible"] is True and working[6] == "Draft one."  # rewritten_for at once
    for handler, args in (("ui_live_check", ("Draft one.", ["rules"], "Draft one.", None)),
                          ("ui_check", ("Draft one.", ["rules"], "Draft one."))):
        out = h[handler](*args)
        assert all(_is_skip(v) for v in out[4:10]), handler    # same draft: panel kept
    for handler, args in (("ui_live_check", ("Draft two.", ["rules"], "Draft one.", None)),
                          ("ui_check", ("Draft two.", ["rules"], "Draft one."))):
        out = h[handler](*args)
        assert out[4:9] == ("", "", "", "", "") and out[9]["visible"] is False, handler


def test_clear_forgets_what_was_shown(monkeypatch):
    h = _page_handlers(monkeypatch)
    out = h["ui_clear"]()
    assert out[0] == "" and "highlighted as you type" in out[1]
    assert out[-2]["visible"] is False and out[-1] is None


def test_a_busy_model_is_a_notice_not_a_hang(monkeypatch):
    from coach.web.model_slot import ModelSlot

    h = _page_handlers(monkeypatch)
    ui_check, check_api = _handlers(monkeypatch)
    monkeypatch.setattr(app, "MODEL_SLOT", ModelSlot(max_waiting=0))
    out = h["ui_check"]("They did it.", ["rules", "lm"], None)
    assert "busy" in out[0] and "rc-notice-warn" in out[0]
    assert all(_is_skip(v) for v in out[1:4])           # the last result stays
    import gradio as gr
    import pytest

    with pytest.raises(gr.Error, match="busy"):
        check_api("They did it.", "rules,lm")
    assert check_api("They did it.", "rules")["clean"]  # rules-only checks never wait


def test_rewrite_model_warms_up_in_the_background_holding_the_model_slot(monkeypatch):
    import coach.rewrite.rewriter as rw
    from coach.config import CoachConfig

    seen = []

    def fake_rewrite(text, *, coach=None, timeout_s=30.0, **kw):
        seen.append((text, app.MODEL_SLOT.lock.locked()))
    monkeypatch.setattr(rw, "rewrite", fake_rewrite)
    cfg = CoachConfig(detectors=("rules",))
    t = app.warm_up_in_background(cfg, "model", env={})
    t.join(10)
    assert seen == [(app.WARMUP_DRAFT, True)]      # a rewrite asked meanwhile waits for it
    assert not app.MODEL_SLOT.lock.locked()
    # off when asked, and when there is no model to warm
    assert app.warm_up_in_background(cfg, "model", env={"REPLY_COACH_WARMUP": "0"}) is None
    assert app.warm_up_in_background(cfg, "fallback", env={}) is None
    assert len(seen) == 1
