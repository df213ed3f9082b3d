"""What an invitation is reported by, recorded when it is made: the kind of occasion and the
channel. The survey page, the outbox and the analysis read these, never the occasion itself."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class OccasionKind(enum.StrEnum):
    """What led to the invitation. Fatigue and "at most one" rules hold per kind."""

    CONTACT = "contact"
    EVENT_PARTICIPANT = "event_participant"


class Channel(enum.StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    EMAIL = "email"
    COUNTER = "counter"
    EVENT = "event"


CHANNEL_LABELS = {
    Channel.VISIT: _l("visit"),
    Channel.PHONE: _l("phone call"),
    Channel.EMAIL: _l("email"),
    Channel.COUNTER: _l("counter"),
    Channel.EVENT: _l("event"),
}
