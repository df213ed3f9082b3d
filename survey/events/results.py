"""(being written)"""

from survey.events.routes import bp  # noqa: F401
