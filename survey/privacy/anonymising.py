"""Taking the person out of one record while the record stays: what both a person's erasure and
the retention job do to a contact, a participant, an invitation, an email and the activity log.

A record that the figures count (an invitation's state, a response) stays; only the fields that
say who it was about are emptied. An address becomes a placeholder under `.invalid`, which no
mail system delivers to, unique per record (a contact's and a participant's address are part of
unique keys). Nothing here touches a tally: no counted field changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, func, or_, select

from survey.audit.models import Action, AuditEvent
from survey.contacts.models import Contact
from survey.events.models import Participant
from survey.extensions import db
from survey.invitations.models import REASON_MAX, Invitation, InvitationState
from survey.outbox.models import EmailStatus, OutboundEmail
from survey.outbox.suppressions import erased_address, is_erased_address
from survey.responding.models import Response

ERASED_MARK = "–"  # what the activity log shows where a name or an address stood
# Why a planned invitation was called off when its person was erased (stored, shown as is).
CANCELLED_FOR_PRIVACY = _l("personal data erased")


def anonymise_contact(contact: Contact) -> None:
    contact.company_name = ""
    contact.registry_number = None
    contact.person_name = ""
    contact.email = erased_address("contact", contact.id)
    contact.subject = ""


def anonymise_participant(participant: Participant) -> None:
    participant.name = ""
    participant.organisation_name = ""
    participant.email = erased_address("participant", participant.id)


def anonymise_invitation(invitation: Invitation, now: datetime) -> None:
    """The recipient goes; the state, schedule and reporting dimensions stay. A planned one is
    called off first: it would otherwise be sent to nobody."""
    if invitation.state in (InvitationState.SCHEDULED, InvitationState.FAILED):
        invitation.cancel(now, str(CANCELLED_FOR_PRIVACY)[:REASON_MAX])
    invitation.recipient_email = erased_address("invitation", invitation.id)
    invitation.recipient_name = ""
    invitation.company_name = None
    invitation.registry_number = None
    # Staff wrote these about the person ("wrong address: it was Jan's old one").
    if invitation.cancel_reason != str(CANCELLED_FOR_PRIVACY):
        invitation.cancel_reason = invitation.cancel_reason and ERASED_MARK
    invitation.wrong_address_reason = invitation.wrong_address_reason and ERASED_MARK


def erase_email_body(email: OutboundEmail) -> None:
    """The text, the HTML and the headers (its personal link) of an email go; who it was to,
    its subject, purpose and status stay. An email still waiting to go out is cancelled."""
    if email.status in (EmailStatus.PENDING, EmailStatus.SENDING):
        email.status = EmailStatus.CANCELLED
        email.lease_until = None
        email.last_error = str(CANCELLED_FOR_PRIVACY)
    email.text_body = ""
    email.html_body = ""
    email.headers = {}


def anonymise_email(email: OutboundEmail) -> None:
    erase_email_body(email)
    email.recipient = erased_address("email", email.id)
    email.provider_response = None
    if email.last_error != str(CANCELLED_FOR_PRIVACY):
        email.last_error = email.last_error and ERASED_MARK  # the server's answer names the address


def unlink_responses(invitation_ids: list[int]) -> int:
    """The responses stay, counted as before, without the invitation that led to the person."""
    responses = list(
        db.session.scalars(select(Response).where(Response.invitation_id.in_(invitation_ids)))
    )
    for response in responses:
        response.invitation_id = None
    return len(responses)


# ---- the activity log ----------------------------------------------------------------------

# What the activity log may hold about an entrepreneur: the fields of a contact correction,
# the address an email went to, and the reasons staff wrote.
PERSONAL_CHANGES = (
    "company_name",
    "registry_number",
    "person_name",
    "email",
    "subject",
    "recipient_email",
    "recipient_name",
)
PERSONAL_DETAILS = ("email", "recipient", "reason")
PARTICIPANT_ACTIONS = (Action.PARTICIPANT_ADDED, Action.PARTICIPANT_REMOVED)


def _without(value, addresses: set[str]):
    """The value with every text that mentions one of the addresses replaced by the mark."""
    if isinstance(value, str):
        lowered = value.lower()
        return ERASED_MARK if any(address in lowered for address in addresses) else value
    if isinstance(value, list):
        return [_without(item, addresses) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, addresses) for key, item in value.items()}
    return value


def forget_in_entry(entry: AuditEvent, addresses: Iterable[str] = ()) -> bool:
    """Blank the person's names, addresses and the reasons about them in one entry; who did
    what, when, stays. Whether anything changed."""
    detail = dict(entry.detail or {})
    changes = dict(detail.get("changes") or {})
    for name in PERSONAL_CHANGES:
        if name in changes:
            changes[name] = [ERASED_MARK, ERASED_MARK]
    if changes:
        detail["changes"] = changes
    for name in PERSONAL_DETAILS:
        if detail.get(name):
            detail[name] = ERASED_MARK
    detail = _without(detail, {address for address in addresses if address})
    if detail == (entry.detail or {}):
        return False
    entry.detail = detail  # a new dict: a JSON column does not see changes inside one
    return True


def entries_about(organisation_id: int, subjects: dict[str, list[int]]) -> list[AuditEvent]:
    """The organisation's entries whose subject is one of these records (by model name)."""
    matches = [
        (AuditEvent.subject_type == kind) & AuditEvent.subject_id.in_(ids)
        for kind, ids in subjects.items()
        if ids
    ]
    if not matches:
        return []
    statement = select(AuditEvent).where(
        AuditEvent.organisation_id == organisation_id, or_(*matches)
    )
    return list(db.session.scalars(statement))


def entries_mentioning(organisation_id: int, addresses: Iterable[str]) -> list[AuditEvent]:
    """The organisation's entries whose details name one of the addresses (e.g. a participant
    added to an event, an opt-out lifted)."""
    text = func.lower(cast(AuditEvent.detail, Text))
    matches = [
        text.contains(address, autoescape=True)
        for address in addresses
        if not is_erased_address(address)
    ]
    if not matches:
        return []
    statement = select(AuditEvent).where(
        AuditEvent.organisation_id == organisation_id, or_(*matches)
    )
    return list(db.session.scalars(statement))


def forget_in_trail(entries: Iterable[AuditEvent], addresses: Iterable[str] = ()) -> int:
    addresses = {address.lower() for address in addresses if not is_erased_address(address)}
    return sum(forget_in_entry(entry, addresses) for entry in {e.id: e for e in entries}.values())
