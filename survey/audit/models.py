"""An audit event: one thing a person (or the system) did that someone may later need to check."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.extensions import db
from survey.types import UTCDateTime, enum_column


class Action(enum.StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_LINK_SENT = "password_link_sent"
    PASSWORD_SET_THROUGH_LINK = "password_set_through_link"
    SETTINGS_CHANGED = "settings_changed"
    EMAIL_RETRIED = "email_retried"
    INVITATION_RESENT = "invitation_resent"
    CONTACT_CHANGED = "contact_changed"
    INVITATION_CANCELLED = "invitation_cancelled"
    WRONG_ADDRESS_REPORTED = "wrong_address_reported"
    RESPONSES_EXPORTED = "responses_exported"
    USER_REMOVED = "user_removed"
    EMAIL_CHANGE_REQUESTED = "email_change_requested"
    EMAIL_CHANGED = "email_changed"
    OPT_OUT_LIFTED = "opt_out_lifted"
    EVENT_CREATED = "event_created"
    EVENT_CHANGED = "event_changed"
    PARTICIPANT_ADDED = "participant_added"
    PARTICIPANT_REMOVED = "participant_removed"
    PARTICIPANTS_IMPORTED = "participants_imported"
    EVALUATIONS_SENT_NOW = "evaluations_sent_now"
    EVALUATIONS_RESCHEDULED = "evaluations_rescheduled"
    MANUAL_REMINDER_SENT = "manual_reminder_sent"
    ROOM_LINK_CREATED = "room_link_created"
    ROOM_LINK_CLOSED = "room_link_closed"
    EVENT_RESPONSES_EXPORTED = "event_responses_exported"
    IMPROVEMENT_ACTION_RECORDED = "improvement_action_recorded"
    IMPROVEMENT_ACTION_CHANGED = "improvement_action_changed"
    GOOD_PRACTICE_SHARED = "good_practice_shared"
    GOOD_PRACTICE_WITHDRAWN = "good_practice_withdrawn"
    PERSONAL_DATA_EXPORTED = "personal_data_exported"
    PERSONAL_DATA_ERASED = "personal_data_erased"
    RETENTION_APPLIED = "retention_applied"

    ORGANISATION_CREATED = "organisation_created"
    ORGANISATION_SIZE_CHANGED = "organisation_size_changed"
    CIRCLE_CREATED = "circle_created"
    CIRCLE_MEMBER_ADDED = "circle_member_added"
    CIRCLE_MEMBER_REMOVED = "circle_member_removed"
    SHARING_CONSENT_GIVEN = "sharing_consent_given"
    SHARING_CONSENT_REVOKED = "sharing_consent_revoked"

    @property
    def label(self) -> str:
        return str(_ACTION_LABELS[self])


_ACTION_LABELS = {
    Action.LOGIN_SUCCEEDED: _l("logged in"),
    Action.LOGIN_FAILED: _l("failed login"),
    Action.LOGOUT: _l("logged out"),
    Action.USER_CREATED: _l("user created"),
    Action.USER_UPDATED: _l("user changed"),
    Action.PASSWORD_CHANGED: _l("password changed"),
    Action.PASSWORD_RESET_REQUESTED: _l("password reset link emailed on request"),
    Action.PASSWORD_LINK_SENT: _l("link to choose a password emailed by an administrator"),
    Action.PASSWORD_SET_THROUGH_LINK: _l("password chosen through an emailed link"),
    Action.SETTINGS_CHANGED: _l("settings changed"),
    Action.EMAIL_RETRIED: _l("email sent again by hand"),
    Action.INVITATION_RESENT: _l("invitation email sent again to the recipient"),
    Action.CONTACT_CHANGED: _l("contact corrected before its invitation was sent"),
    Action.INVITATION_CANCELLED: _l("planned invitation cancelled"),
    Action.WRONG_ADDRESS_REPORTED: _l("invitation reported as sent to a wrong address"),
    Action.RESPONSES_EXPORTED: _l("responses exported"),
    Action.USER_REMOVED: _l("user removed (left the organisation)"),
    Action.EMAIL_CHANGE_REQUESTED: _l("new email address sent for confirmation"),
    Action.EMAIL_CHANGED: _l("email address changed, confirmed by its owner"),
    Action.OPT_OUT_LIFTED: _l("opt-out lifted at the recipient's request"),
    Action.EVENT_CREATED: _l("event created"),
    Action.EVENT_CHANGED: _l("event changed"),
    Action.PARTICIPANT_ADDED: _l("participant added to an event"),
    Action.PARTICIPANT_REMOVED: _l("participant removed from an event"),
    Action.PARTICIPANTS_IMPORTED: _l("participants imported from a list"),
    Action.EVALUATIONS_SENT_NOW: _l("event evaluations sent at once"),
    Action.EVALUATIONS_RESCHEDULED: _l("event evaluations planned for another time"),
    Action.MANUAL_REMINDER_SENT: _l("reminder sent by hand to the participants who did not answer"),
    Action.ROOM_LINK_CREATED: _l("room link made for an event"),
    Action.ROOM_LINK_CLOSED: _l("room link closed early"),
    Action.EVENT_RESPONSES_EXPORTED: _l("event responses exported"),
    Action.IMPROVEMENT_ACTION_RECORDED: _l("improvement action recorded"),
    Action.IMPROVEMENT_ACTION_CHANGED: _l("improvement action changed"),
    Action.GOOD_PRACTICE_SHARED: _l(
        "improvement action shared with the circles as a good practice"
    ),
    Action.GOOD_PRACTICE_WITHDRAWN: _l("good practice withdrawn from the circles"),
    Action.PERSONAL_DATA_EXPORTED: _l("personal data of one person exported (access request)"),
    Action.PERSONAL_DATA_ERASED: _l("personal data of one person erased (erasure request)"),
    Action.RETENTION_APPLIED: _l("retention periods applied: old personal data erased"),
    Action.ORGANISATION_CREATED: _l("organisation created"),
    Action.ORGANISATION_SIZE_CHANGED: _l("organisation size changed"),
    Action.CIRCLE_CREATED: _l("circle created"),
    Action.CIRCLE_MEMBER_ADDED: _l("organisation added to a circle"),
    Action.CIRCLE_MEMBER_REMOVED: _l("organisation removed from a circle"),
    Action.SHARING_CONSENT_GIVEN: _l("data-sharing terms of a circle accepted"),
    Action.SHARING_CONSENT_REVOKED: _l("consent to share with a circle revoked"),
}


class AuditEvent(db.Model):
    __table_args__ = (Index("ix_audit_event_organisation_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for events that belong to no organisation, e.g. a failed login for an unknown address.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[Action] = mapped_column(enum_column(Action, 40))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship()
