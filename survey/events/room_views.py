"""Staff pages of an event's room link: making it, showing it on the projector (a large QR code
and the short address), and closing it early."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from survey.accounts.models import Role
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.events.models import Event
from survey.events.rooms import (
    NoQuestionnaireVersion,
    close_room_link,
    qr_svg,
    room_link_for,
    room_link_of,
)
from survey.events.routes import bp
from survey.extensions import db
from survey.responding.links import room_url
from survey.responding.room_links import room_answer_count
from survey.security import get_scoped_or_404, roles_required

RUNS_EVENTS = (Role.ADMIN, Role.COORDINATOR)


def _room_page(event_id: int, template: str):
    event = get_scoped_or_404(Event, event_id)
    link = room_link_of(event)
    shown = {}
    if link is not None:
        url = room_url(link)
        shown = {
            "url": url,
            "qr": qr_svg(url, _("QR code of the address %(url)s", url=url)),
            "answers": room_answer_count(link),
            "state": link.state_at(utcnow()).value,
        }
    return render_template(template, event=event, link=link, back_url=_event_url(event), **shown)


def _event_url(event: Event) -> str | None:
    """The event's own page, where one exists (it is built beside this module)."""
    try:
        return url_for(".detail", event_id=event.id)
    except BuildError:
        return None


@bp.get("/<int:event_id>/room")
@roles_required(*RUNS_EVENTS)
def room_link(event_id: int):
    return _room_page(event_id, "events/room.html")


@bp.get("/<int:event_id>/room/present")
@roles_required(*RUNS_EVENTS)
def room_present(event_id: int):
    """The projector view: the QR code and the address filling the screen, no navigation."""
    return _room_page(event_id, "events/room_present.html")


@bp.post("/<int:event_id>/room")
@roles_required(*RUNS_EVENTS)
def room_link_create(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    now = utcnow()
    if room_link_of(event) is None:
        try:
            link = room_link_for(event, now)
        except NoQuestionnaireVersion:
            flash(_("The event's questionnaire has no version to answer yet."), "error")
            return redirect(url_for(".room_link", event_id=event.id))
        record(
            Action.ROOM_LINK_CREATED,
            now,
            actor=current_user,
            subject=link,
            remote_addr=request.remote_addr,
            event_id=event.id,
        )
        db.session.commit()
        flash(_("The room link is ready."), "info")
    return redirect(url_for(".room_link", event_id=event.id), 303)


@bp.post("/<int:event_id>/room/close")
@roles_required(*RUNS_EVENTS)
def room_link_close(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    link = room_link_of(event)
    now = utcnow()
    if link is not None and close_room_link(link, now):
        record(
            Action.ROOM_LINK_CLOSED,
            now,
            actor=current_user,
            subject=link,
            remote_addr=request.remote_addr,
            event_id=event.id,
        )
        db.session.commit()
        flash(_("The room link is closed: it takes no more answers."), "info")
    return redirect(url_for(".room_link", event_id=event.id), 303)
