"""The development Mailbox page: every email the local SMTP server received."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from survey.clock import utcnow
from survey.devmail.fast_forward import send_planned_now
from survey.devmail.mailbox import (
    clear_mailbox,
    open_email,
    received_emails,
    text_with_links,
    with_links_to_top,
)
from survey.security import roles_required

bp = Blueprint("mailbox", __name__)

# The email as its recipient's mail program shows it: its own inline styles and embedded images,
# but no script, nothing fetched from elsewhere, and framed only by the Mailbox page.
EMAIL_PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src data: 'self'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ]
)


def mailbox_enabled(config: Mapping) -> bool:
    """Only in development (asked for by name), where a local SMTP server writes a Maildir."""
    return bool(config.get("DEV_MAILBOX_DIR")) and config.get("ENV_NAME") == "development"


@bp.before_request
def only_in_development():
    if not mailbox_enabled(current_app.config):
        abort(404)


@bp.app_context_processor
def mailbox_link() -> dict:
    # base.html shows the Mailbox in the staff menu only where the page exists.
    return {"mailbox_enabled": mailbox_enabled(current_app.config)}


@bp.get("/dev/mailbox")
@roles_required()
def index():
    return render_template(
        "devmail/index.html",
        emails=received_emails(_mail_dir()),
        mail_dir=_mail_dir(),
        smtp_address=f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}",
    )


@bp.get("/dev/mailbox/<key>")
@roles_required()
def message(key: str):
    opened = open_email(_mail_dir(), key)
    if opened is None:
        abort(404)
    return render_template("devmail/message.html", email=opened, linked=text_with_links)


@bp.get("/dev/mailbox/<key>/html")
@roles_required()
def html(key: str):
    opened = open_email(_mail_dir(), key)
    if opened is None or opened.html is None:
        abort(404)
    response = current_app.make_response(with_links_to_top(opened.html))
    response.headers["Content-Security-Policy"] = EMAIL_PAGE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/dev/mailbox/send-now")
@roles_required()
def send_now():
    brought_forward, report = send_planned_now(current_user.organisation_id, utcnow)
    flash(
        _(
            "Jobs run: planned invitations brought forward: %(planned)d; emails sent: %(sent)d.",
            planned=brought_forward,
            sent=report.outbox.sent,
        ),
        "info",
    )
    for error in report.outbox.errors[:3]:
        flash(error, "error")
    return redirect(url_for(".index"))


@bp.post("/dev/mailbox/clear")
@roles_required()
def clear():
    removed = clear_mailbox(_mail_dir())
    flash(ngettext("%(num)d email removed.", "%(num)d emails removed.", removed), "info")
    return redirect(url_for(".index"))


def _mail_dir() -> str:
    return current_app.config["DEV_MAILBOX_DIR"]
