"""Staff pages for the CSV import of contacts: upload, columns, preview, confirm, rejected rows.

The file travels between the steps in a hidden field of each form (survey/imports/forms.py),
never in the session: every step reads and checks it again.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.utils import secure_filename

from survey.clock import utcnow
from survey.contacts.columns import CONTACT_COLUMNS
from survey.contacts.forms import ImportForm
from survey.contacts.import_forms import ColumnsConfirmForm, ImportColumnsForm
from survey.contacts.imports import import_rows, preview_import
from survey.contacts.routes import _chosen, _me, _staff, bp
from survey.extensions import db
from survey.imports.columns import remember_mapping
from survey.imports.files import MAX_BYTES, MAX_ROWS, ImportFileError
from survey.imports.forms import LOST_UPLOAD
from survey.imports.preview import ColumnsUnclear, ImportPreview, first_values, rejected_csv
from survey.security import roles_required


def _upload_page(form: ImportForm, status: int = 200):
    return render_template(
        "contacts/import.html",
        form=form,
        columns=CONTACT_COLUMNS.explained(),
        max_megabytes=MAX_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS,
    ), status


def _columns_page(form: ImportColumnsForm, unclear: ColumnsUnclear, choices: list[str]):
    """The columns of the file with their first values, a select for each: what does it hold?"""
    problems = form.show(unclear, choices)
    return render_template(
        "contacts/import_columns.html",
        form=form,
        unclear=unclear,
        problems=problems,
        rows=zip(form.columns.entries, unclear.first_values, strict=True),
    ), 422 if problems else 200


def _preview_page(preview: ImportPreview, form: ColumnsConfirmForm):
    return render_template("contacts/import_preview.html", preview=preview, form=form)


@bp.route("/contacts/import", methods=["GET", "POST"])
@roles_required()
def import_upload():
    staff = _staff()
    form = ImportForm(staff=staff, account_manager=current_user.id)
    if not form.validate_on_submit():
        return _upload_page(form, 422 if form.errors else 200)
    data = form.file.data.read(MAX_BYTES + 1)
    default = _chosen(staff, form.account_manager.data if staff is not None else None)
    carried = {
        "formdata": None,
        "payload": data,
        "filename": secure_filename(form.file.data.filename or "")[:255],
        "account_manager": default.id if default else None,
    }
    try:
        preview = preview_import(data, current_user.organisation, _me(), default, utcnow())
    except ImportFileError as error:
        form.file.errors.append(str(error))
        return _upload_page(form, 422)
    except ColumnsUnclear as unclear:
        return _columns_page(ImportColumnsForm(**carried), unclear, unclear.reading.choices())
    return _preview_page(preview, ColumnsConfirmForm(**carried))


def _preview_again(form: ColumnsConfirmForm, choices: list[str] | None):
    """The carried file, read and checked again: the database may have changed meanwhile."""
    staff = _staff()
    default = _chosen(staff, form.account_manager.data if staff is not None else None)
    return preview_import(
        form.payload.data, current_user.organisation, _me(), default, utcnow(), choices
    )


def _lost_upload(form: ColumnsConfirmForm, error: ImportFileError | None = None):
    messages = [str(error)] if error else [str(m) for m in form.payload.errors]
    flash(" ".join(messages) or str(LOST_UPLOAD), "error")
    return redirect(url_for(".import_upload"))


@bp.post("/contacts/import/columns")
@roles_required()
def import_columns():
    """The person's choice of columns, checked and previewed; or, from the preview, the
    columns as they are read now, to change."""
    form = ImportColumnsForm()
    if not form.validate_on_submit():
        return _lost_upload(form)
    choosing = form.step.data == "choose"
    choices = form.chosen_in_selects() if choosing else form.chosen()
    try:
        preview = _preview_again(form, choices)
    except ImportFileError as error:
        return _lost_upload(form, error)
    except ColumnsUnclear as unclear:
        return _columns_page(form, unclear, choices or unclear.reading.choices())
    if not choosing:
        cells = [(row.line, row.cells) for row in preview.rows]
        unclear = ColumnsUnclear(preview.reading, first_values(preview.header, cells))
        return _columns_page(form, unclear, preview.reading.choices())
    return _preview_page(preview, _carried(form, choices))


def _carried(form: ColumnsConfirmForm, choices: list[str] | None = None) -> ColumnsConfirmForm:
    """What the next step needs: the file, its name, the default account manager, the columns."""
    return ColumnsConfirmForm(
        formdata=None,
        payload=form.payload.data,
        filename=form.filename.data,
        account_manager=form.account_manager.data,
        choices=",".join(choices) if choices else "",
    )


def _confirmed_preview(form: ColumnsConfirmForm):
    """The confirmed file read again, or (None, the page to show instead) when it cannot be."""
    if not form.validate_on_submit():
        return None, _lost_upload(form)
    try:
        return _preview_again(form, form.chosen()), None
    except ImportFileError as error:
        return None, _lost_upload(form, error)
    except ColumnsUnclear as unclear:
        columns = ImportColumnsForm(
            formdata=None,
            payload=form.payload.data,
            filename=form.filename.data,
            account_manager=form.account_manager.data,
        )
        return None, _columns_page(columns, unclear, unclear.reading.choices())


@bp.post("/contacts/import/confirm")
@roles_required()
def import_confirm():
    form = ColumnsConfirmForm()
    preview, instead = _confirmed_preview(form)
    if instead is not None:
        return instead
    now, organisation = utcnow(), current_user.organisation
    result = import_rows(preview, organisation, now, _me())
    if form.chosen() is not None:
        remember_mapping(organisation, preview.reading, now, _me())
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
    form = ColumnsConfirmForm()
    preview, instead = _confirmed_preview(form)
    if instead is not None:
        return instead
    stem = PurePath(form.filename.data or "").stem or _("contacts")
    response = send_file(
        io.BytesIO(rejected_csv(preview, _("problems"))),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"{stem}-{_('problems')}.csv",
    )
    response.headers["Cache-Control"] = "no-store"  # names and addresses of entrepreneurs
    return response
