"""Staff pages for the CSV import of contacts: upload, preview, confirm, the rejected rows."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from survey.clock import utcnow
from survey.contacts.forms import LOST_UPLOAD, ImportConfirmForm, ImportForm
from survey.contacts.imports import (
    COLUMN_LABELS,
    COLUMN_NAMES,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    ImportFileError,
    import_rows,
    preview_import,
    rejected_csv,
)
from survey.contacts.routes import _chosen, _me, _staff, bp
from survey.extensions import db
from survey.security import roles_required


def _upload_page(form: ImportForm, status: int = 200):
    return render_template(
        "contacts/import.html",
        form=form,
        columns=[
            (COLUMN_LABELS[column], names, column in REQUIRED)
            for column, names in COLUMN_NAMES.items()
        ],
        max_megabytes=MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    ), status


@bp.route("/contacts/import", methods=["GET", "POST"])
@roles_required()
def import_upload():
    staff = _staff()
    form = ImportForm(staff=staff, account_manager=current_user.id)
    if not form.validate_on_submit():
        return _upload_page(form, 422 if form.errors else 200)
    data = form.file.data.read(MAX_BYTES + 1)
    default = _chosen(staff, form.account_manager.data if staff is not None else None)
    try:
        preview = preview_import(data, current_user.organisation, _me(), default, utcnow())
    except ImportFileError as error:
        form.file.errors.append(str(error))
        return _upload_page(form, 422)
    confirm = ImportConfirmForm(
        formdata=None,
        payload=data,
        filename=secure_filename(form.file.data.filename or "")[:255],
        account_manager=default.id if default else None,
    )
    return render_template("contacts/import_preview.html", preview=preview, form=confirm)


def _preview_again(form: ImportConfirmForm):
    """The confirmed file, read and checked again: the database may have changed meanwhile."""
    staff = _staff()
    default = _chosen(staff, form.account_manager.data if staff is not None else None)
    return preview_import(form.payload.data, current_user.organisation, _me(), default, utcnow())


def _lost_upload(form: ImportConfirmForm, error: ImportFileError | None = None):
    messages = [str(error)] if error else [str(m) for m in form.payload.errors]
    flash(" ".join(messages) or str(LOST_UPLOAD), "error")
    return redirect(url_for(".import_upload"))


def _confirmed_preview(form: ImportConfirmForm):
    """The confirmed file read again, or (None, the way back to the upload) when it is lost."""
    if not form.validate_on_submit():
        return None, _lost_upload(form)
    try:
        return _preview_again(form), None
    except ImportFileError as error:
        return None, _lost_upload(form, error)


@bp.post("/contacts/import/confirm")
@roles_required()
def import_confirm():
    form = ImportConfirmForm()
    preview, lost = _confirmed_preview(form)
    if lost is not None:
        return lost
    result = import_rows(preview, current_user.organisation, utcnow(), _me())
    db.session.commit()
    flash(
        _(
            "Import finished: %(imported)s imported, %(skipped)s skipped, "
            "%(rejected)s not imported because of problems.",
            imported=result.imported,
            skipped=result.skipped,
            rejected=result.rejected,
        ),
        "info",
    )
    if not result.rejected:
        return redirect(url_for(".index"))
    return render_template("contacts/import_done.html", result=result, preview=preview, form=form)


@bp.post("/contacts/import/rejected")
@roles_required()
def import_rejected():
    """The rows with problems as a CSV file, to correct in the spreadsheet and upload again."""
    form = ImportConfirmForm()
    preview, lost = _confirmed_preview(form)
    if lost is not None:
        return lost
    stem = PurePath(form.filename.data or "").stem or _("contacts")
    response = send_file(
        io.BytesIO(rejected_csv(preview, _("problems"))),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"{stem}-{_('problems')}.csv",
    )
    response.headers["Cache-Control"] = "no-store"  # names and addresses of entrepreneurs
    return response
