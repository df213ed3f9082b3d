"""Changing a staff member's email address: an administrator asks, the owner confirms.

The new address gets a signed single-use link (the mechanism of password_links.py, kind EMAIL);
the address changes only when its owner opens the link and confirms with a POST, so a typing
error never locks anyone out. The old address then gets a notice, so a change nobody asked for
does not go unseen. Both emails go through the outbox.
"""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.accounts.models import User, find_user_by_email
from survey.accounts.password_emails import link_lifetime, password_link_url
from survey.accounts.password_links import LinkKind
from survey.accounts.staff import StaffError
from survey.audit.models import Action
from survey.audit.trail import record
from survey.invitations.emails import sender_address
from survey.outbox.models import EmailPurpose, OutboundEmail
from survey.outbox.queue import enqueue

AUTOMATIC = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}


def _checked_address(user: User, email: str) -> str:
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise StaffError(_l("%(email)s is not a valid email address.", email=email)) from None
    if email.lower() == user.email.lower():
        raise StaffError(_l("This is already the email address of %(name)s.", name=user.name))
    if find_user_by_email(email):
        raise StaffError(_l("A user with email address %(email)s exists already.", email=email))
    return email


def request_email_change(user: User, new_email: str, *, actor: User, now: datetime) -> str:
    """Keep `new_email` waiting and email it a link to confirm; returns the address as kept.

    A second request replaces the first, whose link then stops working.
    """
    if not user.active:
        raise StaffError(_l("%(name)s is blocked; make them active first.", name=user.name))
    user.pending_email = _checked_address(user, new_email)
    enqueue(_confirmation_email(user, now, actor), sender_address(), now)
    record(Action.EMAIL_CHANGE_REQUESTED, now, actor=actor, subject=user, new=user.pending_email)
    return user.pending_email


def confirm_email_change(user: User, now: datetime, remote_addr: str | None = None) -> str:
    """The owner confirmed through the link: the waiting address becomes the login; the old
    address gets a notice. Returns the old address."""
    new = user.pending_email
    if new is None:
        raise StaffError(_l("There is no new email address waiting to be confirmed."))
    if (taken := find_user_by_email(new)) is not None and taken.id != user.id:
        raise StaffError(_l("A user with email address %(email)s exists already.", email=new))
    old, user.email, user.pending_email = user.email, new, None
    enqueue(_notice_email(user, old), sender_address(), now)
    record(
        Action.EMAIL_CHANGED,
        now,
        actor=user,
        subject=user,
        remote_addr=remote_addr,
        changes={"email": [old, new]},
    )
    return old


def _email(user: User, recipient: str, subject: str, template: str, **context) -> OutboundEmail:
    organisation = user.organisation
    context.update(
        subject=subject,
        user=user,
        organisation=organisation,
        locale=user.locale or organisation.locale,
    )
    return OutboundEmail(
        organisation_id=organisation.id,
        purpose=EmailPurpose.EMAIL_CHANGE,
        recipient=recipient,
        sender_name=organisation.name,
        subject=subject,
        text_body=render_template(f"emails/{template}.txt", **context),
        html_body=render_template(f"emails/{template}.html", **context),
        headers=dict(AUTOMATIC),
    )


def _confirmation_email(user: User, now: datetime, actor: User) -> OutboundEmail:
    with force_locale(user.locale or user.organisation.locale):
        return _email(
            user,
            user.pending_email,
            _("Confirm your new email address for Spiegel"),
            "email_change",
            inviter=actor,
            link_url=password_link_url(user, LinkKind.EMAIL, now),
            hours=int(link_lifetime(LinkKind.EMAIL).total_seconds() // 3600),
        )


def _notice_email(user: User, old: str) -> OutboundEmail:
    with force_locale(user.locale or user.organisation.locale):
        return _email(
            user,
            old,
            _("Your email address for Spiegel has been changed"),
            "email_changed",
            old=old,
        )
