"""Staff pages for events: the list, creating and editing an event, its participants and their
evaluations (the participant import, the room link and the results live in their own modules on
the same blueprint)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.events import evaluations
from survey.events.forms import (
    EventForm,
    ParticipantForm,
    RescheduleForm,
    new_event_values,
    values_of,
)
from survey.events.models import Event, Participant
from survey.events.participants import (
    ParticipantError,
    add_participant,
    check_participant,
    is_removable,
    remove_participant,
)
from survey.events.planning import (
    LOCKED_AFTER_SENDING,
    EventLocked,
    change_event,
    create_event,
    details_of,
    series_titles,
    workshop_questionnaires,
)
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.request_input import query_cursor
from survey.security import get_scoped_or_404, roles_required, scoped
from survey.templating import when

bp = Blueprint("events", __name__, url_prefix="/events")

COORDINATING = (Role.ADMIN, Role.COORDINATOR)
PAGE_SIZE = 50
PARTICIPANTS_PAGE_SIZE = 200


def _me() -> User:
    return current_user._get_current_object()


def _audit(action: Action, now: datetime, event: Event, **detail) -> None:
    record(action, now, actor=_me(), subject=event, remote_addr=request.remote_addr, **detail)


def _back(event: Event):
    return redirect(url_for(".detail", event_id=event.id))


def _staff(event: Event | None = None) -> list[User]:
    """Who may organise: the organisation's active staff, and whoever organises this event."""
    current = {organiser.user_id for organiser in event.organisers} if event else set()
    statement = scoped(select(User), User).where(User.active | User.id.in_(current))
    return list(db.session.scalars(statement.order_by(User.stored_name, User.id)))


def _event_form(event: Event | None = None, **values) -> EventForm:
    organisation = current_user.organisation
    return EventForm(
        staff=_staff(event),
        questionnaires=workshop_questionnaires(organisation),
        series_titles=series_titles(organisation),
        **values,
    )


@bp.get("")
@roles_required(*COORDINATING)
def index():
    now = utcnow()
    cursor = query_cursor(evaluations.event_order(now).kinds)
    page = evaluations.event_list(scoped(select(Event), Event), now, cursor, PAGE_SIZE)
    return render_template(
        "events/index.html",
        events=evaluations.summaries(page.items, now),
        page=page,
        now=now,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def new():
    organisation, now = current_user.organisation, utcnow()
    questionnaires = workshop_questionnaires(organisation)
    form = _event_form(data=new_event_values(organisation, _me(), questionnaires))
    if form.validate_on_submit():
        event = create_event(organisation, form.details(organisation.timezone), now, _me())
        _audit(Action.EVENT_CREATED, now, event, title=event.title)
        db.session.commit()
        flash(_("The event has been created. Add its participants below."), "info")
        return redirect(url_for(".detail", event_id=event.id))
    return render_template(
        "events/new.html", form=form, default_rule=True
    ), 422 if form.errors else 200


def _edit_page(event: Event, form: EventForm, locked: bool, refusal: str | None = None):
    status = 409 if refusal else (422 if form.errors else 200)
    return render_template(
        "events/edit.html", event=event, form=form, locked=locked, refusal=refusal
    ), status


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def edit(event_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    locked = evaluations.evaluations_are_sent(event, now)
    values = values_of(event)
    form = _event_form(event, data=values)
    if request.method == "GET":
        return _edit_page(event, form, locked)
    if locked:  # the page sends the title and the description; anything else is refused
        form.keep_unposted(request.form, values)
        if form.changed_besides_text(values):
            return _edit_page(event, form, locked, str(LOCKED_AFTER_SENDING))
    if not (form.validate_text() if locked else form.validate()):
        return _edit_page(event, form, locked)
    if locked:
        details = replace(
            details_of(event),
            title=form.title.data.strip(),
            description=(form.description.data or "").strip(),
        )
    else:
        details = form.details(event.organisation.timezone)
    try:
        changes = change_event(event, details, now, evaluations_sent=locked)
    except EventLocked as refusal:
        db.session.rollback()
        return _edit_page(event, form, locked, str(refusal))
    if not changes:
        flash(_("Nothing was changed."), "info")
        return _back(event)
    replanned = evaluations.replan_evaluations(event, now)
    _audit(Action.EVENT_CHANGED, now, event, changes=changes, replanned=replanned)
    db.session.commit()
    flash(_changed_message(event, replanned), "info")
    return _back(event)


def _changed_message(event: Event, replanned: int) -> str:
    if not replanned:
        return _("The event has been changed.")
    return ngettext(
        "The event has been changed. %(num)d planned evaluation goes out on %(when)s.",
        "The event has been changed. %(num)d planned evaluations go out on %(when)s.",
        replanned,
        when=when(event.send_at, "long"),
    )


def _links(event: Event) -> dict[str, str]:
    """The event's other pages, as far as they exist in this application."""
    pages = {
        "import": "events.import_upload",
        "room_link": "events.room_link",
        "results": "events.results",
    }
    return {
        name: url_for(endpoint, event_id=event.id)
        for name, endpoint in pages.items()
        if endpoint in current_app.view_functions
    }


def _detail_page(
    event: Event,
    participant_form: ParticipantForm | None = None,
    reschedule_form: RescheduleForm | None = None,
    refusal: str | None = None,
):
    now = utcnow()
    cursor = query_cursor(evaluations.PARTICIPANT_ORDER.kinds)
    page = evaluations.participant_rows(event, now, cursor, PARTICIPANTS_PAGE_SIZE)
    participant_form = participant_form or ParticipantForm()
    reschedule_form = reschedule_form or RescheduleForm()
    status = 409 if refusal else 200
    if participant_form.errors or reschedule_form.errors:
        status = 422
    sent = evaluations.evaluations_are_sent(event, now)
    return render_template(
        "events/detail.html",
        event=event,
        rows=page.items,
        page=page,
        total=evaluations.count_participants(event),
        participant_form=participant_form,
        reschedule_form=reschedule_form,
        refusal=refusal,
        sent=sent,
        planned=evaluations.count_planned(event),
        removable=is_removable,
        manual_reminders=evaluations.manual_reminders_queued(event),
        links=_links(event),
        now=now,
    ), status


@bp.get("/<int:event_id>")
@roles_required(*COORDINATING)
def detail(event_id: int):
    return _detail_page(get_scoped_or_404(Event, event_id))


def _participant_added(participant: Participant) -> str:
    invitation = participant.invitation
    if invitation.state is InvitationState.SUPPRESSED:
        status = evaluations.evaluation_status(invitation, utcnow(), _zone())
        return _(
            "%(email)s has been added. No evaluation will be sent: %(reason)s.",
            email=participant.email,
            reason=status.reason,
        )
    return _(
        "%(email)s has been added. The evaluation goes out on %(when)s.",
        email=participant.email,
        when=when(invitation.scheduled_at, "long"),
    )


def _zone() -> ZoneInfo:
    return ZoneInfo(current_user.organisation.timezone)


def _show_problems(form: ParticipantForm, error: ParticipantError) -> None:
    for name, message in error.problems.items():
        field = form._fields.get(name) or form.email
        if not field.errors:
            field.errors = [str(message)]


@bp.post("/<int:event_id>/participants")
@roles_required(*COORDINATING)
def add(event_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    form = ParticipantForm()
    valid = form.validate()
    try:
        details = check_participant(
            form.name.data, form.email.data, form.organisation_name.data, form.locale.data
        )
        if not valid:
            return _detail_page(event, participant_form=form)
        participant = add_participant(event, details, now, _me())
    except ParticipantError as error:
        db.session.rollback()
        _show_problems(form, error)
        return _detail_page(event, participant_form=form)
    _audit(Action.PARTICIPANT_ADDED, now, event, email=participant.email)
    db.session.commit()
    flash(_participant_added(participant), "info")
    return _back(event)


@bp.post("/<int:event_id>/participants/<int:participant_id>/remove")
@roles_required(*COORDINATING)
def remove(event_id: int, participant_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        return _detail_page(event, refusal=_("This participant is not on the list (any more)."))
    email = participant.email
    try:
        remove_participant(participant, now)
    except ParticipantError as refusal:
        db.session.rollback()
        return _detail_page(event, refusal=str(refusal))
    _audit(Action.PARTICIPANT_REMOVED, now, event, email=email)
    db.session.commit()
    flash(_("%(email)s has been removed and gets no evaluation.", email=email), "info")
    return _back(event)


@bp.post("/<int:event_id>/send-now")
@roles_required(*COORDINATING)
def send_now(event_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    try:
        number = evaluations.send_now(event, now)
    except evaluations.CannotSend as refusal:
        db.session.rollback()
        return _detail_page(event, refusal=str(refusal))
    _audit(Action.EVALUATIONS_SENT_NOW, now, event, evaluations=number)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d evaluation goes out within a few minutes.",
            "%(num)d evaluations go out within a few minutes.",
            number,
        ),
        "info",
    )
    return _back(event)


@bp.post("/<int:event_id>/reschedule")
@roles_required(*COORDINATING)
def reschedule(event_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    form = RescheduleForm()
    if not form.validate():
        return _detail_page(event, reschedule_form=form)
    moment = form.moment(event.organisation.timezone)
    try:
        number = evaluations.reschedule(event, moment, now)
    except evaluations.CannotSend as refusal:
        db.session.rollback()
        form.send_on.errors = [str(refusal)]
        return _detail_page(event, reschedule_form=form)
    _audit(
        Action.EVALUATIONS_RESCHEDULED, now, event, send_at=moment.isoformat(), evaluations=number
    )
    db.session.commit()
    flash(_("The evaluations go out on %(when)s.", when=when(moment, "long")), "info")
    return _back(event)


@bp.post("/<int:event_id>/remind")
@roles_required(*COORDINATING)
def remind(event_id: int):
    event, now = get_scoped_or_404(Event, event_id), utcnow()
    try:
        number = evaluations.send_manual_reminder(event, now)
    except evaluations.CannotSend as refusal:
        db.session.rollback()
        return _detail_page(event, refusal=str(refusal))
    _audit(Action.MANUAL_REMINDER_SENT, now, event, reminders=number)
    db.session.commit()
    flash(
        ngettext(
            "A reminder goes to %(num)d participant who has not answered.",
            "A reminder goes to %(num)d participants who have not answered.",
            number,
        ),
        "info",
    )
    return _back(event)


# The other event pages live in their own modules on the same blueprint.
from survey.events import import_views, results, room_views  # noqa: E402, F401
