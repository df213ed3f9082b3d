"""Correcting a contact whose invitation has not been sent: checked like a new one, and its
invitation planned again by the same rules (invitations/corrections.py)."""

from __future__ import annotations

import enum
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from survey.accounts.models import Organisation, User
from survey.contacts.logbook import (
    ALREADY_LOGGED,
    ContactDetails,
    ContactError,
    check_contact,
    invitation_of,
    is_logged_already,
)
from survey.contacts.models import Contact
from survey.extensions import db
from survey.invitations.corrections import CannotCorrect, plan_again, why_not_correctable


def _plain(value: Any) -> str:
    """A value as the activity log keeps it (JSON): dates as 2026-12-01, channels by code."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return "" if value is None else str(value)


def _changes(contact: Contact, account_manager: User, details: ContactDetails) -> dict:
    """What a correction changes, field by field: [old, new]."""
    changes = {
        field: [_plain(getattr(contact, field)), _plain(new)]
        for field, new in asdict(details).items()
        if getattr(contact, field) != new
    }
    if contact.account_manager_id != account_manager.id:
        changes["account_manager"] = [contact.account_manager.name, account_manager.name]
    return changes


def correct_contact(
    contact: Contact,
    organisation: Organisation,
    account_manager: User | None,
    *,
    now: datetime,
    actor: User | None = None,
    **values: Any,
) -> dict[str, list[str]]:
    """Correct a contact whose invitation has not been sent, and plan the invitation again.

    `values` are check_contact's. Returns what changed, field by field ([old, new]); raises
    CannotCorrect once the invitation is on its way, ContactError for wrong values. Flushes; the
    caller commits.
    """
    invitation = invitation_of(contact)
    if why := why_not_correctable(invitation):
        raise CannotCorrect(why)
    details = check_contact(organisation, account_manager, now=now, actor=actor, **values)
    if is_logged_already(organisation, account_manager, details, other_than=contact):
        raise ContactError({"contacted_on": ALREADY_LOGGED})
    changes = _changes(contact, account_manager, details)
    if not changes:
        return changes
    for field, value in asdict(details).items():
        setattr(contact, field, value)
    contact.account_manager = account_manager
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ContactError({"contacted_on": ALREADY_LOGGED}) from None
    plan_again(invitation, contact, set(changes), now)
    return changes
