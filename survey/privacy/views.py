"""The administrator's pages for a person's request: look them up, download what is held about
them, erase it. Only the administrator's own organisation is searched."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from survey.privacy.access import access_export, export_file_name, record_access
from survey.privacy.erasure import erase_person
from survey.privacy.forms import ErasureForm, ExportForm, LookupForm
from survey.privacy.subjects import NotAPerson, PersonData, find_person, read_query
from survey.security import roles_required

bp = Blueprint("privacy_requests", __name__, url_prefix="/privacy-requests")


def _found(text: str | None) -> PersonData:
    return find_person(current_user.organisation_id, read_query(text))


def _lookup_page(form: LookupForm, status: int = 200):
    return render_template("privacy_requests/lookup.html", form=form), status


def _person_page(data: PersonData, erasure: ErasureForm | None = None, status: int = 200):
    erasure = erasure or ErasureForm(formdata=None, person=data.query.shown)
    export = ExportForm(formdata=None, person=data.query.shown)
    page = render_template(
        "privacy_requests/person.html", data=data, export=export, erasure=erasure
    )
    return page, status


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    return _lookup_page(LookupForm(formdata=None))


@bp.post("/")
@roles_required(Role.ADMIN)
def lookup():
    form = LookupForm()
    if not form.validate_on_submit():
        return _lookup_page(form, 422)
    try:
        data = _found(form.person.data)
    except NotAPerson as problem:
        form.person.errors.append(str(problem))
        return _lookup_page(form, 422)
    return _person_page(data)


@bp.post("/export")
@roles_required(Role.ADMIN)
def export():
    form = ExportForm()
    try:
        if not form.validate_on_submit():
            raise NotAPerson(next(iter(form.errors.values()))[0])
        data = _found(form.person.data)
    except NotAPerson as problem:
        return _refused(str(problem))
    now = utcnow()
    organisation = current_user.organisation
    content = access_export(data, organisation, now, str(get_locale()))
    record_access(data, organisation, current_user, now, remote_addr=request.remote_addr)
    db.session.commit()
    name = export_file_name(data, now)
    return Response(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/erase")
@roles_required(Role.ADMIN)
def erase():
    form = ErasureForm()
    try:
        data = _found(form.person.data)
    except NotAPerson as problem:
        return _refused(str(problem))
    choice = form.response_choice()
    if not form.validate_on_submit() or choice is None:
        if choice is None and not form.responses.errors:
            form.responses.errors.append(_("Choose what becomes of the responses."))
        return _person_page(data, form, 422)
    counts = erase_person(
        data, choice, actor=current_user, now=utcnow(), remote_addr=request.remote_addr
    )
    db.session.commit()
    flash(
        _(
            "The personal data have been erased: %(contacts)s contacts, %(participations)s "
            "event participations, %(invitations)s invitations, %(emails)s emails and "
            "%(responses)s responses. The address is remembered only as a code, so that it is "
            "not emailed again.",
            **counts,
        ),
        "info",
    )
    return redirect(url_for(".index"))


def _refused(message: str):
    """A request without a readable person (a changed hidden field): say so, change nothing."""
    form = LookupForm(formdata=None)
    form.person.errors = [message]  # a form not validated holds its errors as a tuple
    return _lookup_page(form, 422)
