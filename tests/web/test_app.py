"""app.py: safe launch settings, command-line arguments, and the named API endpoints."""
import os

import app


def test_launch_is_local_private_and_limited():
    kw = app.launch_kwargs()
    assert kw["server_name"] == "127.0.0.1" and kw["server_port"] == 7860
    assert kw["share"] is False and kw["run_history"] is False
    assert kw["enable_monitoring"] is False and kw["mcp_server"] is False
    assert kw["max_file_size"] == 20 * 1024 * 1024
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert "#check-btn" in kw["head"] and "mark.rc-fam-dead_end" in kw["css"]


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
