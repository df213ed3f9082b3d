"""A recipient opts out of an organisation's emails through the link in any email it sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.outbox.models import Suppression, SuppressionKind
from survey.outbox.suppressions import normalise_address, suppress_address, suppression_of


def has_opted_out(invitation: Invitation) -> bool:
    suppression = suppression_of(invitation.organisation_id, invitation.recipient_email)
    return suppression is not None and suppression.kind is SuppressionKind.OPTED_OUT


def opt_out(invitation: Invitation, now: datetime) -> Suppression:
    """Stop every email of the invitation's organisation to its recipient; safe to repeat.

    Invitations still planned for that address are suppressed now rather than at sending, so
    staff see at once that they will not go out, and why.
    """
    suppression = suppress_address(
        invitation.organisation_id, invitation.recipient_email, SuppressionKind.OPTED_OUT, now
    )
    planned = db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == invitation.organisation_id,
            Invitation.state == InvitationState.SCHEDULED,
            # Stored as typed; suppressions compare addresses in lower case.
            func.lower(Invitation.recipient_email) == normalise_address(invitation.recipient_email),
        )
    )
    for each in planned:
        each.suppress(SuppressionReason.OPTED_OUT)
    db.session.flush()
    return suppression


def masked_address(email: str) -> str:
    """'o•••@bedrijf.example': enough for the owner to recognise, little for anyone else.

    An unsubscribe link is forwarded with the email and opened by scanners, so the page it
    shows must not hand the full address to whoever holds the link.
    """
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return "•••"
    return f"{local[:1]}•••@{domain}"
