"""The activity log's filters: who, what kind, and which months (in the organisation's time);
and its pages, newest first.

They come in the query string like the dashboard's, so a filtered log is a link to share.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import Select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField
from wtforms.validators import Optional, ValidationError

from survey.accounts.models import User
from survey.analysis.periods import add_months
from survey.audit.models import Action, AuditEvent
from survey.listing import Order, Page, SortColumn, keyset_page
from survey.request_input import Cursor, Month, SingleLine, without_nul
from survey.request_input import month as parse_month

_month = [Optional(), SingleLine(), Month()]


class ActivityFilters(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    person = SelectField(_l("Who"), default="", validate_choice=True)
    kind = SelectField(_l("What"), default="", validate_choice=True)
    first = StringField(_l("From month"), validators=_month, filters=[without_nul])
    last = StringField(_l("Up to and including month"), validators=_month, filters=[without_nul])

    def validate_last(self, field) -> None:
        if not (self.first.data and field.data) or self.first.errors or field.errors:
            return
        if parse_month(field.data) < parse_month(self.first.data):
            raise ValidationError(_l("The last month comes before the first month."))


def bind_activity_filters(args, people: list[User]) -> ActivityFilters:
    """The form filled from the query string; choices are the organisation's staff (removed
    ones too: their entries stay) and every kind of entry."""
    form = ActivityFilters(formdata=args)
    form.person.choices = [("", _l("Everyone"))] + [(str(user.id), user.name) for user in people]
    form.kind.choices = [("", _l("Everything"))] + sorted(
        ((action.value, action.label) for action in Action), key=lambda choice: choice[1]
    )
    if args:
        form.validate()
    return form


def filtered_events(statement: Select, form: ActivityFilters, zone: str) -> Select:
    """`statement` narrowed to the form's valid filters; a filter with an error is not applied
    (the page says why beside it)."""
    if form.person.data and not form.person.errors:
        statement = statement.where(AuditEvent.actor_id == int(form.person.data))
    if form.kind.data and not form.kind.errors:
        statement = statement.where(AuditEvent.action == Action(form.kind.data))
    local = ZoneInfo(zone)
    if not form.first.errors and (first := parse_month(form.first.data)) is not None:
        statement = statement.where(AuditEvent.at >= _start_of(first, local))
    if not form.last.errors and (last := parse_month(form.last.data)) is not None:
        statement = statement.where(AuditEvent.at < _start_of(add_months(last, 1), local))
    return statement


# Newest first, on the index of the organisation's trail by time.
NEWEST_FIRST = Order(
    SortColumn(AuditEvent.at, datetime, descending=True),
    SortColumn(AuditEvent.id, int, descending=True),
)


def activity_page(scope: Select, cursor: Cursor | None, per_page: int) -> Page[AuditEvent]:
    """A page of the trail, newest first, from a statement scoped and filtered already."""
    return keyset_page(scope.options(joinedload(AuditEvent.actor)), NEWEST_FIRST, cursor, per_page)


def _start_of(month: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(month, time(0), tzinfo=zone)
