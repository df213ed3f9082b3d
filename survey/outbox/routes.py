"""The admins' Outbox page: every email with its state, attempts and last error; the addresses
not emailed (opted out or bounced), and lifting an opt-out at the recipient's request."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db
from survey.listing import keyset_page
from survey.outbox.forms import LiftOptOutForm
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail, Suppression
from survey.outbox.overview import (
    NEWEST_FIRST,
    NEWEST_SUPPRESSIONS_FIRST,
    count_by_status,
    matching,
    newest_emails,
)
from survey.outbox.queue import NotRetryable, retry_by_hand
from survey.outbox.suppressions import NotLiftable, lift_opt_out, matching_suppressions
from survey.request_input import query_choice, query_cursor, query_search
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("outbox", __name__)

PAGE_SIZE = 50


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def index():
    status = query_choice(EmailStatus, "status")
    purpose = query_choice(EmailPurpose, "purpose")
    recipient = query_search("recipient")
    cursor = query_cursor(NEWEST_FIRST.kinds)
    scope = matching(scoped(select(OutboundEmail), OutboundEmail), purpose, recipient)
    return render_template(
        "outbox/index.html",
        page=newest_emails(scope, status, cursor, PAGE_SIZE),
        counts=count_by_status(scope),
        purposes=list(EmailPurpose),
        # The filters as query arguments, so status links and paging keep the others.
        filters={
            "status": status.value if status else None,
            "purpose": purpose.value if purpose else None,
            "recipient": recipient or None,
        },
    )


@bp.get("/outbox/<int:email_id>")
@roles_required(Role.ADMIN)
def detail(email_id: int):
    email = get_scoped_or_404(OutboundEmail, email_id)
    return render_template("outbox/detail.html", email=email)


@bp.post("/outbox/<int:email_id>/retry")
@roles_required(Role.ADMIN)
def retry(email_id: int):
    email = get_scoped_or_404(OutboundEmail, email_id)
    now = utcnow()
    try:
        retry_by_hand(email, now)
        record(
            Action.EMAIL_RETRIED,
            now,
            actor=current_user,
            subject=email,
            remote_addr=request.remote_addr,
            recipient=email.recipient,
        )
    except NotRetryable as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(_("The email to %(address)s will be sent again.", address=email.recipient), "info")
    return redirect(url_for(".detail", email_id=email_id))


@bp.get("/outbox/suppressions")
@roles_required(Role.ADMIN)
def suppressions():
    """The addresses the organisation does not email: opted out, or bounced."""
    address = query_search("address")
    cursor = query_cursor(NEWEST_SUPPRESSIONS_FIRST.kinds)
    scope = matching_suppressions(scoped(select(Suppression), Suppression), address)
    return render_template(
        "outbox/suppressions.html",
        page=keyset_page(scope, NEWEST_SUPPRESSIONS_FIRST, cursor, PAGE_SIZE),
        filters={"address": address} if address else {},
    )


@bp.route("/outbox/suppressions/<int:suppression_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def lift(suppression_id: int):
    """Lift an opt-out at the recipient's request, with the reason on the activity log."""
    suppression = get_scoped_or_404(Suppression, suppression_id)
    form = LiftOptOutForm()
    if form.validate_on_submit():
        try:
            lift_opt_out(suppression, form.reason.data, actor=current_user, now=utcnow())
        except NotLiftable as refusal:
            db.session.rollback()
            form.reason.errors.append(str(refusal))
        else:
            db.session.commit()
            flash(
                _(
                    "The opt-out of %(address)s has been lifted: new invitations will be sent "
                    "to it again.",
                    address=suppression.email,
                ),
                "info",
            )
            return redirect(url_for(".suppressions"))
    page = render_template("outbox/lift.html", suppression=suppression, form=form)
    return page, 422 if form.errors else 200
