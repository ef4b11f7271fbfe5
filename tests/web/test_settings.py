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
