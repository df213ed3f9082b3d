"""Staff pages that stop an invitation: cancel it before it is sent, or report after sending that
it went to a wrong address. Each asks for a reason and is on the activity log."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.corrections import (
    CannotCorrect,
    cancel_invitation,
    report_wrong_address,
    why_no_wrong_address,
    why_not_correctable,
)
from survey.invitations.forms import CancelForm, WrongAddressForm
from survey.invitations.models import REASON_MAX, Invitation
from survey.invitations.routes import bp
from survey.security import get_scoped_or_404, roles_required

bp.add_app_template_global(why_not_correctable)
bp.add_app_template_global(why_no_wrong_address)
bp.add_app_template_global(REASON_MAX, "reason_max")


def _stopped(invitation: Invitation, action: Action, stop, form, message: str):
    """Stop the invitation for the form's reason, record it, and go back to the invitation."""
    now = utcnow()
    try:
        stop(invitation, form.reason.data, now)
    except CannotCorrect as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        record(
            action,
            now,
            actor=current_user,
            subject=invitation,
            remote_addr=request.remote_addr,
            reason=form.reason.data,
        )
        db.session.commit()
        flash(message, "info")
    return redirect(url_for(".detail", invitation_id=invitation.id))


def _page(invitation: Invitation, form, kind: str, refusal: str | None):
    status = 422 if form.errors else (409 if refusal else 200)
    return render_template(
        "invitations/stop.html", invitation=invitation, form=form, kind=kind, refusal=refusal
    ), status


@bp.route("/invitations/<int:invitation_id>/cancel", methods=["GET", "POST"])
@roles_required()
def cancel(invitation_id: int):
    invitation = get_scoped_or_404(Invitation, invitation_id)
    form = CancelForm()
    refusal = why_not_correctable(invitation)
    if refusal is None and form.validate_on_submit():
        message = _("The invitation has been cancelled; nothing will be sent to %(address)s.")
        return _stopped(
            invitation,
            Action.INVITATION_CANCELLED,
            cancel_invitation,
            form,
            message % {"address": invitation.recipient_email},
        )
    return _page(invitation, form, "cancel", refusal)


@bp.route("/invitations/<int:invitation_id>/wrong-address", methods=["GET", "POST"])
@roles_required()
def wrong_address(invitation_id: int):
    invitation = get_scoped_or_404(Invitation, invitation_id)
    form = WrongAddressForm()
    refusal = why_no_wrong_address(invitation)
    if refusal is None and form.validate_on_submit():
        message = _("Recorded: the address is wrong. No reminder or other email will follow.")
        return _stopped(
            invitation, Action.WRONG_ADDRESS_REPORTED, report_wrong_address, form, message
        )
    return _page(invitation, form, "wrong_address", refusal)
