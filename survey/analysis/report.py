"""A feedback report: every figure a dashboard shows for a population, computed from the tallies.

The minimum group size is applied here, once, for every figure: one that would rest on fewer
responses than the organisation's minimum is withheld (`shown` is False), so no combination of
filters can single out a respondent. Event results may use a lower minimum, which an
administrator sets (`event_min_group_size`), never below three.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from survey.accounts.models import Organisation
from survey.accounts.organisation_settings import EVENT_MIN_GROUP_FLOOR
from survey.analysis import aggregates
from survey.analysis.aggregates import InvitationCounts, QuestionSet
from survey.analysis.drivers import DriverAnalysis, driver_analysis
from survey.analysis.periods import months_between, quarter_of
from survey.analysis.population import Population
from survey.analysis.statistics import (
    Interval,
    NetPromoterScore,
    Summary,
    WelchTest,
    mean_interval,
    net_promoter_score,
    summarise,
    top_box_share,
    welch_test,
    wilson_interval,
)
from survey.questionnaires.models import Question, QuestionType, localized


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    fraction: float


@dataclass(frozen=True)
class QuestionResult:
    code: str
    text: str
    type: QuestionType
    n: int
    shown: bool
    scale: tuple[int, int] | None = None
    summary: Summary | None = None
    interval: Interval | None = None
    top_box: float | None = None
    top_box_interval: Interval | None = None
    distribution: list[Share] = field(default_factory=list)
    nps: NetPromoterScore | None = None
    is_overall: bool = False

    @property
    def mean(self) -> float | None:
        return self.summary.mean if self.shown and self.summary else None


@dataclass(frozen=True)
class ResponseRate:
    sent: int
    answered: int
    suppressed: int
    shown: bool
    rate: float | None = None
    interval: Interval | None = None
    room: int | None = None  # answers through a room link; counted for event results only


@dataclass(frozen=True)
class TrendPoint:
    period: date
    n: int
    shown: bool
    mean: float | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class Trend:
    unit: str  # "month" or "quarter"
    code: str
    text: str
    scale: tuple[int, int]
    points: list[TrendPoint]


@dataclass(frozen=True)
class Change:
    code: str
    text: str
    before: Summary
    after: Summary
    shown: bool
    test: WelchTest | None = None


@dataclass(frozen=True)
class BeforeAfter:
    month: date
    changes: list[Change]


@dataclass(frozen=True)
class FeedbackReport:
    population: Population
    min_group_size: int
    responses: int
    questions: list[QuestionResult]
    response_rate: ResponseRate
    drivers: DriverAnalysis | None = None
    trend: Trend | None = None
    before_after: BeforeAfter | None = None

    @property
    def shown(self) -> bool:
        return self.responses >= self.min_group_size

    def question(self, code: str) -> QuestionResult | None:
        return next((result for result in self.questions if result.code == code), None)

    @property
    def overall(self) -> QuestionResult | None:
        return next((q for q in self.questions if q.is_overall), None)

    @property
    def nps(self) -> QuestionResult | None:
        return next((q for q in self.questions if q.type is QuestionType.NPS), None)

    @property
    def rated(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.type.is_rated]

    @property
    def chosen(self) -> list[QuestionResult]:
        return [q for q in self.questions if q.type in (QuestionType.CHOICE, QuestionType.MULTI)]


def event_min_group_size(organisation: Organisation) -> int:
    """The minimum group size of event results: the administrator's lower one for events if
    set, else the organisation's; never above the organisation's, never below the floor."""
    chosen = organisation.event_min_group_size or organisation.min_group_size
    return max(EVENT_MIN_GROUP_FLOOR, min(chosen, organisation.min_group_size))


def feedback_report(
    session: Session,
    population: Population,
    min_group_size: int,
    locale: str,
    since: date | None = None,
) -> FeedbackReport:
    """Every figure for `population`; `since` adds a before/after comparison at that month."""
    questions = aggregates.question_set(session, population)
    per_month = aggregates.responses_by(session, population, "month")
    responses = sum(per_month.values())
    rates = _response_rate(aggregates.invitation_counts(session, population), min_group_size)
    if population.event_ids:
        rates = replace(rates, room=aggregates.room_answers(session, population))
    if responses < min_group_size:
        return FeedbackReport(population, min_group_size, responses, [], rates)
    ratings = aggregates.rating_counts(session, population, questions.code_of)[None]
    options = aggregates.option_counts(session, population, questions.code_of)
    results = question_results(questions, ratings, options, min_group_size, locale)
    sums = aggregates.driver_sums(session, population, questions.code_of)
    return FeedbackReport(
        population,
        min_group_size,
        responses,
        results,
        rates,
        drivers=driver_analysis(results, sums, min_group_size),
        trend=_trend(session, population, questions, per_month, min_group_size, locale),
        before_after=since
        and _before_after(session, population, questions, since, results, min_group_size),
    )


def question_results(
    questions: QuestionSet, ratings: dict, options: dict, min_group_size: int, locale: str
) -> list[QuestionResult]:
    """The figures per question code; open questions are listed elsewhere, not counted."""
    results = []
    for code, question in questions.by_code.items():
        if question.type.is_rated:
            results.append(_rated(question, ratings.get(code, {}), min_group_size, locale))
        elif question.type is not QuestionType.TEXT:
            results.append(_chosen(question, options.get(code, {}), min_group_size, locale))
    return results


def _rated(question: Question, counts: dict, min_group_size: int, locale: str) -> QuestionResult:
    summary = summarise(counts)
    scale = question.type.scale
    text = localized(question.text, locale)
    if summary.n < min_group_size:
        return QuestionResult(
            question.code,
            text,
            question.type,
            summary.n,
            False,
            _ends(scale),
            is_overall=question.is_overall,
        )
    top, n = top_box_share(counts, list(scale)[-2:])
    labels = _value_labels(question, locale)
    return QuestionResult(
        question.code,
        text,
        question.type,
        n,
        True,
        _ends(scale),
        summary,
        mean_interval(summary, bounds=_ends(scale)),
        top / n,
        wilson_interval(top, n),
        [
            Share(str(v), labels.get(v, str(v)), counts.get(v, 0), counts.get(v, 0) / n)
            for v in scale
        ],
        net_promoter_score(counts) if question.type is QuestionType.NPS else None,
        question.is_overall,
    )


def _chosen(question: Question, counts: dict, min_group_size: int, locale: str) -> QuestionResult:
    # For a multi question the shares are of the answers given, not of respondents.
    total = sum(counts.values())
    text = localized(question.text, locale)
    if total < min_group_size:
        return QuestionResult(question.code, text, question.type, total, False)
    chosen = [(o["code"], counts.get(o["code"], 0)) for o in question.options]
    labels = {o["code"]: localized(o["label"], locale) for o in question.options}
    shares = [Share(code, labels[code], count, count / total) for code, count in chosen]
    return QuestionResult(question.code, text, question.type, total, True, distribution=shares)


def _value_labels(question: Question, locale: str) -> dict[int, str]:
    options = question.options
    if isinstance(options, list):
        return {int(o["code"]): f"{o['code']} {localized(o['label'], locale)}" for o in options}
    scale = question.type.scale
    labels = {value: str(value) for value in scale}
    if isinstance(options, dict) and options.get("low") and options.get("high"):
        labels[scale[0]] = f"{scale[0]} {localized(options['low'], locale)}"
        labels[scale[-1]] = f"{scale[-1]} {localized(options['high'], locale)}"
    return labels


def _ends(scale: range | None) -> tuple[int, int] | None:
    return (scale[0], scale[-1]) if scale else None


def _response_rate(counts: InvitationCounts, min_group_size: int) -> ResponseRate:
    if counts.answered < min_group_size or not counts.sent:
        return ResponseRate(counts.sent, counts.answered, counts.suppressed, False)
    answered = min(counts.answered, counts.sent)
    return ResponseRate(
        counts.sent,
        counts.answered,
        counts.suppressed,
        True,
        answered / counts.sent,
        wilson_interval(answered, counts.sent),
    )


def overall_question(questions: QuestionSet) -> Question | None:
    return next((q for q in questions.by_code.values() if q.is_overall), None)


def _trend(session, population, questions, per_month, min_group_size, locale) -> Trend | None:
    overall = overall_question(questions)
    if overall is None or not per_month:
        return None
    by_month = aggregates.rating_counts(
        session,
        population,
        questions.code_of,
        by=aggregates.BY_MONTH,
        only=questions.ids(overall.code),
    )
    # From the first month with responses to the last: empty months before or after the
    # data would only push the line towards quarters.
    first, last = min(per_month), max(per_month)
    months = months_between(
        max(first, population.first_month or first), min(last, population.last_month or last)
    )
    counts = {month: by_month.get(month, {}).get(overall.code, {}) for month in months}
    unit = "month" if _months_are_full(counts, min_group_size) else "quarter"
    if unit == "quarter":
        counts = _by_quarter(counts)
    scale = _ends(overall.type.scale)
    points = [_trend_point(period, c, min_group_size, scale) for period, c in counts.items()]
    text = localized(overall.text, locale)
    return Trend(unit, overall.code, text, scale, points)


def _months_are_full(counts: dict[date, dict], min_group_size: int) -> bool:
    """Monthly points when at least two thirds of the months could be shown, else quarters."""
    full = sum(1 for c in counts.values() if sum(c.values()) >= min_group_size)
    return full * 3 >= len(counts) * 2


def _by_quarter(counts: dict[date, dict]) -> dict[date, dict]:
    quarters: dict[date, dict] = {}
    for month, values in counts.items():
        merged = quarters.setdefault(quarter_of(month), {})
        for value, count in values.items():
            merged[value] = merged.get(value, 0) + count
    return quarters


def _trend_point(period: date, counts: dict, min_group_size: int, scale) -> TrendPoint:
    summary = summarise(counts)
    if summary.n < min_group_size:
        return TrendPoint(period, summary.n, False)
    interval = mean_interval(summary, bounds=scale)
    return TrendPoint(period, summary.n, True, summary.mean, interval)


def _before_after(session, population, questions, since, results, min_group_size) -> BeforeAfter:
    split = aggregates.rating_counts(
        session, population, questions.code_of, by=aggregates.since(since)
    )
    changes = []
    for result in results:
        if result.type.is_rated:
            before = summarise(split.get(False, {}).get(result.code, {}))
            after = summarise(split.get(True, {}).get(result.code, {}))
            changes.append(_change(result, before, after, min_group_size))
    return BeforeAfter(since, changes)


def _change(result: QuestionResult, before: Summary, after: Summary, min_group_size) -> Change:
    if min(before.n, after.n) < min_group_size:
        # Only the sizes, so that no template can show a withheld mean by mistake.
        before, after = Summary(before.n, None, None), Summary(after.n, None, None)
        return Change(result.code, result.text, before, after, False)
    return Change(result.code, result.text, before, after, True, welch_test(before, after))


def reference_results(
    session: Session, population: Population, min_group_size: int, locale: str
) -> list[QuestionResult]:
    """The rated figures of a wider population, shown beside a narrower one for reference."""
    questions = aggregates.question_set(session, population)
    ratings = aggregates.rating_counts(session, population, questions.code_of)[None]
    results = question_results(questions, ratings, {}, min_group_size, locale)
    return [result for result in results if result.type.is_rated]
