"""Staff pages about invitations: the home list and one invitation with its response, from
which its email can be sent again."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.overview import (
    NEWEST_FIRST,
    count_by_state,
    recent_invitations,
    why_not_invited,
)
from survey.invitations.sending import CannotResend, resend_invitation, why_no_resend
from survey.outbox.models import OutboundEmail
from survey.request_input import query_choice, query_cursor
from survey.responding.models import Answer, Response
from survey.responding.privacy import sees_individual_answers
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("invitations", __name__)

PAGE_SIZE = 50


@bp.get("/")
@roles_required()
def home():
    scope = scoped(select(Invitation), Invitation)
    state = query_choice(InvitationState, "state")
    cursor = query_cursor(NEWEST_FIRST.kinds)
    return render_template(
        "invitations/home.html",
        page=recent_invitations(scope, state, cursor, PAGE_SIZE),
        state=state,
        counts=count_by_state(scope),
        why_not_invited=partial(
            why_not_invited, now=utcnow(), zone=ZoneInfo(current_user.organisation.timezone)
        ),
    )


@bp.get("/invitations/<int:invitation_id>")
@roles_required()
def detail(invitation_id: int):
    invitation = get_scoped_or_404(Invitation, invitation_id)
    shows_answers = sees_individual_answers(current_user)
    # Not even loaded when the organisation keeps individual answers from account managers.
    response = None
    if shows_answers:
        response = db.session.scalar(
            select(Response)
            .where(Response.invitation_id == invitation.id)
            .options(selectinload(Response.answers).joinedload(Answer.question))
        )
    emails = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.invitation_id == invitation.id)
        .order_by(OutboundEmail.id)
    )
    now = utcnow()
    return render_template(
        "invitations/detail.html",
        invitation=invitation,
        response=response,
        shows_answers=shows_answers,
        emails=list(emails),
        why_not_invited=why_not_invited(
            invitation, now, ZoneInfo(invitation.organisation.timezone)
        ),
        why_no_resend=why_no_resend(invitation, now),
    )


@bp.post("/invitations/<int:invitation_id>/resend")
@roles_required()
def resend(invitation_id: int):
    invitation = get_scoped_or_404(Invitation, invitation_id)
    now = utcnow()
    try:
        resend_invitation(invitation, now)
    except CannotResend as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        record(
            Action.INVITATION_RESENT,
            now,
            actor=current_user,
            subject=invitation,
            remote_addr=request.remote_addr,
            recipient=invitation.recipient_email,
        )
        db.session.commit()
        message = _("The email to %(address)s will be sent again in a moment.")
        flash(message % {"address": invitation.recipient_email}, "info")
    return redirect(url_for(".detail", invitation_id=invitation_id))


# Cancelling an invitation and reporting a wrong address: their own module, on this blueprint.
from survey.invitations import correction_views  # noqa: E402, F401
