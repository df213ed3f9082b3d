"""Logging a contact (checked, once, with the invitation it leads to) and the list of contacts.

The web form, the CSV import and the API all log contacts through `log_contact`, so each
contact is checked by the same rules and leads to an invitation in the same way; a correction
(corrections.py) goes through the same checks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from survey.accounts.models import Organisation, Role, User
from survey.contacts.models import TEXT_MAXIMUMS, Channel, Contact, Source
from survey.contacts.registry import RegistryNumberError, normalise_registry_number
from survey.extensions import db
from survey.invitations.dimensions import CHANNEL_LABELS
from survey.invitations.models import Invitation
from survey.invitations.rules import invite_for_contact
from survey.listing import Count, Order, Page, SortColumn, count_up_to, keyset_page
from survey.request_input import Cursor

LOCALES = ("nl", "en")
# A survey about a contact of long ago measures nothing; such contacts are refused.
MAX_AGE_DAYS = 365
LIMITS = TEXT_MAXIMUMS  # one place for the maximums: survey/contacts/models.py

# How the activity log names a contact's fields when it shows what a correction changed.
FIELD_LABELS = {
    "company_name": _l("company"),
    "registry_number": _l("KvK or KBO number"),
    "person_name": _l("contact person"),
    "email": _l("email address"),
    "locale": _l("language"),
    "contacted_on": _l("date"),
    "channel": _l("channel"),
    "subject": _l("subject"),
    "account_manager": _l("account manager"),
}


ALREADY_LOGGED = _l(
    "This contact has been logged already: same contact person, date, channel and account manager."
)


def channel_label(channel: Channel | str) -> str:
    return str(CHANNEL_LABELS[Channel(channel)])


class ContactError(ValueError):
    """A contact that cannot be logged; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        return " ".join(str(message) for message in self.problems.values())


@dataclass(frozen=True)
class ContactDetails:
    """A contact's values, checked and normalised, ready to be stored."""

    company_name: str
    registry_number: str | None
    person_name: str
    email: str
    locale: str
    contacted_on: date
    channel: Channel
    subject: str


def local_today(organisation: Organisation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(organisation.timezone)).date()


def _too_long(field: str):
    return _l("Use at most %(limit)s characters.", limit=LIMITS[field])


def _required_text(problems: dict, field: str, value: str | None, missing) -> str:
    value = " ".join((value or "").split())
    if not value and missing:
        problems[field] = missing
    elif len(value) > LIMITS[field]:
        problems[field] = _too_long(field)
    return value


def _email(problems: dict, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        problems["email"] = _l("Please fill in the email address of the contact person.")
        return value
    if len(value) > LIMITS["email"]:
        problems["email"] = _too_long("email")
        return value
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems["email"] = _l("%(email)s is not a valid email address.", email=value)
        return value


def _registry_number(problems: dict, value: str | None) -> str | None:
    if len(value or "") > LIMITS["registry_number"]:
        problems["registry_number"] = _too_long("registry_number")
        return None
    try:
        return normalise_registry_number(value)
    except RegistryNumberError as error:
        problems["registry_number"] = error.args[0]
        return None


def _contact_date(problems: dict, value: date | None, today: date) -> date | None:
    if value is None:
        problems["contacted_on"] = _l("Please fill in the date of the contact.")
    elif value > today:
        problems["contacted_on"] = _l(
            "The date of the contact is in the future. Log a contact once it has taken place."
        )
    elif value < today - timedelta(days=MAX_AGE_DAYS):
        problems["contacted_on"] = _l(
            "The contact was more than a year ago; a survey about it would come too late."
        )
    return value


def _channel(problems: dict, value: Channel | str | None) -> Channel | None:
    try:
        return Channel(value)
    except ValueError:
        problems["channel"] = _l("Please choose how the contact took place.")
        return None


def _account_manager_problem(
    organisation: Organisation, account_manager: User | None, actor: User | None
) -> str | None:
    if account_manager is None:
        return _l("Please choose the account manager of this contact.")
    if account_manager.organisation_id != organisation.id or not account_manager.active:
        return _l(
            "%(name)s is not an active member of staff of %(organisation)s.",
            name=account_manager.name,
            organisation=organisation.name,
        )
    if actor is not None and actor.role is Role.ACCOUNT_MANAGER and actor.id != account_manager.id:
        return _l("As an account manager you log your own contacts only.")
    return None


def check_contact(
    organisation: Organisation,
    account_manager: User | None,
    *,
    company_name: str | None,
    registry_number: str | None,
    person_name: str | None,
    email: str | None,
    locale: str | None,
    contacted_on: date | None,
    channel: Channel | str | None,
    subject: str | None,
    now: datetime,
    actor: User | None = None,
) -> ContactDetails:
    """The contact's values checked and normalised; ContactError lists every problem found."""
    problems: dict[str, str] = {}
    details = ContactDetails(
        company_name=_required_text(
            problems, "company_name", company_name, _l("Please fill in the company name.")
        ),
        registry_number=_registry_number(problems, registry_number),
        person_name=_required_text(
            problems,
            "person_name",
            person_name,
            _l("Please fill in the name of the contact person."),
        ),
        email=_email(problems, email),
        locale=locale or organisation.locale,
        contacted_on=_contact_date(problems, contacted_on, local_today(organisation, now)),
        channel=_channel(problems, channel),
        subject=_required_text(problems, "subject", subject, None),
    )
    if details.locale not in LOCALES:
        problems["locale"] = _l("Choose Dutch (nl) or English (en) as the survey's language.")
    if problem := _account_manager_problem(organisation, account_manager, actor):
        problems["account_manager"] = problem
    if problems:
        raise ContactError(problems)
    return details


def is_logged_already(
    organisation: Organisation,
    account_manager: User,
    details: ContactDetails,
    other_than: Contact | None = None,
) -> bool:
    """Whether the same contact is on the log (besides `other_than`, the one being corrected)."""
    statement = select(func.count(Contact.id)).where(
        Contact.organisation_id == organisation.id,
        Contact.account_manager_id == account_manager.id,
        Contact.email == details.email,
        Contact.contacted_on == details.contacted_on,
        Contact.channel == details.channel,
    )
    if other_than is not None:
        statement = statement.where(Contact.id != other_than.id)
    return db.session.scalar(statement) > 0


def log_contact(
    organisation: Organisation,
    account_manager: User,
    *,
    company_name: str | None,
    registry_number: str | None,
    person_name: str | None,
    email: str | None,
    locale: str | None,
    contacted_on: date | None,
    channel: Channel | str | None,
    subject: str | None,
    source: Source = Source.WEB,
    now: datetime,
    actor: User | None = None,
) -> Contact:
    """Check and add a contact, and make its invitation; ContactError says what is wrong.

    `actor` is who logs it: an account manager may log their own contacts only. Adds and
    flushes; the caller commits.
    """
    details = check_contact(
        organisation,
        account_manager,
        company_name=company_name,
        registry_number=registry_number,
        person_name=person_name,
        email=email,
        locale=locale,
        contacted_on=contacted_on,
        channel=channel,
        subject=subject,
        now=now,
        actor=actor,
    )
    if is_logged_already(organisation, account_manager, details):
        raise ContactError({"contacted_on": ALREADY_LOGGED})
    contact = Contact(
        organisation_id=organisation.id,
        account_manager=account_manager,
        source=source,
        created_at=now,
        **asdict(details),
    )
    # A savepoint: a double submit racing this one is refused without spoiling the session.
    try:
        with db.session.begin_nested():
            db.session.add(contact)
    except IntegrityError:
        raise ContactError({"contacted_on": ALREADY_LOGGED}) from None
    invite_for_contact(contact, organisation, now)
    return contact


def invitation_of(contact: Contact) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.contact_id == contact.id))


def _filtered(scope: Select, account_manager_id: int | None, search: str) -> Select:
    if account_manager_id is not None:
        scope = scope.where(Contact.account_manager_id == account_manager_id)
    words = search.split()
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        scope = scope.where(
            or_(
                Contact.company_name.ilike(pattern, escape="\\"),
                Contact.person_name.ilike(pattern, escape="\\"),
                Contact.email.ilike(pattern, escape="\\"),
            )
        )
    return scope


# Newest contacts first, on the index of the organisation's contacts by date.
NEWEST_FIRST = Order(
    SortColumn(Contact.contacted_on, date, descending=True),
    SortColumn(Contact.id, int, descending=True),
)


def contact_list(
    scope: Select,
    *,
    account_manager_id: int | None = None,
    search: str = "",
    cursor: Cursor | None = None,
    per_page: int = 50,
) -> Page[tuple[Contact, Invitation | None]]:
    """A page of contacts, newest first, each with its invitation (if any), from a scoped
    statement.

    Every word of `search` must occur in the company, the person's name or the email address.
    """
    statement = (
        _filtered(scope, account_manager_id, search)
        .add_columns(Invitation)
        .outerjoin(Invitation, Invitation.contact_id == Contact.id)
        .options(joinedload(Contact.account_manager))
    )
    return keyset_page(statement, NEWEST_FIRST, cursor, per_page)


def count_contacts(
    scope: Select, *, account_manager_id: int | None = None, search: str = ""
) -> Count:
    """Counted up to COUNT_LIMIT: the list says "1000+" rather than reading a million rows."""
    return count_up_to(_filtered(scope, account_manager_id, search).with_only_columns(Contact.id))
