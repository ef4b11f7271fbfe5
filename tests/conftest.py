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
