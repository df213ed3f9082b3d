"""The forms that carry a list from step to step (columns, preview, confirmation, rejected rows).

The list travels in a hidden field of each form, never in the session: every step reads and
checks it again, so confirming needs no state on the server.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename
from wtforms import FieldList, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from survey.imports.columns import MAX_COLUMNS, ColumnSet, shown
from survey.imports.files import MAX_BYTES
from survey.imports.preview import ColumnsUnclear
from survey.request_input import SingleLine, without_nul

ONE_LINE = {"filters": [without_nul]}  # with SingleLine() among the validators
LOST_UPLOAD = _l("The uploaded file was lost on the way; please upload it again.")
IGNORE = _l("Nothing to import (ignore)")
_LONGEST_VALUE = 40  # a value's name, such as "organisation_name", is far shorter
_LONGEST_CHOICES = MAX_COLUMNS * (_LONGEST_VALUE + 1)


class ListForm(FlaskForm):
    """A list to import: pasted into the text box (copied from a spreadsheet, or typed one per
    line), or a CSV file; one of the two."""

    pasted = TextAreaField(_l("Paste the list"), render_kw={"rows": 8, "spellcheck": "false"})
    file = FileField(_l("Or choose a CSV file"), render_kw={"accept": ".csv,.txt,text/csv"})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.has_text() == bool(self.file.data):
            self.pasted.errors.append(
                _l("Paste a list or choose a file, not both.")
                if self.has_text()
                else _l("Paste a list or choose a file.")
            )
            return False
        return True

    def has_text(self) -> bool:
        return bool((self.pasted.data or "").strip())

    def list_data(self) -> tuple[bytes, str]:
        """The list's bytes (read up to just past the limit, which the reading refuses) and the
        file's name ("" for a pasted list)."""
        if self.has_text():
            return self.pasted.data.encode("utf-8"), ""
        name = secure_filename(self.file.data.filename or "")[:255]
        return self.file.data.read(MAX_BYTES + 1), name

    def refuse(self, message: str) -> None:
        """Show why the list cannot be read, at the field it came from."""
        (self.pasted if self.has_text() else self.file).errors.append(message)


class PackedFileField(HiddenField):
    """An uploaded file carried along in a hidden field, compressed and base64-encoded.

    Confirming an import thus needs no state on the server: the file comes back with the
    confirmation and is read and checked again. `data` is the file's bytes.
    """

    def _value(self) -> str:
        return base64.b64encode(zlib.compress(self.data, 9)).decode("ascii") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            packed = base64.b64decode(valuelist[0].encode("ascii"), validate=True)
            unpacker = zlib.decompressobj()
            # Limited, so that a small forged payload cannot unpack into gigabytes.
            data = unpacker.decompress(packed, MAX_BYTES + 1)
        except (binascii.Error, zlib.error, UnicodeEncodeError):
            raise ValueError(LOST_UPLOAD) from None
        if not data or len(data) > MAX_BYTES or unpacker.unconsumed_tail:
            raise ValueError(LOST_UPLOAD)
        self.data = data

    def pre_validate(self, form) -> None:
        if not self.data and not self.process_errors:
            raise ValidationError(LOST_UPLOAD)


class CarriedListForm(FlaskForm):
    """The list, its file name, and the columns the person chose when they chose them."""

    payload = PackedFileField()
    filename = HiddenField(validators=[Length(max=255), SingleLine()], **ONE_LINE)
    # Per column of the list the value it holds, or nothing: "company_name,,email,...".
    choices = HiddenField(validators=[Length(max=_LONGEST_CHOICES), SingleLine()], **ONE_LINE)

    def chosen(self) -> list[str] | None:
        """The columns as chosen, checked against the list by `chosen_columns`; None if none."""
        return self.choices.data.split(",") if self.choices.data else None


class ColumnsForm(CarriedListForm):
    """One select per column of the list, labelled by the column's header."""

    # "choose" when the selects are sent; empty when the preview asks to change the columns.
    step = HiddenField()
    # The values are checked, with the list at hand, by `chosen_columns`.
    columns = FieldList(SelectField(validate_choice=False), max_entries=MAX_COLUMNS)

    def offer(self, column_set: ColumnSet, header: list[str], choices: list[str]) -> None:
        """One select per column of the list, showing `choices` (one per column)."""
        while self.columns.entries:
            self.columns.pop_entry()
        options = [SelectChoice("", str(IGNORE))] + [
            SelectChoice(value, str(label)) for value, label in column_set.labels.items()
        ]
        for number, (name, choice) in enumerate(zip(header, choices, strict=True), start=1):
            entry = self.columns.append_entry(choice if choice in column_set.labels else "")
            entry.choices = options
            if name.strip():
                entry.label.text = _l(
                    "Column %(number)s: %(name)s", number=number, name=shown(name)
                )
            else:
                entry.label.text = _l("Column %(number)s", number=number)
        self.step.data = "choose"

    def chosen_in_selects(self) -> list[str]:
        return [entry.data or "" for entry in self.columns.entries]

    def show(self, unclear: ColumnsUnclear, choices: list[str]) -> list[tuple[str, str]]:
        """Offer the list's columns for choosing; the problems of the choice made, each with
        the id of the select to go to. A value chosen for several columns marks each."""
        header = unclear.reading.header
        fits = len(choices) == len(header)
        self.offer(
            unclear.reading.column_set, header, choices if fits else unclear.reading.choices()
        )
        problems = []
        for value, message in unclear.problems.items():
            chosen = [i for i, choice in enumerate(choices) if fits and choice == value]
            target = self.columns.entries[chosen[0] if len(chosen) > 1 else 0]
            if len(chosen) > 1:
                for index in chosen:
                    self.columns.entries[index].errors = [message]
            problems.append((message, target.id))
        return problems
