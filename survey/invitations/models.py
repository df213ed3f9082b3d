"""The invitation and its life: scheduled, sent, reminded, answered, expired (or never sent)."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import Organisation, User
from survey.clock import utcnow
from survey.contacts.models import Contact
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.questionnaires.models import QuestionnaireVersion
from survey.types import UTCDateTime, enum_column


class InvitationState(enum.StrEnum):
    SCHEDULED = "scheduled"
    SUPPRESSED = "suppressed"
    SENT = "sent"
    REMINDED = "reminded"
    ANSWERED = "answered"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELLED = "cancelled"  # by staff while it was planned, with a reason

    @property
    def awaits_answer(self) -> bool:
        return self in (InvitationState.SENT, InvitationState.REMINDED)

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_TRANSITIONS: dict[InvitationState, set[InvitationState]] = {
    InvitationState.SCHEDULED: {
        InvitationState.SENT,
        InvitationState.SUPPRESSED,
        InvitationState.FAILED,
        InvitationState.CANCELLED,
    },
    InvitationState.SENT: {
        InvitationState.REMINDED,
        InvitationState.ANSWERED,
        InvitationState.EXPIRED,
    },
    InvitationState.REMINDED: {InvitationState.ANSWERED, InvitationState.EXPIRED},
    InvitationState.FAILED: {InvitationState.SCHEDULED, InvitationState.CANCELLED},
    InvitationState.SUPPRESSED: set(),
    InvitationState.ANSWERED: set(),
    InvitationState.EXPIRED: set(),
    InvitationState.CANCELLED: set(),
}


_STATE_LABELS = {
    InvitationState.SCHEDULED: _l("planned"),
    InvitationState.SUPPRESSED: _l("not sent"),
    InvitationState.SENT: _l("sent"),
    InvitationState.REMINDED: _l("reminder sent"),
    InvitationState.ANSWERED: _l("answered"),
    InvitationState.EXPIRED: _l("expired"),
    InvitationState.FAILED: _l("failed"),
    InvitationState.CANCELLED: _l("cancelled"),
}


class SuppressionReason(enum.StrEnum):
    """Why an invitation was not sent; stored as this code, shown in the viewer's language."""

    RECENTLY_INVITED = "recently_invited"
    OPTED_OUT = "opted_out"
    BOUNCED = "bounced"

    @property
    def label(self) -> str:
        return str(_SUPPRESSION_LABELS[self])


_SUPPRESSION_LABELS = {
    SuppressionReason.RECENTLY_INVITED: _l("recently invited already"),
    SuppressionReason.OPTED_OUT: _l("opted out"),
    SuppressionReason.BOUNCED: _l("email address bounced"),
}


class InvalidTransition(RuntimeError):
    """An invitation was asked to move to a state it cannot reach from where it is."""


# The longest reason staff give for cancelling or for a wrong address: one line.
REASON_MAX = 200


def link_expired(state: InvitationState, expires_at: datetime | None, now: datetime) -> bool:
    """An invitation's link has expired: marked so, or awaiting an answer past its expiry."""
    if state is InvitationState.EXPIRED:
        return True
    return state.awaits_answer and expires_at is not None and now >= expires_at


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def _addressed_as(contact: Contact) -> dict:
    """To the contact's person, in their language, signed by the contact's account manager;
    with what the contact is reported by."""
    return {
        "staff_member_id": contact.account_manager_id,
        "recipient_email": contact.email,
        "recipient_name": contact.person_name,
        "locale": contact.locale,
        "channel": contact.channel,
        "occasion_on": contact.contacted_on,
        "company_name": contact.company_name,
        "registry_number": contact.registry_number,
    }


class Invitation(db.Model):
    __table_args__ = (
        Index("ix_invitation_organisation_created", "organisation_id", "created_at"),
        # The jobs look for due invitations, open ones to remind and old ones to expire.
        Index("ix_invitation_state_scheduled", "state", "scheduled_at"),
        # Fatigue looks up earlier invitations of the same address in the same organisation.
        Index("ix_invitation_organisation_recipient", "organisation_id", "recipient_email"),
        Index("ix_invitation_organisation_registry", "organisation_id", "registry_number"),
        # The home list of one state, newest first, and its count per state, which stops at a
        # thousand (survey/listing.py): each reads its own state's newest entries only.
        Index(
            "ix_invitation_organisation_state_created",
            "organisation_id",
            "state",
            "created_at",
            "id",
        ),
    )
    owner_column = "staff_member_id"  # an account manager sees the invitations in their name

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    # The staff member the recipient knows (the account manager of a contact, an event's
    # organiser later): signs the email, is named on the expired-link page, and is the "who" its
    # response is reported by (as the response's and the tallies' `account_manager_id`).
    staff_member_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # What the invitation is reported by, recorded when it is made, so that nothing after it
    # (the survey page, the outbox, the analysis) reads the occasion again.
    occasion_kind: Mapped[OccasionKind] = mapped_column(
        enum_column(OccasionKind), default=OccasionKind.CONTACT
    )
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel))
    # The event of an event participant's invitation. The table is named, not imported: the
    # engine reads the recorded dimensions, never the event.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), index=True)
    occasion_on: Mapped[date | None] = mapped_column(Date)  # the contact's day, the event's day
    # The recipient's company as the occasion named it, for the export and the open answers.
    company_name: Mapped[str | None] = mapped_column(String(200))
    registry_number: Mapped[str | None] = mapped_column(String(20))  # KvK/KBO digits
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    state: Mapped[InvitationState] = mapped_column(
        enum_column(InvitationState), default=InvitationState.SCHEDULED
    )
    # Random per invitation and carried in the signed link, so a link can be revoked or
    # reissued without touching the id.
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    suppression_reason: Mapped[SuppressionReason | None] = mapped_column(
        enum_column(SuppressionReason, 40)
    )
    # For a fatigue suppression: when this recipient was invited before, shown as "34 days ago".
    previously_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Staff cancelled it before it was sent, and why.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # Staff learnt after sending that the address was wrong: no reminder, and why. The state
    # stays what it was (the email did go out, and the figures count it as sent).
    wrong_address_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wrong_address_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))

    organisation: Mapped[Organisation] = relationship()
    contact: Mapped[Contact | None] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    staff_member: Mapped[User | None] = relationship()

    def __init__(self, **fields) -> None:
        # Set in Python too (not only as column defaults), so a new invitation has its state
        # and nonce before the first flush.
        fields.setdefault("state", InvitationState.SCHEDULED)
        fields.setdefault("occasion_kind", OccasionKind.CONTACT)
        fields.setdefault("nonce", new_nonce())
        super().__init__(**fields)

    @classmethod
    def for_contact(
        cls, contact: Contact, version: QuestionnaireVersion, scheduled_at: datetime
    ) -> Invitation:
        """The invitation a contact leads to: to its contact person, signed by its manager."""
        return cls(
            organisation_id=contact.organisation_id,
            contact=contact,
            occasion_kind=OccasionKind.CONTACT,
            questionnaire_version_id=version.id,
            scheduled_at=scheduled_at,
            **_addressed_as(contact),
        )

    def plan_again(self, contact: Contact, scheduled_at: datetime) -> None:
        """Its contact was corrected before it was sent: addressed anew, at a new time."""
        if self.state is InvitationState.FAILED:
            self._move(InvitationState.SCHEDULED)
        elif self.state is not InvitationState.SCHEDULED:
            raise InvalidTransition(f"invitation {self.id}: {self.state} cannot be planned again")
        for field, value in _addressed_as(contact).items():
            setattr(self, field, value)
        self.scheduled_at = scheduled_at

    def check_move(self, target: InvitationState) -> None:
        if target not in _TRANSITIONS[self.state]:
            raise InvalidTransition(f"invitation {self.id}: {self.state} -> {target} not allowed")

    def _move(self, target: InvitationState) -> None:
        self.check_move(target)
        self.state = target

    def mark_sent(self, now: datetime, expiry_days: int) -> None:
        self._move(InvitationState.SENT)
        self.sent_at = now
        self.expires_at = now + timedelta(days=expiry_days)

    def mark_reminded(self, now: datetime) -> None:
        self._move(InvitationState.REMINDED)
        self.reminded_at = now

    def mark_answered(self, now: datetime) -> None:
        self._move(InvitationState.ANSWERED)
        self.answered_at = now

    def mark_expired(self) -> None:
        self._move(InvitationState.EXPIRED)

    def suppress(
        self, reason: SuppressionReason, previously_invited_at: datetime | None = None
    ) -> None:
        self._move(InvitationState.SUPPRESSED)
        self.suppression_reason = reason
        self.previously_invited_at = previously_invited_at

    def cancel(self, now: datetime, reason: str) -> None:
        """Staff call off a planned invitation: it is never sent."""
        self._move(InvitationState.CANCELLED)
        self.cancelled_at = now
        self.cancel_reason = reason

    def report_wrong_address(self, now: datetime, reason: str) -> None:
        """The email went to a wrong address: nothing more is sent to it."""
        if not self.state.awaits_answer or self.wrong_address_at is not None:
            raise InvalidTransition(
                f"invitation {self.id}: {self.state} cannot have a wrong address"
            )
        self.wrong_address_at = now
        self.wrong_address_reason = reason

    def mark_failed(self) -> None:
        self._move(InvitationState.FAILED)

    def reschedule(self, now: datetime) -> None:
        """A failed invitation is tried again (a person retried its email by hand)."""
        self._move(InvitationState.SCHEDULED)
        self.scheduled_at = now

    def is_expired_at(self, now: datetime) -> bool:
        return link_expired(self.state, self.expires_at, now)
