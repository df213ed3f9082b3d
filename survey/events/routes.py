"""Staff pages for events: the list, creating and editing an event, its participants and their
evaluations (the participant import, the room link and the results live in their own modules on
the same blueprint)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")


# The other event pages live in their own modules on the same blueprint.
from survey.events import import_views, results, room_views  # noqa: E402, F401
