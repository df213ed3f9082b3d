"""Forms of the import's column step: which column holds what, carried on to the confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, HiddenField, SelectChoice, SelectField
from wtforms.validators import Length

from survey.contacts.columns import COLUMN_LABELS, FIELDS, MAX_COLUMNS, shown
from survey.contacts.forms import ONE_LINE, ImportConfirmForm
from survey.request_input import SingleLine

IGNORE = _l("Nothing to import (ignore)")
_LONGEST_CHOICES = MAX_COLUMNS * (max(len(value) for value in FIELDS) + 1)


class ColumnsConfirmForm(ImportConfirmForm):
    """The confirmation, with the columns the person chose when they chose them."""

    # Per column of the file the value it holds, or nothing: "company_name,,email,...".
    choices = HiddenField(validators=[Length(max=_LONGEST_CHOICES), SingleLine()], **ONE_LINE)

    def chosen(self) -> list[str] | None:
        """The columns as chosen, checked against the file by `chosen_columns`; None if none."""
        return self.choices.data.split(",") if self.choices.data else None


class ImportColumnsForm(ColumnsConfirmForm):
    """One select per column of the file, labelled by the column's header."""

    # "choose" when the selects are sent; empty when the preview asks to change the columns.
    step = HiddenField()
    # The values are checked, with the file at hand, by `chosen_columns`.
    columns = FieldList(SelectField(validate_choice=False), max_entries=MAX_COLUMNS)

    def offer(self, header: list[str], choices: list[str]) -> None:
        """One select per column of the file, showing `choices` (one per column)."""
        while self.columns.entries:
            self.columns.pop_entry()
        options = [SelectChoice("", str(IGNORE))] + [
            SelectChoice(value, str(COLUMN_LABELS[value])) for value in FIELDS
        ]
        for number, (name, choice) in enumerate(zip(header, choices, strict=True), start=1):
            entry = self.columns.append_entry(choice if choice in FIELDS else "")
            entry.choices = options
            entry.label.text = _l("Column %(number)s: %(name)s", number=number, name=shown(name))
        self.step.data = "choose"

    def chosen_in_selects(self) -> list[str]:
        return [entry.data or "" for entry in self.columns.entries]
