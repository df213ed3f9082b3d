"""The retention periods, applied daily: personal data older than an organisation's periods is
erased, while the records that the figures need stay without it.

- contacts, event participants and invitations: `retention_personal_months` after the contact
  or the event, their names, addresses, company and subject are erased; the invitation's
  emails lose their recipient and text, its response stays but loses its link to the
  invitation (Response.invitation_id: no tally reads it, so no figure changes);
- sent (or cancelled) emails lose their text, HTML and headers after `retention_email_days`;
- opt-outs and bounces older than the personal period keep only a keyed hash of the address;
- activity-log entries lose the names and addresses they mention with their subjects, and go
  entirely after `retention_audit_years`.

Safe with several schedulers: each batch claims its rows (FOR UPDATE SKIP LOCKED on PostgreSQL,
BEGIN IMMEDIATE on SQLite) and is committed on its own; a row once erased no longer matches, so
a second run, at the same time or later, finds nothing left to do.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, select

from survey.accounts.models import Organisation
from survey.audit.models import Action, AuditEvent
from survey.audit.trail import record
from survey.claims import lock_for_claiming
from survey.contacts.models import Contact
from survey.events.models import Event, Participant
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.outbox.models import EmailStatus, OutboundEmail, Suppression
from survey.outbox.suppressions import ERASED_DOMAIN, forget_suppressed_address
from survey.privacy.anonymising import (
    PARTICIPANT_ACTIONS,
    anonymise_contact,
    anonymise_email,
    anonymise_invitation,
    anonymise_participant,
    entries_about,
    erase_email_body,
    forget_in_trail,
    unlink_responses,
)

BATCH = 500  # rows claimed and committed at a time
MAX_BATCHES = 200  # per kind of record and run; a backlog beyond it is done the next day
ERASED = "%@" + ERASED_DOMAIN


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _claimed(statement: Select) -> list:
    """The next batch of rows no other run holds."""
    lock_for_claiming(db.session.connection())
    return list(db.session.scalars(statement.limit(BATCH).with_for_update(skip_locked=True)))


def _in_batches(statement: Select, erase) -> int:
    """Claim, erase and commit batch after batch until nothing is left; how many rows."""
    db.session.commit()  # a fresh transaction, so that the claim is its first statement
    done = 0
    for _ in range(MAX_BATCHES):
        rows = _claimed(statement)
        if not rows:
            break
        erase(rows)
        db.session.commit()
        done += len(rows)
    db.session.commit()  # ends the claiming transaction of an empty batch too
    return done


class RetentionRun:
    """One organisation's run: the cut-off moments, and the counts for the activity log."""

    def __init__(self, organisation: Organisation, now: datetime) -> None:
        self.organisation_id = organisation.id
        self.now = now
        today = now.astimezone(ZoneInfo(organisation.timezone)).date()
        self.personal_day = months_before(today, organisation.retention_personal_months)
        self.personal_moment = datetime.combine(
            self.personal_day, datetime.min.time(), ZoneInfo(organisation.timezone)
        )
        self.body_moment = now - timedelta(days=organisation.retention_email_days)
        audit_day = months_before(today, 12 * organisation.retention_audit_years)
        self.audit_moment = datetime.combine(
            audit_day, datetime.min.time(), ZoneInfo(organisation.timezone)
        )
        self.counts: Counter[str] = Counter()

    def _trail(self, subjects: dict[str, list[int]]) -> None:
        self.counts["log_entries_blanked"] += forget_in_trail(
            entries_about(self.organisation_id, subjects)
        )

    # -- the kinds of record, each a claim statement and what is done to a batch --

    def contacts(self) -> None:
        statement = select(Contact).where(
            Contact.organisation_id == self.organisation_id,
            Contact.contacted_on < self.personal_day,
            Contact.email.not_like(ERASED),
        )

        def erase(contacts: list[Contact]) -> None:
            for contact in contacts:
                anonymise_contact(contact)
            self._trail({"Contact": [contact.id for contact in contacts]})

        self.counts["contacts"] += _in_batches(statement.order_by(Contact.id), erase)

    def participants(self) -> None:
        old_events = select(Event.id).where(
            Event.organisation_id == self.organisation_id,
            Event.starts_at < self.personal_moment,
        )
        statement = select(Participant).where(
            Participant.organisation_id == self.organisation_id,
            Participant.event_id.in_(old_events),
            Participant.email.not_like(ERASED),
        )

        def erase(participants: list[Participant]) -> None:
            for participant in participants:
                anonymise_participant(participant)
            event_ids = sorted({participant.event_id for participant in participants})
            entries = entries_about(self.organisation_id, {"Event": event_ids})
            entries = [entry for entry in entries if entry.action in PARTICIPANT_ACTIONS]
            entries += entries_about(
                self.organisation_id, {"Participant": [p.id for p in participants]}
            )
            self.counts["log_entries_blanked"] += forget_in_trail(entries)

        self.counts["participants"] += _in_batches(statement.order_by(Participant.id), erase)

    def invitations(self) -> None:
        old = Invitation.occasion_on < self.personal_day
        undated = Invitation.occasion_on.is_(None) & (Invitation.created_at < self.personal_moment)
        statement = select(Invitation).where(
            Invitation.organisation_id == self.organisation_id,
            old | undated,
            Invitation.recipient_email.not_like(ERASED),
        )

        def erase(invitations: list[Invitation]) -> None:
            ids = [invitation.id for invitation in invitations]
            for invitation in invitations:
                anonymise_invitation(invitation, self.now)
            emails = list(
                db.session.scalars(
                    select(OutboundEmail).where(OutboundEmail.invitation_id.in_(ids))
                )
            )
            for email in emails:
                anonymise_email(email)
            self.counts["responses_unlinked"] += unlink_responses(ids)
            self._trail({"Invitation": ids, "OutboundEmail": [email.id for email in emails]})

        self.counts["invitations"] += _in_batches(statement.order_by(Invitation.id), erase)

    def emails(self) -> None:
        """Emails of no invitation (to staff, mostly) lose their recipient after the period."""
        statement = select(OutboundEmail).where(
            OutboundEmail.organisation_id == self.organisation_id,
            OutboundEmail.created_at < self.personal_moment,
            OutboundEmail.recipient.not_like(ERASED),
        )

        def erase(emails: list[OutboundEmail]) -> None:
            for email in emails:
                anonymise_email(email)
            self._trail({"OutboundEmail": [email.id for email in emails]})

        self.counts["emails"] += _in_batches(statement.order_by(OutboundEmail.id), erase)

    def email_bodies(self) -> None:
        """Sent and cancelled emails lose their text; a failed one keeps it, to be retried."""
        statement = select(OutboundEmail).where(
            OutboundEmail.organisation_id == self.organisation_id,
            OutboundEmail.created_at < self.body_moment,
            OutboundEmail.status.in_([EmailStatus.SENT, EmailStatus.CANCELLED]),
            OutboundEmail.text_body != "",
        )

        def erase(emails: list[OutboundEmail]) -> None:
            for email in emails:
                erase_email_body(email)

        self.counts["email_bodies"] += _in_batches(statement.order_by(OutboundEmail.id), erase)

    def suppressions(self) -> None:
        statement = select(Suppression).where(
            Suppression.organisation_id == self.organisation_id,
            Suppression.created_at < self.personal_moment,
            Suppression.email.not_like(ERASED),
        )

        def erase(suppressions: list[Suppression]) -> None:
            for suppression in suppressions:
                forget_suppressed_address(suppression)
            self._trail({"Suppression": [suppression.id for suppression in suppressions]})

        self.counts["opt_outs_hashed"] += _in_batches(statement.order_by(Suppression.id), erase)

    def lifted_opt_outs(self) -> None:
        """An opt-out lifted long ago is gone, but the entry about it names the address."""
        entries = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.organisation_id == self.organisation_id,
                AuditEvent.action == Action.OPT_OUT_LIFTED,
                AuditEvent.at < self.personal_moment,
            )
        )
        self.counts["log_entries_blanked"] += forget_in_trail(entries)
        db.session.commit()

    def old_log_entries(self) -> None:
        for _ in range(MAX_BATCHES):
            ids = list(
                db.session.scalars(
                    select(AuditEvent.id)
                    .where(
                        AuditEvent.organisation_id == self.organisation_id,
                        AuditEvent.at < self.audit_moment,
                    )
                    .limit(BATCH)
                )
            )
            if not ids:
                break
            db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))
            db.session.commit()
            self.counts["log_entries_deleted"] += len(ids)

    def apply(self) -> dict[str, int]:
        self.contacts()
        self.participants()
        self.invitations()
        self.emails()
        self.email_bodies()
        self.suppressions()
        self.lifted_opt_outs()
        self.old_log_entries()
        return dict(self.counts)


COUNTED = (
    "contacts",
    "participants",
    "invitations",
    "responses_unlinked",
    "emails",
    "email_bodies",
    "opt_outs_hashed",
    "log_entries_blanked",
    "log_entries_deleted",
)


def apply_retention(now: datetime, organisation_ids: list[int] | None = None) -> dict[int, dict]:
    """Apply every organisation's retention periods (or these organisations'); the counts per
    organisation, each run recorded on its activity log."""
    statement = select(Organisation).where(Organisation.is_platform.is_(False))
    if organisation_ids is not None:
        statement = statement.where(Organisation.id.in_(organisation_ids))
    reports = {}
    for organisation in list(db.session.scalars(statement.order_by(Organisation.id))):
        counts = RetentionRun(organisation, now).apply()
        counts = {name: counts.get(name, 0) for name in COUNTED}
        record(
            Action.RETENTION_APPLIED,
            now,
            organisation=db.session.get(Organisation, organisation.id),
            personal_months=organisation.retention_personal_months,
            email_days=organisation.retention_email_days,
            audit_years=organisation.retention_audit_years,
            **counts,
        )
        db.session.commit()
        reports[organisation.id] = counts
    return reports
