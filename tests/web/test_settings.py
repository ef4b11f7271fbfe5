"""Settings: rewrite mode, detector choice, the Coach cache and what the page says is running."""
import pytest

from coach.config import CoachConfig
from coach.errors import ConfigError
from coach.web import settings


def test_rewrite_mode_from_env():
    assert settings.rewrite_mode({}) == "model"
    assert settings.rewrite_mode({"REPLY_COACH_REWRITE": " Fallback "}) == "fallback"
    with pytest.raises(ConfigError, match="REPLY_COACH_REWRITE='fast'"):
        settings.rewrite_mode({"REPLY_COACH_REWRITE": "fast"})


def test_detectors_are_validated():
    assert settings.normalize_detectors(None) == ("rules",)
    assert settings.normalize_detectors("rules, rules") == ("rules",)
    with pytest.raises(ConfigError, match="at least one detector"):
        settings.normalize_detectors([])
    with pytest.raises(ConfigError, match="unknown detector"):
        settings.normalize_detectors(["nope"])


def test_available_detectors_come_from_the_pipeline_registry():
    from coach.pipeline import DETECTORS

    names = settings.available_detectors()
    assert names[0] == "rules" and set(names) == set(DETECTORS)
    assert ("Rules", "rules") in settings.detector_choices()


def test_coach_cache_builds_once_per_detector_set():
    cache = settings.CoachCache(CoachConfig(detectors=("rules",)))
    a, b = cache.get(None), cache.get(["rules"])
    assert a is b and a.config.detectors == ("rules",)
    with pytest.raises(ConfigError):
        cache.get([])


def test_settings_html_shows_detectors_model_and_limits():
    html = settings.settings_html(["rules"], "fallback", model_name="tiny-model")
    assert "<td>Rules</td><td>on</td>" in html
    assert "tiny-model" in html and "REPLY_COACH_REWRITE=fallback" in html
    assert "10,000 characters" in html and "20 MB" in html
    assert "Rules" in settings.status_line(["rules"], "model")


def test_rewrite_model_name_is_reported():
    name = settings.rewrite_model_name()
    assert isinstance(name, str) and name


class _FakeCoach:
    """Stands in for Coach: records builds; a build including "embedding" waits for `release`."""

    builds: list = []
    started = None
    release = None

    def __init__(self, config):
        self.config = config
        type(self).builds.append(config.detectors)
        if "embedding" in config.detectors:
            type(self).started.set()
            assert type(self).release.wait(10), "slow build never released"


@pytest.fixture
def fake_coach(monkeypatch):
    import threading

    _FakeCoach.builds = []
    _FakeCoach.started, _FakeCoach.release = threading.Event(), threading.Event()
    monkeypatch.setattr(settings, "Coach", _FakeCoach)
    yield _FakeCoach
    _FakeCoach.release.set()


def test_coach_cache_key_ignores_the_order_detectors_are_picked_in(fake_coach):
    cache = settings.CoachCache(CoachConfig(detectors=("rules",)))
    fake_coach.release.set()
    a = cache.get(["embedding", "rules"])
    b = cache.get(["rules", "embedding"])
    c = cache.get("embedding,rules")
    assert a is b is c and a.config.detectors == ("rules", "embedding")
    assert fake_coach.builds == [("rules", "embedding")]


def test_slow_coach_build_does_not_block_other_detector_sets(fake_coach):
    import threading

    cache = settings.CoachCache(CoachConfig(detectors=("rules",)))
    got = {}
    threads = [threading.Thread(target=lambda k=k: got.setdefault(k, cache.get(["rules",
                                                                             "embedding"])))
               for k in ("t1", "t2")]
    for t in threads:
        t.start()
    assert fake_coach.started.wait(5)
    # the embedding Coach is still loading: a rules-only check is served meanwhile
    done = threading.Event()
    rules = threading.Thread(target=lambda: (got.setdefault("rules", cache.get(["rules"])),
                                             done.set()))
    rules.start()
    assert done.wait(5), "a rules-only check waited for another detector set to load"
    assert got["rules"].config.detectors == ("rules",)
    fake_coach.release.set()
    for t in threads:
        t.join(5)
    rules.join(5)
    assert got["t1"] is got["t2"]                       # one build, shared by both waiters
    assert fake_coach.builds.count(("rules", "embedding")) == 1
