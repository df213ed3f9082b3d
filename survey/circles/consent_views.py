"""A municipality's administrator and the data-sharing terms of its circles: read them, accept
them (its aggregates are shared with the circle from then on) and revoke them (hidden from then
on). Only the circles the organisation is a member of exist here; any other circle is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.models import Role
from survey.circles.membership import (
    TERMS_VERSION,
    MembershipError,
    give_consent,
    member_state,
    membership_or_none,
    memberships_of,
    revoke_consent,
)
from survey.circles.models import CircleMember
from survey.circles.routes import bp
from survey.clock import utcnow
from survey.extensions import db
from survey.security import roles_required


@bp.get("/consent")
@roles_required(Role.ADMIN)
def consents():
    """The circles the organisation is a member of, and whether it shares with each."""
    return render_template(
        "circles/consent_list.html", memberships=memberships_of(current_user.organisation_id)
    )


def _own_membership_or_404(circle_id: int) -> CircleMember:
    member = membership_or_none(current_user.organisation_id, circle_id)
    if member is None:
        abort(404)
    return member


@bp.get("/<int:circle_id>/consent")
@roles_required(Role.ADMIN)
def consent(circle_id: int):
    """The terms, what the organisation shares now, and the button to accept or revoke."""
    member = _own_membership_or_404(circle_id)
    return render_template(
        "circles/consent.html",
        state=member_state(member),
        circle=member.circle,
        organisation=current_user.organisation,
        terms_version=TERMS_VERSION,
    )


@bp.post("/<int:circle_id>/consent")
@roles_required(Role.ADMIN)
def give(circle_id: int):
    member = _own_membership_or_404(circle_id)
    try:
        give_consent(member, actor=current_user, now=utcnow())
    except MembershipError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "You have accepted the terms: %(circle)s sees the figures of %(name)s from now on.",
                circle=member.circle.name,
                name=member.organisation.name,
            ),
            "info",
        )
    return redirect(url_for(".consent", circle_id=circle_id))


@bp.post("/<int:circle_id>/consent/revoke")
@roles_required(Role.ADMIN)
def revoke(circle_id: int):
    member = _own_membership_or_404(circle_id)
    try:
        revoke_consent(member, actor=current_user, now=utcnow())
    except MembershipError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "You have revoked the consent: %(circle)s no longer sees the figures of "
                "%(name)s, from now on.",
                circle=member.circle.name,
                name=member.organisation.name,
            ),
            "info",
        )
    return redirect(url_for(".consent", circle_id=circle_id))
