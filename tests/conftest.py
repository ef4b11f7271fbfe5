import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def rules_coach():
    from coach import Coach, CoachConfig

    return Coach(CoachConfig(detectors=("rules",)))


def types_of(flags):
    return {f.type for f in flags}


# Property-based tests (hypothesis): bounded, deterministic and database-free, so `make test`
# runs the same examples every time and writes nothing into the working tree. The "explore"
# profile (HYPOTHESIS_PROFILE=explore) searches with fresh random examples, for hunting bugs.
from hypothesis import HealthCheck, settings  # noqa: E402

_HYP_COMMON = dict(deadline=None, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])
settings.register_profile("reply-coach", max_examples=60, derandomize=True, **_HYP_COMMON)
settings.register_profile("explore", max_examples=1000, derandomize=False, **_HYP_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reply-coach"))


_SHARED_COACHES: dict[str, object] = {}


@pytest.fixture
def shared_coaches(monkeypatch):
    """`Coach(config)` built once per distinct config for the session, for tests that call the
    CLI or the scoring run many times in-process (hypothesis): each call would otherwise reload
    and recompile every rule pack (~0.3 s). Behaviour is unchanged: a Coach holds no state
    between drafts."""
    import coach.pipeline
    import coach.score.run

    real = coach.pipeline.Coach

    def coach_for(config=None):
        key = repr(config)
        if key not in _SHARED_COACHES:
            _SHARED_COACHES[key] = real(config)
        return _SHARED_COACHES[key]

    monkeypatch.setattr(coach.pipeline, "Coach", coach_for)
    monkeypatch.setattr(coach.score.run, "Coach", coach_for)


@pytest.fixture(scope="session")
def embedder():
    """The real sentence embedder, loaded once (tests/embedder and tests/detectors/embedding)."""
    from coach.embedder.model import get_embedder

    return get_embedder()
