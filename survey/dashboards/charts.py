"""From analysis results to the figures of a dashboard page (plain dicts for plotly.js).

Only what may be shown goes into a figure: a withheld figure is a gap, never a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from survey.analysis.comparisons import GroupFigures
from survey.analysis.periods import quarter_of
from survey.analysis.report import FeedbackReport, QuestionResult
from survey.circles.actions import action_markers
from survey.dashboards import figures
from survey.invitations.dimensions import OccasionKind
from survey.questionnaires.models import QuestionType


def statements(report: FeedbackReport) -> list[QuestionResult]:
    """The rated questions on the most common scale (the statements), shown or not."""
    rated = [q for q in report.rated if not q.is_overall and q.type is not QuestionType.NPS]
    scales = [q.scale for q in rated]
    common = max(set(scales), key=scales.count) if scales else None
    return [q for q in rated if q.scale == common]


def trend_actions(report: FeedbackReport | None) -> list[tuple[date, str]]:
    """The organisation's improvement actions on the trend's question that start within the
    shown periods, (start month, title) oldest first; only on a contact survey's dashboard,
    the survey the actions aim to move."""
    if report is None or report.trend is None:
        return []
    if report.population.occasion_kind != OccasionKind.CONTACT:
        return []
    trend = report.trend
    periods = {point.period for point in trend.points}
    return [
        (month, title)
        for month, title in action_markers(report.population.organisation_id, trend.code)
        if _period_of(month, trend.unit) in periods
    ]


def _period_of(month: date, unit: str) -> date:
    month = month.replace(day=1)
    return quarter_of(month) if unit == "quarter" else month


def report_figures(
    report: FeedbackReport, actions: list[tuple[date, str]] | None = None
) -> dict[str, dict]:
    found = {}
    shown = [q for q in statements(report) if q.shown]
    if shown:
        low, high = shown[0].scale
        found["means"] = figures.means_figure(
            [(q.text, q.mean, *_ends(q)) for q in shown], low, high, _("Mean with 95% interval")
        )
        found["distribution"] = figures.distribution_figure(
            [(q.text, [share.fraction for share in q.distribution]) for q in shown],
            [share.label for share in shown[0].distribution],
            _("Share of the answers"),
        )
    if report.drivers:
        found["drivers"] = _drivers_figure(report)
    if report.trend and any(point.shown for point in report.trend.points):
        found["trend"] = _trend_figure(report, actions or [])
    return found


def _ends(result: QuestionResult) -> tuple[float | None, float | None]:
    interval = result.interval
    return (interval.low, interval.high) if interval else (None, None)


def _drivers_figure(report: FeedbackReport) -> dict:
    drivers = report.drivers
    return figures.quadrant_figure(
        [(d.text, d.importance, d.performance) for d in drivers.drivers],
        drivers.mean_importance,
        drivers.mean_performance,
        _("Importance (correlation with the overall grade)"),
        _("Performance (mean)"),
        quadrant_labels(),
    )


def quadrant_labels() -> dict[str, str]:
    return {
        "strengths": _("Strengths"),
        "priorities": _("Priorities"),
        "maintain": _("Keep up"),
        "less_important": _("Less important"),
    }


def period_label(period, unit: str) -> str:
    if unit == "quarter":
        return _("Q%(quarter)d %(year)d", quarter=(period.month - 1) // 3 + 1, year=period.year)
    return format_date(period, "MMM yyyy")


def _trend_figure(report: FeedbackReport, actions: list[tuple[date, str]]) -> dict:
    trend = report.trend
    points = [
        (
            period_label(point.period, trend.unit),
            point.mean,
            point.interval.low if point.interval else None,
            point.interval.high if point.interval else None,
            point.n,
        )
        for point in trend.points
    ]
    markers = [
        (period_label(_period_of(month, trend.unit), trend.unit), title) for month, title in actions
    ]
    return figures.trend_figure(points, _("Mean with 95% interval"), *trend.scale, markers)


@dataclass(frozen=True)
class ScaleChart:
    """One chart of the managers page: the questions answered on one scale, on that scale."""

    scale: tuple[int, int]
    heading: str
    figure: dict


def managers_figures(columns: list[GroupFigures], minimum: int) -> list[ScaleChart]:
    """The questions' means per account manager side by side, a chart per answer scale.

    A grade from 1 to 10 drawn on the statements' 1-5 axis would run off it, so each scale
    gets its own chart and axis, in the order the questions first appear.
    """
    shown = [column for column in columns if column.shown(minimum)]
    if not shown:
        return []
    by_scale: dict[tuple[int, int], list[str]] = {}
    for code, result in shown[0].results.items():
        if result.scale and any(_mean(column, code) is not None for column in shown):
            by_scale.setdefault(result.scale, []).append(code)
    charts = []
    for scale, codes in by_scale.items():
        texts = [shown[0].results[code].text for code in codes]
        series = [(c.name, [_mean(c, code) for code in codes]) for c in shown]
        figure = figures.comparison_figure(series, texts, _("Mean"), *scale)
        charts.append(ScaleChart(scale, scale_heading(scale), figure))
    return charts


def scale_heading(scale: tuple[int, int]) -> str:
    return _("Questions answered from %(low)d to %(high)d", low=scale[0], high=scale[1])


def _mean(column: GroupFigures, code: str) -> float | None:
    result = column.results.get(code)
    return result.mean if result else None


@dataclass(frozen=True)
class QuestionChart:
    """One question's mean per session of a series, over time."""

    code: str
    text: str
    scale: tuple[int, int]
    results: list[QuestionResult | None]  # per session, in the sessions' order
    figure: dict | None  # None when no session can be shown


def sessions_figures(sessions: list[GroupFigures], minimum: int) -> list[QuestionChart]:
    """Per rated question, its mean with interval per session (x: the sessions in order); a
    session below the minimum is a gap in the line, and says "too few" in the table."""
    if not sessions:
        return []
    found = []
    for code, first in sessions[0].results.items():
        results = [session.results.get(code) for session in sessions]
        points = [
            (
                session.name,
                _mean(session, code) if session.shown(minimum) else None,
                *(_ends(result) if result and session.shown(minimum) else (None, None)),
                result.n if result else 0,
            )
            for session, result in zip(sessions, results, strict=True)
        ]
        drawn = any(point[1] is not None for point in points)
        figure = figures.trend_figure(points, _("Mean with 95% interval"), *first.scale)
        found.append(
            QuestionChart(code, first.text, first.scale, results, figure if drawn else None)
        )
    return found
