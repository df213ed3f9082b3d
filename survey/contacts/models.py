"""A contact: one visit, call or other meeting of an account manager with a company."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.dimensions import Channel
from survey.types import UTCDateTime, enum_column

# The longest text each field takes, in characters: the form, the CSV import and the columns all
# follow these. A name or subject longer than this is a paste gone wrong, not a name.
COMPANY_NAME_MAX = 200
PERSON_NAME_MAX = 200
EMAIL_MAX = 254  # RFC 5321's limit for an address
SUBJECT_MAX = 200  # the entrepreneur reads it in the email; the column allows older ones of 300
REGISTRY_NUMBER_TYPED_MAX = 30  # as typed, with dots and spaces; stored as 8 or 10 digits
TEXT_MAXIMUMS = {
    "company_name": COMPANY_NAME_MAX,
    "registry_number": REGISTRY_NUMBER_TYPED_MAX,
    "person_name": PERSON_NAME_MAX,
    "email": EMAIL_MAX,
    "subject": SUBJECT_MAX,
}


class Source(enum.StrEnum):
    WEB = "web"
    CSV = "csv"
    API = "api"
    DEMO = "demo"


class Contact(db.Model):
    # The same contact logged twice (a double submit, a CSV imported again) is one contact.
    __table_args__ = (
        UniqueConstraint(
            "organisation_id",
            "account_manager_id",
            "email",
            "contacted_on",
            "channel",
            name="uq_contact_once",
        ),
        # The contacts list's pages, newest first (keyset paging, survey/listing.py).
        Index("ix_contact_organisation_contacted", "organisation_id", "contacted_on", "id"),
    )
    owner_column = "account_manager_id"  # an account manager sees only their own contacts
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    account_manager_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    company_name: Mapped[str] = mapped_column(String(COMPANY_NAME_MAX))
    # KvK (NL, 8 digits) or KBO (BE, 10 digits), stored as digits only; see contacts/registry.py.
    registry_number: Mapped[str | None] = mapped_column(String(20), index=True)
    person_name: Mapped[str] = mapped_column(String(PERSON_NAME_MAX))
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))  # stored in lower case
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    subject: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.WEB)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account_manager: Mapped[User] = relationship()
