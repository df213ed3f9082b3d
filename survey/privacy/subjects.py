"""Everything one organisation holds about one person, found by their email address or by the
KvK/KBO number of their company: the start of every access and erasure request."""

from __future__ import annotations

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from survey.contacts.models import Contact
from survey.contacts.registry import RegistryNumberError, normalise_registry_number
from survey.events.models import Participant
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.outbox.models import OutboundEmail, Suppression
from survey.outbox.suppressions import is_erased_address, normalise_address, suppression_of
from survey.responding.models import Answer, Response

QUERY_MAX = 254  # an email address at its longest


class NotAPerson(ValueError):
    """What was typed is neither an email address nor a KvK/KBO number; the message says why."""


@dataclass(frozen=True)
class PersonQuery:
    """Who is asked about: an address (lower case) or a registry number (digits), not both."""

    email: str | None = None
    registry_number: str | None = None

    @property
    def shown(self) -> str:
        return self.email or self.registry_number or ""

    @property
    def kind(self) -> str:
        return "email" if self.email else "registry_number"


def read_query(text: str | None) -> PersonQuery:
    """An email address when it has an @, otherwise a KvK or KBO number."""
    text = " ".join((text or "").split())
    if not text:
        raise NotAPerson(_l("Fill in an email address or a KvK/KBO number."))
    if len(text) > QUERY_MAX:
        raise NotAPerson(_l("Use at most %(limit)s characters.", limit=QUERY_MAX))
    if "@" in text:
        try:
            address = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise NotAPerson(_l("%(text)s is not a valid email address.", text=text)) from None
        return PersonQuery(email=normalise_address(address))
    try:
        return PersonQuery(registry_number=normalise_registry_number(text))
    except RegistryNumberError as error:
        raise NotAPerson(str(error)) from None


@dataclass
class PersonData:
    """What the organisation holds about the person, record by record."""

    organisation_id: int
    query: PersonQuery
    contacts: list[Contact] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    emails: list[OutboundEmail] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)

    @property
    def addresses(self) -> set[str]:
        """Every address the records know the person by (for a registry number, its people's)."""
        found = {contact.email for contact in self.contacts}
        found |= {participant.email for participant in self.participants}
        found |= {invitation.recipient_email for invitation in self.invitations}
        if self.query.email:
            found.add(self.query.email)
        return {address for address in found if not is_erased_address(address)}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def counts(self) -> dict[str, int]:
        return {
            "contacts": len(self.contacts),
            "participations": len(self.participants),
            "invitations": len(self.invitations),
            "emails": len(self.emails),
            "responses": len(self.responses),
            "opt_outs": len(self.suppressions),
        }


def _contacts(organisation_id: int, query: PersonQuery) -> list[Contact]:
    matches = (
        Contact.email == query.email
        if query.email
        else Contact.registry_number == query.registry_number
    )
    statement = select(Contact).where(Contact.organisation_id == organisation_id, matches)
    return list(db.session.scalars(statement.order_by(Contact.contacted_on, Contact.id)))


def _participants(organisation_id: int, query: PersonQuery) -> list[Participant]:
    if not query.email:  # a participant is known by address only
        return []
    statement = (
        select(Participant)
        .where(Participant.organisation_id == organisation_id, Participant.email == query.email)
        .options(selectinload(Participant.event))
        .order_by(Participant.added_at, Participant.id)
    )
    return list(db.session.scalars(statement))


def _invitations(
    organisation_id: int, query: PersonQuery, contacts: list[Contact], participants
) -> list[Invitation]:
    matches = [
        func.lower(Invitation.recipient_email) == query.email
        if query.email
        else Invitation.registry_number == query.registry_number
    ]
    if contacts:
        matches.append(Invitation.contact_id.in_([contact.id for contact in contacts]))
    linked = [p.invitation_id for p in participants if p.invitation_id is not None]
    if linked:
        matches.append(Invitation.id.in_(linked))
    statement = select(Invitation).where(
        Invitation.organisation_id == organisation_id, or_(*matches)
    )
    return list(db.session.scalars(statement.order_by(Invitation.created_at, Invitation.id)))


def _emails(organisation_id: int, addresses: set[str], invitation_ids: list[int]):
    matches = []
    if addresses:
        matches.append(func.lower(OutboundEmail.recipient).in_(sorted(addresses)))
    if invitation_ids:
        matches.append(OutboundEmail.invitation_id.in_(invitation_ids))
    if not matches:
        return []
    statement = select(OutboundEmail).where(
        OutboundEmail.organisation_id == organisation_id, or_(*matches)
    )
    return list(db.session.scalars(statement.order_by(OutboundEmail.created_at, OutboundEmail.id)))


def _responses(organisation_id: int, invitation_ids: list[int]) -> list[Response]:
    if not invitation_ids:
        return []
    statement = (
        select(Response)
        .where(
            Response.organisation_id == organisation_id,
            Response.invitation_id.in_(invitation_ids),
        )
        .options(selectinload(Response.answers).selectinload(Answer.question))
        .order_by(Response.submitted_at, Response.id)
    )
    return list(db.session.scalars(statement))


def find_person(organisation_id: int, query: PersonQuery) -> PersonData:
    """Everything of this organisation about the person; nothing of another organisation."""
    data = PersonData(organisation_id, query)
    data.contacts = _contacts(organisation_id, query)
    data.participants = _participants(organisation_id, query)
    data.invitations = _invitations(organisation_id, query, data.contacts, data.participants)
    invitation_ids = [invitation.id for invitation in data.invitations]
    data.emails = _emails(organisation_id, data.addresses, invitation_ids)
    data.responses = _responses(organisation_id, invitation_ids)
    suppressions = {}
    for address in sorted(data.addresses):
        if (suppression := suppression_of(organisation_id, address)) is not None:
            suppressions[suppression.id] = suppression
    data.suppressions = list(suppressions.values())
    return data
