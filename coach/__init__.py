"""Reply Coach: find distancing, scripted apologies and dead ends in support replies."""
from coach.config import CoachConfig
from coach.flags import Flag
from coach.pipeline import Coach

__all__ = ["Coach", "CoachConfig", "Flag"]
__version__ = "0.1.0"
