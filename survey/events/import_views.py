"""Staff pages for importing an event's participants from a pasted or uploaded list: the list,
the columns when they are unclear, the preview, the confirmation, the rows with problems.

The steps are the contact import's (survey/imports); the list travels between them in a hidden
field of each form, never in the session, and every step reads and checks it again.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.models import Role, User
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.events.models import Event
from survey.events.participant_import import (
    PARTICIPANT_COLUMNS,
    import_participants,
    preview_participants,
)
from survey.events.routes import bp
from survey.extensions import db
from survey.imports.columns import remember_mapping
from survey.imports.files import MAX_BYTES, MAX_ROWS, ImportFileError
from survey.imports.forms import LOST_UPLOAD, CarriedListForm, ColumnsForm, ListForm
from survey.imports.preview import ColumnsUnclear, ImportPreview, first_values, rejected_csv
from survey.security import get_scoped_or_404, roles_required

COORDINATING = (Role.ADMIN, Role.COORDINATOR)


def _me() -> User:
    return current_user._get_current_object()


def _upload_page(event: Event, form: ListForm, status: int = 200):
    return render_template(
        "events/import.html",
        event=event,
        form=form,
        columns=PARTICIPANT_COLUMNS.explained(),
        max_megabytes=MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    ), status


def _columns_page(event: Event, form: ColumnsForm, unclear: ColumnsUnclear, choices: list[str]):
    """The columns of the list with their first values, a select for each: what does it hold?"""
    problems = form.show(unclear, choices)
    return render_template(
        "events/import_columns.html",
        event=event,
        form=form,
        unclear=unclear,
        problems=problems,
        rows=zip(form.columns.entries, unclear.first_values, strict=True),
    ), 422 if problems else 200


def _preview_page(event: Event, preview: ImportPreview, form: CarriedListForm):
    return render_template("events/import_preview.html", event=event, preview=preview, form=form)


@bp.route("/<int:event_id>/participants/import", methods=["GET", "POST"])
@roles_required(*COORDINATING)
def import_upload(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    form = ListForm()
    if not form.validate_on_submit():
        return _upload_page(event, form, 422 if form.errors else 200)
    data, filename = form.list_data()
    carried = {"formdata": None, "payload": data, "filename": filename}
    try:
        preview = preview_participants(data, event)
    except ImportFileError as error:
        form.refuse(str(error))
        return _upload_page(event, form, 422)
    except ColumnsUnclear as unclear:
        return _columns_page(event, ColumnsForm(**carried), unclear, unclear.reading.choices())
    return _preview_page(event, preview, CarriedListForm(**carried))


def _lost_upload(event: Event, form: CarriedListForm, error: ImportFileError | None = None):
    messages = [str(error)] if error else [str(m) for m in form.payload.errors]
    flash(" ".join(messages) or str(LOST_UPLOAD), "error")
    return redirect(url_for(".import_upload", event_id=event.id))


def _carried(form: CarriedListForm, choices: list[str] | None = None) -> CarriedListForm:
    """What the next step needs: the list, its file name, the columns chosen."""
    return CarriedListForm(
        formdata=None,
        payload=form.payload.data,
        filename=form.filename.data,
        choices=",".join(choices) if choices else "",
    )


@bp.post("/<int:event_id>/participants/import/columns")
@roles_required(*COORDINATING)
def import_columns(event_id: int):
    """The person's choice of columns, checked and previewed; or, from the preview, the
    columns as they are read now, to change."""
    event = get_scoped_or_404(Event, event_id)
    form = ColumnsForm()
    if not form.validate_on_submit():
        return _lost_upload(event, form)
    choosing = form.step.data == "choose"
    choices = form.chosen_in_selects() if choosing else form.chosen()
    try:
        preview = preview_participants(form.payload.data, event, choices)
    except ImportFileError as error:
        return _lost_upload(event, form, error)
    except ColumnsUnclear as unclear:
        return _columns_page(event, form, unclear, choices or unclear.reading.choices())
    if not choosing:
        cells = [(row.line, row.cells) for row in preview.rows]
        unclear = ColumnsUnclear(preview.reading, first_values(preview.header, cells))
        return _columns_page(event, form, unclear, preview.reading.choices())
    return _preview_page(event, preview, _carried(form, choices))


def _confirmed_preview(event: Event, form: CarriedListForm):
    """The confirmed list read again, or (None, the page to show instead) when it cannot be."""
    if not form.validate_on_submit():
        return None, _lost_upload(event, form)
    try:
        return preview_participants(form.payload.data, event, form.chosen()), None
    except ImportFileError as error:
        return None, _lost_upload(event, form, error)
    except ColumnsUnclear as unclear:
        columns = ColumnsForm(formdata=None, payload=form.payload.data, filename=form.filename.data)
        return None, _columns_page(event, columns, unclear, unclear.reading.choices())


@bp.post("/<int:event_id>/participants/import/confirm")
@roles_required(*COORDINATING)
def import_confirm(event_id: int):
    event = get_scoped_or_404(Event, event_id)
    form = CarriedListForm()
    preview, instead = _confirmed_preview(event, form)
    if instead is not None:
        return instead
    now = utcnow()
    result = import_participants(preview, event, now, _me())
    if form.chosen() is not None:
        remember_mapping(event.organisation, preview.reading, now, _me())
    record(
        Action.PARTICIPANTS_IMPORTED,
        now,
        actor=_me(),
        subject=event,
        remote_addr=request.remote_addr,
        imported=result.imported,
        skipped=result.skipped,
        rejected=result.rejected,
    )
    db.session.commit()
    flash(
        _(
            "Import finished: %(imported)s participants added, %(skipped)s skipped (taking part "
            "already, or twice in the list), %(rejected)s not added because of problems.",
            imported=result.imported,
            skipped=result.skipped,
            rejected=result.rejected,
        ),
        "info",
    )
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/<int:event_id>/participants/import/rejected")
@roles_required(*COORDINATING)
def import_rejected(event_id: int):
    """The rows with problems as a CSV file, to correct in the spreadsheet and import again."""
    event = get_scoped_or_404(Event, event_id)
    form = CarriedListForm()
    preview, instead = _confirmed_preview(event, form)
    if instead is not None:
        return instead
    stem = PurePath(form.filename.data or "").stem or _("participants")
    response = send_file(
        io.BytesIO(rejected_csv(preview, _("problems"))),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"{stem}-{_('problems')}.csv",
    )
    response.headers["Cache-Control"] = "no-store"  # names and addresses of participants
    return response
