"""The emails the demo's invitations got, recorded as the outbox would have recorded them, so
that the Outbox page and an invitation's history show them."""

from __future__ import annotations

from datetime import datetime

from survey.extensions import db
from survey.invitations.emails import compose_email, sender_address
from survey.invitations.models import Invitation
from survey.outbox.models import EmailPurpose, EmailStatus
from survey.outbox.queue import enqueue


def delivered(invitation: Invitation, purpose: EmailPurpose, at: datetime) -> None:
    """The invitation's email of this purpose, sent at `at`."""
    db.session.flush()
    email = enqueue(compose_email(invitation, purpose), sender_address(), at)
    email.status, email.attempts, email.sent_at = EmailStatus.SENT, 1, at
    email.provider_response = "250 2.0.0 Ok: queued (demo)"
