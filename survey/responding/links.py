"""What a personal survey link leads to, decided from the database's state of its invitation."""

from __future__ import annotations

import enum
import re
from datetime import datetime

from flask import current_app

from survey.invitations.models import Invitation, InvitationState
from survey.responding.room_links import RoomLink
from survey.responding.tokens import Purpose, make_token


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


def _signed_url(invitation: Invitation, purpose: Purpose, endpoint: str) -> str:
    token = make_token(invitation, purpose, current_app.secret_key)
    path = current_app.url_map.bind("").build(endpoint, {"token": token})
    return current_app.config["BASE_URL"] + path


def survey_url(invitation: Invitation) -> str:
    """The personal link to put in an email: BASE_URL plus the signed path."""
    return _signed_url(invitation, Purpose.SURVEY, "responding.survey")


def unsubscribe_url(invitation: Invitation) -> str:
    """The link (and RFC 8058 one-click target) that opts this recipient out."""
    return _signed_url(invitation, Purpose.UNSUBSCRIBE, "unsubscribe.page")


def room_url(link: RoomLink) -> str:
    """The room link as shown on the projector and in its QR code: short, and readable aloud.

    It is public on purpose (anyone in the room may answer, anonymously), so unlike the personal
    links below it is never masked on staff pages."""
    path = current_app.url_map.bind("").build("room.page", {"code": link.shown_code})
    return current_app.config["BASE_URL"] + path


# What a survey or unsubscribe token is made of: URL-safe base64 and the signature's dot.
_TOKEN = r"[A-Za-z0-9_\-.]+"
MASK = "…"


def _personal_link_prefixes() -> list[str]:
    """The paths that carry a personal token, read from the URL map so they cannot drift."""
    build = current_app.url_map.bind("").build
    return [
        build(endpoint, {"token": "TOKEN"}).rpartition("TOKEN")[0]
        # A staff member's link to choose a password is as good as their password.
        for endpoint in (
            "responding.survey",
            "unsubscribe.page",
            "accounts.reset_password",
            "accounts.choose_password",
            # A link to confirm a new address: the owner's to open, not an administrator's.
            "accounts.confirm_email",
        )
    ]


def without_personal_links(text: str) -> str:
    """`text` with the token of every personal link (survey, unsubscribe, choosing a password)
    replaced by "…".

    Staff see the emails sent in their name, never a respondent's live link: whoever holds the
    link can answer in the respondent's place (no self-rating). An event's room link (/r/...)
    is left as it is: it is public, and staff show it to the room themselves.
    """
    prefixes = "|".join(re.escape(prefix) for prefix in _personal_link_prefixes())
    return re.sub(f"({prefixes}){_TOKEN}", rf"\g<1>{MASK}", text)
