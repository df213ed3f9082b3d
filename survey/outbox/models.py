"""The outbox (every email, queued, sent or failed) and the addresses we must not write to."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from survey.clock import utcnow
from survey.extensions import db
from survey.types import UTCDateTime, enum_column


class EmailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker until `lease_until`
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # permanently refused, or out of attempts; a person may retry it
    CANCELLED = "cancelled"  # no longer wanted (answered, opted out) before it went out

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    EmailStatus.PENDING: _l("waiting"),
    EmailStatus.SENDING: _l("sending"),
    EmailStatus.SENT: _l("sent"),
    EmailStatus.FAILED: _l("failed"),
    EmailStatus.CANCELLED: _l("cancelled"),
}


class EmailPurpose(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    RESEND = "resend"  # the invitation email once more, asked for by staff
    MANUAL_REMINDER = "manual_reminder"  # an event's one reminder sent by hand, besides the usual
    PASSWORD_RESET = "password_reset"  # to staff: "Forgot password?"
    PASSWORD_SETUP = "password_setup"  # to staff: a link from an administrator
    EMAIL_CHANGE = "email_change"  # to staff: confirm a new address; a notice to the old one

    @property
    def label(self) -> str:
        return str(
            {
                EmailPurpose.INVITATION: _l("invitation"),
                EmailPurpose.REMINDER: _l("reminder"),
                EmailPurpose.RESEND: _l("invitation sent again"),
                EmailPurpose.MANUAL_REMINDER: _l("reminder sent by hand"),
                EmailPurpose.PASSWORD_RESET: _l("password reset"),
                EmailPurpose.PASSWORD_SETUP: _l("link to choose a password"),
                EmailPurpose.EMAIL_CHANGE: _l("change of a staff email address"),
            }[self]
        )


class OutboundEmail(db.Model):
    __tablename__ = "outbound_email"
    __table_args__ = (
        # One invitation email, one reminder and one resend per invitation, whatever runs twice.
        UniqueConstraint("invitation_id", "purpose", name="uq_outbound_email_invitation_purpose"),
        # The sender's claim: due pending rows, and lapsed leases.
        Index("ix_outbound_email_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_outbound_email_organisation_created", "organisation_id", "created_at"),
        # The outbox's count per status, which stops at a thousand (survey/listing.py).
        Index("ix_outbound_email_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    purpose: Mapped[EmailPurpose] = mapped_column(enum_column(EmailPurpose))
    recipient: Mapped[str] = mapped_column(String(254))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # Extra headers, such as List-Unsubscribe; From, To, Subject and Message-ID are built at send.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived from the row at the first attempt and kept, so a resend carries the same id.
    message_id: Mapped[str | None] = mapped_column(String(255))
    # The server's answer when it accepted the message (its queue id, for tracing).
    provider_response: Mapped[str | None] = mapped_column(String(500))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __init__(self, **fields) -> None:
        fields.setdefault("status", EmailStatus.PENDING)
        fields.setdefault("attempts", 0)
        fields.setdefault("headers", {})
        super().__init__(**fields)

    @validates("sender_name", "subject")
    def _clip_to_column(self, key: str, value: str | None) -> str | None:
        """A staff member's and an organisation's names may each fill their own column, and
        together overflow this one: shorten the display text rather than fail to queue the email
        (PostgreSQL refuses what is too long; SQLite would keep it silently)."""
        limit = self.__table__.c[key].type.length
        if value is not None and len(value) > limit:
            return value[: limit - 1].rstrip() + "…"
        return value


class SuppressionKind(enum.StrEnum):
    OPTED_OUT = "opted_out"
    BOUNCED = "bounced"

    @property
    def label(self) -> str:
        return str(
            {SuppressionKind.OPTED_OUT: _l("opted out"), SuppressionKind.BOUNCED: _l("bounced")}[
                self
            ]
        )


class Suppression(db.Model):
    """An address an organisation must not email: its owner opted out, or it bounced."""

    __table_args__ = (
        UniqueConstraint("organisation_id", "email", name="uq_suppression_organisation_email"),
        UniqueConstraint(
            "organisation_id", "email_hash", name="uq_suppression_organisation_email_hash"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # Lower case; once the address is erased (a person's erasure, or retention) a placeholder
    # that no mail system delivers to, and only `email_hash` still recognises the address.
    email: Mapped[str] = mapped_column(String(254))
    # A keyed hash (HMAC-SHA256) of the lower-cased address: see outbox/suppressions.py.
    email_hash: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[SuppressionKind] = mapped_column(enum_column(SuppressionKind))
    # The SMTP server's answer for a bounce.
    detail: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
