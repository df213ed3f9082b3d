"""The emails with a link to choose a password, in the user's language, through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.accounts.models import User, find_user_by_email
from survey.accounts.password_links import LinkKind, make_password_token
from survey.audit.models import Action
from survey.audit.trail import record
from survey.invitations.emails import sender_address
from survey.outbox.models import EmailPurpose, OutboundEmail
from survey.outbox.queue import enqueue

_PURPOSES = {
    LinkKind.RESET: EmailPurpose.PASSWORD_RESET,
    LinkKind.SETUP: EmailPurpose.PASSWORD_SETUP,
}
_ENDPOINTS = {
    LinkKind.RESET: "accounts.reset_password",
    LinkKind.SETUP: "accounts.choose_password",
    LinkKind.EMAIL: "accounts.confirm_email",
}


def link_lifetime(kind: LinkKind) -> timedelta:
    """A reset link works for PASSWORD_RESET_LINK_HOURS; the others, sent by an administrator,
    for PASSWORD_SETUP_LINK_HOURS."""
    setting = "PASSWORD_RESET_LINK_HOURS" if kind is LinkKind.RESET else "PASSWORD_SETUP_LINK_HOURS"
    return timedelta(hours=current_app.config[setting])


def signing_keys() -> list[str]:
    """Older keys first, the current one last (the one itsdangerous signs with)."""
    return [*current_app.config["SECRET_KEY_FALLBACKS"], current_app.secret_key]


def password_link_url(user: User, kind: LinkKind, now: datetime) -> str:
    token = make_password_token(user, kind, signing_keys(), now)
    path = current_app.url_map.bind("").build(_ENDPOINTS[kind], {"token": token})
    return current_app.config["BASE_URL"] + path


def _compose(user: User, kind: LinkKind, now: datetime, inviter: User | None) -> OutboundEmail:
    organisation = user.organisation
    with force_locale(user.locale or organisation.locale):
        if kind is LinkKind.RESET:
            subject = _("Choose a new password for Spiegel")
        else:
            subject = _(
                "Your account for %(organisation)s in Spiegel", organisation=organisation.name
            )
        context = {
            "subject": subject,
            "user": user,
            "organisation": organisation,
            "inviter": inviter,
            "link_url": password_link_url(user, kind, now),
            "hours": int(link_lifetime(kind).total_seconds() // 3600),
            "locale": user.locale or organisation.locale,
        }
        text_body = render_template(f"emails/password_{kind}.txt", **context)
        html_body = render_template(f"emails/password_{kind}.html", **context)
    return OutboundEmail(
        organisation_id=organisation.id,
        purpose=_PURPOSES[kind],
        recipient=user.email,
        sender_name=organisation.name,
        reply_to=inviter.email if inviter is not None else None,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"},
    )


def send_password_link(
    user: User, kind: LinkKind, now: datetime, *, actor: User | None = None, remote_addr=None
) -> OutboundEmail:
    """Queue the email with a link to choose a password, and put it on the activity log (without
    the link, which is as good as a password until it is used)."""
    email = enqueue(_compose(user, kind, now, actor), sender_address(), now)
    action = (
        Action.PASSWORD_RESET_REQUESTED if kind is LinkKind.RESET else Action.PASSWORD_LINK_SENT
    )
    record(
        action,
        now,
        actor=actor,
        organisation=user.organisation,
        subject=user,
        remote_addr=remote_addr,
    )
    return email


def request_password_reset(email: str, now: datetime, remote_addr: str | None = None) -> bool:
    """Send a reset link to the active user with this address; False when there is none. The
    caller answers the same either way, so the page tells nobody which addresses exist."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    send_password_link(user, LinkKind.RESET, now, remote_addr=remote_addr)
    return True
