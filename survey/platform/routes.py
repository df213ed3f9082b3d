"""The operator's pages under /platform: organisations (size, first administrator) and circles
(members and their consent). Nothing here shows a municipality's responses, contacts,
invitations, remarks or staff."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.accounts.password_emails import link_lifetime
from survey.accounts.password_links import LinkKind
from survey.accounts.staff import StaffError
from survey.circles.membership import (
    MembershipError,
    add_member,
    circle_names_by_organisation,
    create_circle,
    current_members,
    membership_or_none,
    memberships_of,
    remove_member,
)
from survey.circles.models import Circle
from survey.circles.sizes import size_class_label
from survey.clock import utcnow
from survey.extensions import db
from survey.platform.forms import (
    AdministratorForm,
    CircleForm,
    MemberForm,
    OrganisationForm,
    SizeForm,
)
from survey.platform.organisations import (
    administrators,
    checked_size,
    create_municipality,
    invite_first_administrator,
    set_size,
)
from survey.security import operator_required

bp = Blueprint("platform", __name__, url_prefix="/platform")
# Every page that names a size class (here, and the circle pages) shows its label.
bp.add_app_template_filter(size_class_label, "size_class_label")


@bp.get("/")
@operator_required
def index():
    """The organisations, with their size class and circles."""
    organisations = db.session.scalars(
        select(Organisation).order_by(Organisation.is_platform.desc(), Organisation.name)
    )
    return render_template(
        "platform/organisations.html",
        organisations=list(organisations),
        circles=circle_names_by_organisation(),
    )


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _link_hours() -> int:
    return int(link_lifetime(LinkKind.SETUP).total_seconds() // 3600)


@bp.route("/organisations/new", methods=["GET", "POST"])
@operator_required
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = create_municipality(
                form.name.data,
                form.slug.data,
                locale=form.locale.data,
                timezone=form.timezone.data,
                size=checked_size(form.size_class.data, form.inhabitants.data, form.companies.data),
                actor=current_user,
                now=utcnow(),
            )
            admin = invite_first_administrator(
                organisation,
                name=form.admin_name.data,
                email=form.admin_email.data,
                locale=form.locale.data,
                actor=current_user,
                now=utcnow(),
            )
        except StaffError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_created_message(organisation, admin.email), "info")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template("platform/organisation_form.html", form=form), (
        422 if form.errors or form.form_errors else 200
    )


def _link_sent_message(user) -> str:
    # The words of the users page, where an administrator sends the same link.
    return ngettext(
        "An email with a link to choose a password is on its way to %(email)s. "
        "The link works for %(num)s hour.",
        "An email with a link to choose a password is on its way to %(email)s. "
        "The link works for %(num)s hours.",
        _link_hours(),
        email=user.email,
    )


def _created_message(organisation: Organisation, email: str) -> str:
    return ngettext(
        "%(name)s has been created. An email with a link to choose a password is on its way "
        "to its first administrator, %(email)s; the link works for %(num)s hour.",
        "%(name)s has been created. An email with a link to choose a password is on its way "
        "to its first administrator, %(email)s; the link works for %(num)s hours.",
        _link_hours(),
        name=organisation.name,
        email=email,
    )


@bp.get("/organisations/<int:organisation_id>")
@operator_required
def organisation(organisation_id: int):
    return _organisation_page(_organisation_or_404(organisation_id))


def _organisation_page(organisation: Organisation, size_form=None, admin_form=None):
    size_form = size_form or SizeForm(obj=organisation, prefix="size")
    admin_form = admin_form or AdministratorForm(prefix="admin")
    page = render_template(
        "platform/organisation.html",
        organisation=organisation,
        size_form=size_form,
        admin_form=admin_form,
        administrators=administrators(organisation),
        memberships=memberships_of(organisation.id),
        link_hours=_link_hours(),
    )
    return page, 422 if size_form.errors or admin_form.errors else 200


@bp.post("/organisations/<int:organisation_id>/size")
@operator_required
def update_size(organisation_id: int):
    organisation = _organisation_or_404(organisation_id)
    form = SizeForm(prefix="size")
    if form.validate_on_submit():
        try:
            size = checked_size(form.size_class.data, form.inhabitants.data, form.companies.data)
            changes = set_size(organisation, size, actor=current_user, now=utcnow())
        except StaffError as error:
            db.session.rollback()
            form.size_class.errors = [*form.size_class.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The size has been saved.") if changes else _("Nothing was changed."), "info")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, size_form=form)


@bp.post("/organisations/<int:organisation_id>/administrator")
@operator_required
def first_administrator(organisation_id: int):
    organisation = _organisation_or_404(organisation_id)
    form = AdministratorForm(prefix="admin")
    if form.validate_on_submit():
        try:
            admin = invite_first_administrator(
                organisation,
                name=form.admin_name.data,
                email=form.admin_email.data,
                actor=current_user,
                now=utcnow(),
            )
        except StaffError as error:
            db.session.rollback()
            form.admin_email.errors = [*form.admin_email.errors, str(error)]
        else:
            db.session.commit()
            flash(_link_sent_message(admin), "info")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, admin_form=form)


@bp.get("/circles")
@operator_required
def circles():
    found = db.session.scalars(select(Circle).order_by(Circle.name))
    return render_template(
        "platform/circles.html", circles=[(c, current_members(c)) for c in found]
    )


@bp.route("/circles/new", methods=["GET", "POST"])
@operator_required
def new_circle():
    form = CircleForm()
    if form.validate_on_submit():
        try:
            made = create_circle(
                form.name.data, form.description.data or "", actor=current_user, now=utcnow()
            )
        except MembershipError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Circle %(name)s has been created.", name=made.name), "info")
            return redirect(url_for(".circle", circle_id=made.id))
    return render_template("platform/circle_form.html", form=form), 422 if form.errors else 200


def _circle_or_404(circle_id: int) -> Circle:
    found = db.session.get(Circle, circle_id)
    if found is None:
        abort(404)
    return found


def _candidates(found: Circle) -> list[Organisation]:
    """Municipalities that could join: not the platform, not a member now."""
    members = {state.member.organisation_id for state in current_members(found)}
    everyone = db.session.scalars(
        select(Organisation).where(~Organisation.is_platform).order_by(Organisation.name)
    )
    return [o for o in everyone if o.id not in members]


def _member_form(found: Circle) -> MemberForm:
    form = MemberForm()
    form.organisation.choices = [(o.id, o.name) for o in _candidates(found)]
    return form


@bp.get("/circles/<int:circle_id>")
@operator_required
def circle(circle_id: int):
    return _circle_page(_circle_or_404(circle_id))


def _circle_page(found: Circle, form: MemberForm | None = None):
    form = form or _member_form(found)
    page = render_template(
        "platform/circle.html", circle=found, members=current_members(found), form=form
    )
    return page, 422 if form.errors else 200


@bp.post("/circles/<int:circle_id>/members")
@operator_required
def add_circle_member(circle_id: int):
    found = _circle_or_404(circle_id)
    form = _member_form(found)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        try:
            add_member(found, organisation, actor=current_user, now=utcnow())
        except MembershipError as error:
            db.session.rollback()
            form.organisation.errors = [*form.organisation.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is now a member of %(circle)s. Its figures are shared once its "
                    "administrator accepts the terms.",
                    name=organisation.name,
                    circle=found.name,
                ),
                "info",
            )
            return redirect(url_for(".circle", circle_id=found.id))
    return _circle_page(found, form)


@bp.post("/circles/<int:circle_id>/members/<int:organisation_id>/remove")
@operator_required
def remove_circle_member(circle_id: int, organisation_id: int):
    found = _circle_or_404(circle_id)
    member = membership_or_none(organisation_id, found.id)
    if member is None:
        abort(404)
    name = member.organisation.name
    remove_member(member, actor=current_user, now=utcnow())
    db.session.commit()
    flash(
        _(
            "%(name)s has left %(circle)s: its figures are no longer shared with the circle.",
            name=name,
            circle=found.name,
        ),
        "info",
    )
    return redirect(url_for(".circle", circle_id=found.id))
