"""The circle benchmark pages: the viewer's circles, each circle's benchmark for a fixed period,
the printable circle report and the export of the benchmark aggregates (named members, never
an individual response, remark, account manager or contact)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from survey.accounts.models import User
from survey.analysis.benchmark import Method, Standing
from survey.analysis.circle_figures import (
    Benchmark,
    Member,
    benchmark,
    read_circle_counts,
    strengths_and_weaknesses,
)
from survey.analysis.fixed_periods import FixedPeriod, PeriodKind, ended_periods, parse_period
from survey.audit.models import Action
from survey.audit.trail import record
from survey.circles import figures
from survey.circles.access import (
    VIEWING_ROLES,
    circle_for_viewer,
    is_operator,
    sharing_members,
    viewer_circles,
)
from survey.circles.actions import circle_practices
from survey.circles.meetings import circle_meetings, circle_name
from survey.circles.models import Circle
from survey.circles.routes import bp
from survey.circles.sizes import size_class_label
from survey.clock import utcnow
from survey.errors import render_error
from survey.extensions import db
from survey.security import roles_required
from survey.spreadsheets import neutralised

# An event's facts name the circle it is a meeting of (templates/events/_facts.html).
bp.add_app_template_global(circle_name)

WHOLE_CIRCLE = "circle"
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Refused(Exception):
    """A choice in the query string that names no fixed period, group or setting."""


@dataclass(frozen=True)
class Choices:
    period: FixedPeriod
    periods: list[FixedPeriod]
    group: str  # WHOLE_CIRCLE or a size class
    groups: list[tuple[str, str]]
    adjusted: bool

    @property
    def group_name(self) -> str:
        return dict(self.groups)[self.group]

    def query(self, **changes) -> dict:
        values = {"period": self.period.code, "group": self.group, "adjust": int(self.adjusted)}
        return {**values, **changes}


def _me() -> User:
    return current_user._get_current_object()


def _today(user: User, now: datetime):
    return now.astimezone(ZoneInfo(user.organisation.timezone)).date()


def _group_name(group: str) -> str:
    if group == WHOLE_CIRCLE:
        return _("the circle")
    return _("size class %(size)s", size=size_class_label(group))


def _choices(members: list[Member], user: User, now: datetime) -> Choices:
    periods = ended_periods(_today(user, now))
    text = request.args.get("period")
    period = parse_period(text) if text else None
    if text and period not in periods:
        raise Refused(
            _(
                "Choose a quarter, half year or calendar year that has ended, "
                "written as 2026-Q1, 2026-H1 or 2026."
            )
        )
    if period is None:
        period = next(p for p in periods if p.kind is PeriodKind.QUARTER)
    classes = sorted({m.size_class for m in members if m.size_class})
    groups = [(WHOLE_CIRCLE, _group_name(WHOLE_CIRCLE))] + [(c, _group_name(c)) for c in classes]
    group = request.args.get("group") or WHOLE_CIRCLE
    if group not in dict(groups):
        raise Refused(_("Choose the whole circle or one of its size classes."))
    adjust = request.args.get("adjust") or "0"
    if adjust not in ("0", "1"):
        raise Refused(_("The channel adjustment is either on or off."))
    return Choices(period, periods, group, groups, adjust == "1")


def _benchmark(circle: Circle, user: User, now: datetime, every_group: bool = False):
    """The members, the choices, and the benchmark of a group. The tallies are read once, of
    the chosen group's members only unless `every_group` (the report shows them all)."""
    members = sharing_members(circle, now)
    choices = _choices(members, user, now)
    read = members if every_group else _in_group(members, choices.group)
    counts = read_circle_counts(
        db.session,
        [m.organisation_id for m in read],
        choices.period,
        by_channel=choices.adjusted,  # only the channel adjustment needs the channels
    )
    locale = str(get_locale())

    def of(group: str, adjusted: bool = choices.adjusted) -> Benchmark:
        return benchmark(
            counts,
            _in_group(members, group),
            locale,
            adjusted=adjusted,
            group_key=group,
            group_name=_group_name(group),
        )

    return members, choices, of


def _in_group(members: list[Member], group: str) -> list[Member]:
    return [m for m in members if group == WHOLE_CIRCLE or m.size_class == group]


def _own(members: list[Member], user: User) -> int | None:
    if is_operator(user):
        return None
    return next(
        (m.organisation_id for m in members if m.organisation_id == user.organisation_id), None
    )


def _refused(refusal: Refused):
    return render_error(400, _("This choice cannot be shown"), str(refusal))


@bp.get("")
@roles_required(*VIEWING_ROLES)
def index():
    me = _me()
    consent_page = "circles.consent" if "circles.consent" in _endpoints() else None
    return render_template(
        "circles/benchmark_index.html",
        circles=viewer_circles(me, utcnow()),
        operator=is_operator(me),
        consent_page=consent_page,
    )


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.get("/<int:circle_id>")
@roles_required(*VIEWING_ROLES)
def show(circle_id: int):
    me, now = _me(), utcnow()
    circle = circle_for_viewer(me, circle_id, now)
    try:
        members, choices, of = _benchmark(circle, me, now)
    except Refused as refusal:
        return _refused(refusal)
    bench = of(choices.group)
    own = _own(members, me)
    return render_template(
        "circles/benchmark.html",
        circle=circle,
        choices=choices,
        bench=bench,
        own=own,
        names={m.organisation_id: m.name for m in members},
        charts=_charts(bench, own),
        relative=strengths_and_weaknesses(bench, own) if own else None,
        dispersion_text=dispersion_text,
        standing_label=standing_label,
        meetings=circle_meetings(circle, now, str(get_locale())),
    )


def _charts(bench: Benchmark, own: int | None) -> dict[str, dict]:
    names = {m.organisation_id: m.name for m in bench.members}
    limits = (
        _("Circle value"),
        _("%(level)s limits", level="95%"),
        _("%(level)s limits", level="99.8%"),
    )
    found = {}
    for q in bench.questions:
        if q.funnel and q.funnel.points:
            title = _("Net Promoter Score") if q.question.is_nps else _("Mean")
            found[q.question.code] = figures.funnel_figure(
                q.funnel, names, own, title, _("Number of answers"), limits
            )
    rate = bench.response_rate
    if rate.funnel and rate.funnel.points:
        found["response_rate"] = figures.funnel_figure(
            rate.funnel, names, own, _("Response rate"), _("Invitations sent"), limits, True
        )
    return found


def standing_label(standing: Standing | None, beyond_alarm: bool = False) -> str:
    if standing is Standing.ABOVE:
        return _("clearly above the circle") if beyond_alarm else _("above the circle")
    if standing is Standing.BELOW:
        return _("clearly below the circle") if beyond_alarm else _("below the circle")
    if standing is Standing.WITHIN:
        return _("within the limits")
    return _("not in the funnel")


def dispersion_text(funnel) -> str:
    spread = funnel.dispersion
    if spread.method is Method.NONE:
        return _(
            "The members differ no more than chance allows (dispersion φ = %(phi)s): the "
            "limits are those of chance alone.",
            phi=f"{spread.phi:.2f}",
        )
    if spread.method is Method.ADDITIVE:
        return _(
            "The members differ more than chance allows (φ = %(phi)s), so the limits are "
            "widened by the spread between members (additive random effects, τ = %(tau)s).",
            phi=f"{spread.phi:.2f}",
            tau=f"{spread.tau2**0.5:.2f}",
        )
    return _(
        "The members differ more than chance allows (φ = %(phi)s), so the limits are "
        "widened by √φ (multiplicative method).",
        phi=f"{spread.phi:.2f}",
    )


@bp.get("/<int:circle_id>/report")
@roles_required(*VIEWING_ROLES)
def report(circle_id: int):
    me, now = _me(), utcnow()
    circle = circle_for_viewer(me, circle_id, now)
    try:
        members, choices, of = _benchmark(circle, me, now, every_group=True)
    except Refused as refusal:
        return _refused(refusal)
    whole = of(WHOLE_CIRCLE)
    by_class = {group: of(group) for group, _label in choices.groups if group != WHOLE_CIRCLE}
    drawings = _drawings(whole)
    pages = [_member_page(member, whole, by_class, drawings) for member in members]
    practices = circle_practices(circle.id, now)
    return render_template(
        "circles/report.html",
        circle=circle,
        choices=choices,
        whole=whole,
        pages=pages,
        practices=practices,
        own=_own(members, me),
        printed=now,
        standing_label=standing_label,
        dispersion_text=dispersion_text,
    )


@dataclass(frozen=True)
class MemberPage:
    member: Member
    size_class: Benchmark | None
    strengths: list
    weaknesses: list
    svgs: list[tuple[str, object]]


def _drawings(whole: Benchmark) -> dict:
    """The funnels a member's page shows, each drawn once for all the pages: the overall grade
    and the NPS by question code, and the response rate."""
    found = {
        q.question.code: figures.FunnelDrawing(q.funnel)
        for q in whole.questions
        if (q.question.is_overall or q.question.is_nps) and q.funnel
    }
    rate = whole.response_rate.funnel
    if rate:
        found["response_rate"] = figures.FunnelDrawing(rate, percent=True)
    return found


def _member_page(member: Member, whole: Benchmark, by_class: dict, drawings: dict) -> MemberPage:
    key = member.organisation_id
    strengths, weaknesses = strengths_and_weaknesses(whole, key)
    svgs = []
    for q in whole.questions:
        drawing = drawings.get(q.question.code)
        if drawing is not None and q.funnel.point(key) is not None:
            label = _("Funnel plot: %(question)s", question=q.text)
            svgs.append((q.text, drawing.svg(key, label)))
    rate = whole.response_rate.funnel
    if rate and rate.point(key):
        label = _("Funnel plot: response rate")
        svgs.append((_("Response rate"), drawings["response_rate"].svg(key, label)))
    return MemberPage(member, by_class.get(member.size_class), strengths, weaknesses, svgs)


@bp.get("/<int:circle_id>/export.<any(csv, xlsx):extension>")
@roles_required(*VIEWING_ROLES)
def export(circle_id: int, extension: str):
    me, now = _me(), utcnow()
    circle = circle_for_viewer(me, circle_id, now)
    try:
        _members, choices, of = _benchmark(circle, me, now)
    except Refused as refusal:
        return _refused(refusal)
    bench = of(choices.group)
    rows = export_rows(bench)
    record(
        Action.RESPONSES_EXPORTED,
        now,
        actor=me,
        subject=circle,
        circle_id=circle.id,
        period=choices.period.code,
        group=choices.group,
        adjusted=choices.adjusted,
        format=extension,
        rows=len(rows) - 1,
    )
    db.session.commit()
    body = _csv(rows) if extension == "csv" else _xlsx(rows)
    name = f"circle-{circle.id}-{choices.period.code}.{extension}"
    return Response(
        body,
        content_type=EXPORT_TYPES[extension],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def export_rows(bench: Benchmark) -> list[list]:
    """One row per question and member (and the group): the figures shown on the page."""
    rows = [
        [
            _("Question code"),
            _("Question"),
            _("Member"),
            _("Answers"),
            _("Mean or NPS"),
            _("%(level)s interval, low end", level="95%"),
            _("%(level)s interval, high end", level="95%"),
            _("Top-2-box share"),
            _("Adjusted for channel mix"),
            _("Against the circle"),
        ]
    ]
    for q in bench.questions:
        standing = {p.key: p for p in q.funnel.points} if q.funnel else {}
        for figure in [*q.members, q.group]:
            if not figure.shown:
                rows.append([q.question.code, q.text, figure.name, "", _("too few responses")])
                continue
            point = standing.get(figure.key)
            adjusted = figure.adjusted.mean if figure.adjusted else None
            rows.append(
                [
                    q.question.code,
                    q.text,
                    figure.name,
                    figure.n,
                    _round(figure.nps.score if figure.nps else figure.mean),
                    _round(figure.interval.low if figure.interval else None),
                    _round(figure.interval.high if figure.interval else None),
                    _round(figure.top_box),
                    _round(adjusted),
                    standing_label(point.standing, point.beyond_alarm) if point else "",
                ]
            )
    return rows


def _round(value: float | None):
    return None if value is None else round(value, 3)


def _cell(value) -> object:
    return neutralised(value) if isinstance(value, str) else value


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if str(get_locale()) == "nl" else ",")
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Benchmark"))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_url(circle_id: int, choices: Choices) -> str:
    return url_for("circles.report", circle_id=circle_id, **choices.query())
