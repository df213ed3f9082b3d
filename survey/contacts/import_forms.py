"""Forms of the contact import's steps after the upload: they carry the file, the columns chosen
and the account manager for rows that name none."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from survey.imports.forms import CarriedListForm, ColumnsForm


class _CarriesAccountManager:
    # The default account manager chosen with the upload (coordinators and administrators).
    account_manager = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ColumnsConfirmForm(_CarriesAccountManager, CarriedListForm):
    """The confirmation, with the columns the person chose when they chose them."""


class ImportColumnsForm(_CarriesAccountManager, ColumnsForm):
    """One select per column of the file, labelled by the column's header."""
