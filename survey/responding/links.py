"""What a personal survey link leads to, decided from the database's state of its invitation."""

from __future__ import annotations

import enum
from datetime import datetime

from survey.invitations.models import Invitation, InvitationState


class LinkState(enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def link_state(invitation: Invitation | None, now: datetime) -> LinkState:
    """Unknown covers tampered tokens and invitations never sent: the link never worked."""
    if invitation is None:
        return LinkState.UNKNOWN
    if invitation.state is InvitationState.ANSWERED:
        return LinkState.ANSWERED
    if invitation.is_expired_at(now):
        return LinkState.EXPIRED
    if invitation.state.awaits_answer:
        return LinkState.OPEN
    return LinkState.UNKNOWN


def survey_url(invitation: Invitation) -> str:
    """The personal link to put in an email: BASE_URL plus the signed path."""
    from flask import current_app

    from survey.responding.tokens import Purpose, make_token

    token = make_token(invitation, Purpose.SURVEY, current_app.secret_key)
    path = current_app.url_map.bind("").build("responding.survey", {"token": token})
    return current_app.config["BASE_URL"] + path
