"""Staff pages about contacts: the list, logging one and correcting one (the CSV import is in
import_views)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.contacts.corrections import correct_contact
from survey.contacts.forms import ContactForm
from survey.contacts.logbook import (
    NEWEST_FIRST,
    ContactError,
    channel_label,
    check_contact,
    contact_list,
    count_contacts,
    invitation_of,
    local_today,
    log_contact,
)
from survey.contacts.models import Contact
from survey.contacts.registry import format_registry_number
from survey.extensions import db
from survey.invitations.corrections import CannotCorrect, why_not_correctable
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.overview import why_not_invited
from survey.request_input import query_cursor, query_id, query_search
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("contacts", __name__)

PAGE_SIZE = 50

bp.add_app_template_filter(format_registry_number, "registry_number")
bp.add_app_template_filter(channel_label, "channel_label")


def _me() -> User:
    return current_user._get_current_object()


def _staff(active_only: bool = True) -> list[User] | None:
    """Who may be named account manager; None for an account manager, who is always it."""
    if not current_user.role.sees_whole_organisation:
        return None
    statement = scoped(select(User), User).order_by(User.name)
    if active_only:
        statement = statement.where(User.active)
    return list(db.session.scalars(statement))


def _chosen(staff: list[User] | None, user_id: int | None) -> User | None:
    if staff is None:
        return _me()
    return next((user for user in staff if user.id == user_id), None)


def _reasons(now: datetime):
    zone = ZoneInfo(current_user.organisation.timezone)
    return lambda invitation: why_not_invited(invitation, now, zone)


@bp.get("/contacts")
@roles_required()
def index():
    scope = scoped(select(Contact), Contact)
    search = query_search()
    staff = _staff(active_only=False)
    manager = query_id("manager") if staff is not None else None
    page = contact_list(
        scope,
        account_manager_id=manager,
        search=search,
        cursor=query_cursor(NEWEST_FIRST.kinds),
        per_page=PAGE_SIZE,
    )
    return render_template(
        "contacts/index.html",
        page=page,
        search=search,
        manager=manager,
        staff=staff,
        total=count_contacts(scope, account_manager_id=manager, search=search),
        why_not_invited=_reasons(utcnow()),
    )


def _when(moment: datetime) -> str:
    """Like "Monday 7 December at 09:00": the viewer's language, the organisation's zone."""
    return _(
        "%(day)s at %(time)s",
        day=format_date(moment, "EEEE d MMMM"),
        time=format_time(moment, "HH:mm"),
    )


def _outcome(invitation: Invitation, now: datetime) -> str:
    if invitation.state is InvitationState.SUPPRESSED:
        return _(
            "The contact has been logged. No survey invitation will be sent: %(reason)s.",
            reason=_reasons(now)(invitation),
        )
    return _(
        "The contact has been logged. The survey invitation goes out on %(when)s.",
        when=_when(invitation.scheduled_at),
    )


def _corrected(invitation: Invitation, now: datetime) -> str:
    if invitation.state is InvitationState.SUPPRESSED:
        return _(
            "The contact has been corrected. No survey invitation will be sent: %(reason)s.",
            reason=_reasons(now)(invitation),
        )
    return _(
        "The contact has been corrected. The survey invitation goes to %(address)s on %(when)s.",
        address=invitation.recipient_email,
        when=_when(invitation.scheduled_at),
    )


def _show_problems(form: ContactForm, error: ContactError) -> None:
    """The domain's problems beside their fields, where the form found nothing wrong yet."""
    for name, message in error.problems.items():
        field = form._fields.get(name) or form.email
        if not field.errors:
            field.errors = [str(message)]


def _contact_values(form: ContactForm, staff: list[User] | None) -> dict:
    chosen = form.account_manager.data if staff is not None else None
    return {
        "account_manager": _chosen(staff, chosen),
        "company_name": form.company_name.data,
        "registry_number": form.registry_number.data,
        "person_name": form.person_name.data,
        "email": form.email.data,
        "locale": form.locale.data,
        "contacted_on": form.contacted_on.data,
        "channel": form.channel.data,
        "subject": form.subject.data,
    }


@bp.route("/contacts/new", methods=["GET", "POST"])
@roles_required()
def new():
    organisation, now, staff = current_user.organisation, utcnow(), _staff()
    form = ContactForm(
        staff=staff,
        contacted_on=local_today(organisation, now),
        locale=organisation.locale,
        account_manager=current_user.id,
    )
    if form.validate_on_submit():
        try:
            contact = log_contact(
                organisation, **_contact_values(form, staff), now=now, actor=_me()
            )
        except ContactError as error:
            _show_problems(form, error)
        else:
            db.session.commit()
            flash(_outcome(invitation_of(contact), now), "info")
            return redirect(url_for(".index"))
    elif form.is_submitted():
        # Say everything that is wrong at once, not what the form checks first and the rest later.
        try:
            check_contact(organisation, **_contact_values(form, staff), now=now, actor=_me())
        except ContactError as error:
            _show_problems(form, error)
    return render_template("contacts/new.html", form=form), 422 if form.errors else 200


def _form_of(contact: Contact, staff: list[User] | None) -> ContactForm:
    """The form filled in with the contact as it is (on a GET), or as posted."""
    return ContactForm(
        staff=staff,
        account_manager=contact.account_manager_id,
        company_name=contact.company_name,
        registry_number=format_registry_number(contact.registry_number),
        person_name=contact.person_name,
        email=contact.email,
        locale=contact.locale,
        contacted_on=contact.contacted_on,
        channel=contact.channel.value,
        subject=contact.subject,
    )


def _edit_page(contact: Contact, form: ContactForm | None, refusal: str | None = None):
    status = 409 if refusal else (422 if form is not None and form.errors else 200)
    invitation = invitation_of(contact)
    return render_template(
        "contacts/edit.html", contact=contact, invitation=invitation, form=form, refusal=refusal
    ), status


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@roles_required()
def edit(contact_id: int):
    contact = get_scoped_or_404(Contact, contact_id)
    if refusal := why_not_correctable(invitation_of(contact)):
        return _edit_page(contact, None, refusal)
    organisation, now, staff = current_user.organisation, utcnow(), _staff()
    form = _form_of(contact, staff)
    if not form.validate_on_submit():
        if form.is_submitted():  # every problem at once, as on the new-contact form
            try:
                check_contact(organisation, **_contact_values(form, staff), now=now, actor=_me())
            except ContactError as error:
                _show_problems(form, error)
        return _edit_page(contact, form)
    try:
        changes = correct_contact(
            contact, organisation, **_contact_values(form, staff), now=now, actor=_me()
        )
    except ContactError as error:
        db.session.rollback()
        _show_problems(form, error)
        return _edit_page(contact, form)
    except CannotCorrect as refusal:
        db.session.rollback()
        return _edit_page(contact, None, str(refusal))
    if not changes:
        flash(_("Nothing was changed."), "info")
        return redirect(url_for(".index"))
    record(
        Action.CONTACT_CHANGED,
        now,
        actor=current_user,
        subject=contact,
        remote_addr=request.remote_addr,
        changes=changes,
    )
    db.session.commit()
    flash(_corrected(invitation_of(contact), now), "info")
    return redirect(url_for(".index"))


# The CSV import lives in its own module on the same blueprint.
from survey.contacts import import_views  # noqa: E402, F401
