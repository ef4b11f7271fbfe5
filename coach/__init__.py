"""Reply Coach: find distancing, scripted apologies and dead ends in support replies."""
from coach import privacy

privacy.apply()  # first, before any library that phones home is imported

from coach.config import CoachConfig  # noqa: E402
from coach.flags import Flag  # noqa: E402
from coach.pipeline import Coach  # noqa: E402

__all__ = ["Coach", "CoachConfig", "Flag"]
__version__ = "0.1.0"
