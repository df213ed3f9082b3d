"""The feedback dashboards: an account manager's own, the organisation's with its filters, the
managers side by side, the open answers, and the export of the filtered responses."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.accounts.models import Role, User
from survey.analysis.comparisons import compare_managers
from survey.analysis.open_answers import cursor_kinds, open_answers
from survey.analysis.periods import reporting_month
from survey.analysis.report import feedback_report, reference_results
from survey.clock import utcnow
from survey.dashboards import charts
from survey.dashboards.filters import (
    bind_filters,
    choices_for,
    occasion_asked,
    parse_month,
    population_from,
)
from survey.dashboards.plotly_asset import plotly_script_url
from survey.extensions import db
from survey.request_input import query_cursor, query_search, search_text
from survey.responding.privacy import sees_individual_answers
from survey.security import roles_required

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")
bp.add_app_template_global(plotly_script_url)
bp.add_app_template_global(charts.period_label)

COORDINATING = (Role.ADMIN, Role.COORDINATOR)
UNUSABLE_FILTERS = _l("These filters cannot be used")


def _me() -> User:
    return current_user._get_current_object()


def _filtered():
    """The filter form, the choices behind it, and the population it selects (or None)."""
    me = _me()
    choices = choices_for(db.session, me, occasion_asked(request.args))
    this_month = reporting_month(utcnow(), me.organisation.timezone)
    form = bind_filters(request.args, choices, str(get_locale()), this_month)
    valid = form.validate() if request.args else True
    population = population_from(db.session, form, choices, me) if valid else None
    return form, choices, population


def _status(form) -> int:
    """422 when a filter cannot be used: the page shows why beside the filter."""
    return 422 if form.errors else 200


def _query() -> dict[str, str]:
    """The query string as plain one-line text, for links that keep the filters and the log."""
    return {search_text(key, 40): search_text(value) for key, value in request.args.items()}


@bp.get("")
@roles_required()
def index():
    form, choices, population = _filtered()
    report = reference = None
    minimum = _me().organisation.min_group_size
    locale = str(get_locale())
    if population is not None:
        since = parse_month(form.since.data)
        report = feedback_report(db.session, population, minimum, locale, since=since)
        if population.account_manager_ids:
            reference = reference_results(
                db.session, population.whole_organisation(), minimum, locale
            )
    actions = charts.trend_actions(report) if report and report.shown else []
    return render_template(
        "dashboards/index.html",
        form=form,
        choices=choices,
        report=report,
        reference={result.code: result for result in reference or []},
        figures=charts.report_figures(report, actions) if report and report.shown else {},
        actions=actions,
        statements=charts.statements(report) if report else [],
        quadrants=charts.quadrant_labels(),
    ), _status(form)


@bp.get("/managers")
@roles_required(*COORDINATING)
def managers():
    form, choices, population = _filtered()
    columns = []
    if population is not None:
        names = {user.id: user.name for user in choices.managers}
        minimum = _me().organisation.min_group_size
        columns = compare_managers(db.session, population, names, minimum, str(get_locale()))
    return render_template(
        "dashboards/managers.html",
        form=form,
        choices=choices,
        columns=columns,
        minimum=_me().organisation.min_group_size,
        scale_charts=charts.managers_figures(columns, _me().organisation.min_group_size),
    ), _status(form)


@bp.get("/open-answers")
@roles_required()
def answers():
    form, choices, population = _filtered()
    search = query_search()
    without_names = not sees_individual_answers(_me())
    cursor = query_cursor(cursor_kinds(without_names))
    found = None
    if population is not None:
        found = open_answers(
            db.session,
            population,
            search or None,
            cursor,
            locale=str(get_locale()),
            without_names=without_names,
            minimum=_me().organisation.min_group_size,
        )
    place = ("after", "before", "page")  # where in the list, not what it shows
    query = {key: value for key, value in _query().items() if key not in place}
    return render_template(
        "dashboards/open_answers.html",
        form=form,
        choices=choices,
        found=found,
        search=search,
        query=query,
    ), _status(form)


# The export of the filtered responses lives in its own module on the same blueprint.
from survey.dashboards import export_views  # noqa: E402, F401
