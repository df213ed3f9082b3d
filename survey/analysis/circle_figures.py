"""Circle figures: every member's aggregates for a fixed period, the group's, and the funnels.

Read from the tallies in five queries whatever the amount of data (`read_circle_counts`), then
computed on the counts alone (`benchmark`), so that the circle, a size class, with or without
the channel adjustment, are each a pass over a few thousand numbers. Contact surveys only: the
questions are the catalogue contact survey's, matched by code in every member's versions.
The organisations arrive as ids with a name, a size class and a minimum group size: who may be
compared is the circles package's business, not the analysis's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from survey.analysis import benchmark as stats
from survey.analysis.aggregates import DriverSums
from survey.analysis.fixed_periods import FixedPeriod, PeriodKind
from survey.analysis.models import DriverTally, InvitationTally, RatingTally
from survey.analysis.statistics import (
    Interval,
    NetPromoterScore,
    Summary,
    WelchTest,
    mean_interval,
    net_promoter_score,
    pearson_from_sums,
    summarise,
    top_box_share,
    welch_test,
    wilson_interval,
)
from survey.questionnaires.catalogue import CONTACT_SURVEY
from survey.questionnaires.models import (
    Purpose,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    localized,
)

CONTACT = "contact"  # the kind of occasion compared between municipalities
SIGNIFICANT = 0.05


@dataclass(frozen=True)
class Member:
    organisation_id: int
    name: str
    size_class: str | None
    minimum: int  # its own minimum group size


@dataclass(frozen=True)
class BenchmarkQuestion:
    code: str
    theme: str
    type: QuestionType
    text: dict
    is_overall: bool

    @property
    def scale(self) -> tuple[int, int]:
        return (self.type.scale[0], self.type.scale[-1])

    @property
    def is_nps(self) -> bool:
        return self.type is QuestionType.NPS


@dataclass
class CircleCounts:
    """The tallies of a fixed period for the members, by quarter of its year (1-4) and channel.

    Only the period's own months are read: whether a figure is withheld because a period inside
    it could be subtracted (nested_disclosure) depends on the period's own quarters alone.
    """

    period: FixedPeriod
    questions: list[BenchmarkQuestion]
    by_channel: bool = True
    # (organisation id, code) -> channel -> quarter -> value -> answers; read without the
    # channels (all under ALL_CHANNELS) unless `by_channel`, as only the adjustment needs them
    ratings: dict = field(default_factory=lambda: defaultdict(_nested(2)))
    # organisation id -> quarter -> [sent, answered]
    invitations: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(_pair)))
    # (organisation id, code) -> the driver sums within the period
    drivers: dict = field(default_factory=lambda: defaultdict(DriverSums))

    # What counts() and quarter_ns() worked out, asked again for every group and figure;
    # filled once the tallies are read, and read-only to those who get it.
    _worked_out: dict = field(default_factory=dict, repr=False, compare=False)

    def counts(self, organisation_id: int, code: str, channel: str | None = None) -> dict:
        """{value: answers} within the period, of one channel or of all."""
        key = ("counts", organisation_id, code, channel)
        found = self._worked_out.get(key)
        if found is None:
            by_channel = self.ratings.get((organisation_id, code), {})
            chosen = [by_channel.get(channel, {})] if channel else list(by_channel.values())
            found = defaultdict(int)
            for by_quarter in chosen:
                for quarter in self.period.quarters:
                    for value, answers in by_quarter.get(quarter, {}).items():
                        found[value] += answers
            self._worked_out[key] = found
        return found

    def quarter_ns(self, organisation_id: int, code: str) -> list[int]:
        """Answers per quarter of the year (0 outside the period, which was not read)."""
        key = ("quarter_ns", organisation_id, code)
        found = self._worked_out.get(key)
        if found is None:
            by_channel = self.ratings.get((organisation_id, code), {})
            found = [
                sum(sum(c.get(quarter, {}).values()) for c in by_channel.values())
                for quarter in range(1, 5)
            ]
            self._worked_out[key] = found
        return found

    def channels(self, organisation_id: int, code: str) -> list[str]:
        if not self.by_channel:
            raise ValueError("the counts were read without their channels")
        # In order, so that the adjusted means (sums of floats) never depend on the order in
        # which the database sent the rows.
        return sorted(self.ratings.get((organisation_id, code), {}))


ALL_CHANNELS = ""  # the one key of `ratings` when read without the channels


def _nested(depth: int):
    return (lambda: defaultdict(_nested(depth - 1))) if depth else (lambda: defaultdict(int))


def _pair() -> list[int]:
    return [0, 0]


def read_circle_counts(
    session: Session, organisation_ids: list[int], period: FixedPeriod, by_channel: bool = True
) -> CircleCounts:
    """Five queries: the catalogue's questions, their ids in the members' contact versions,
    and the rating, invitation and driver tallies of the period grouped by member. Without
    `by_channel` (a benchmark that is not adjusted for channel mix) the ratings are not split
    by channel: fewer groups for the database to form and fewer rows to send."""
    counts = CircleCounts(period, _catalogue_questions(session), by_channel)
    wanted = {q.code: q.type for q in counts.questions}
    rows = session.execute(
        select(Question.id, Question.code, Question.type, Question.version_id)
        .join(QuestionnaireVersion, Question.version_id == QuestionnaireVersion.id)
        .join(Questionnaire, QuestionnaireVersion.questionnaire_id == Questionnaire.id)
        .where(
            Questionnaire.purpose == Purpose.CONTACT,
            or_(
                Questionnaire.organisation_id.is_(None),
                Questionnaire.organisation_id.in_(organisation_ids),
            ),
            Question.code.in_(wanted),
        )
    ).all()
    # Same code, another scale (an own questionnaire's "overall" on 1-5) is not comparable.
    code_of = {qid: code for qid, code, type_, _v in rows if wanted[code] == type_}
    version_ids = sorted({version_id for *_rest, version_id in rows})
    if not organisation_ids or not code_of:
        return counts
    _read_ratings(session, counts, organisation_ids, version_ids, code_of)
    _read_invitations(session, counts, organisation_ids, version_ids)
    _read_drivers(session, counts, organisation_ids, version_ids, code_of)
    return counts


def _catalogue_questions(session: Session) -> list[BenchmarkQuestion]:
    questions = session.scalars(
        select(Question)
        .join(Question.version)
        .join(QuestionnaireVersion.questionnaire)
        .where(Questionnaire.key == CONTACT_SURVEY["key"], Questionnaire.organisation_id.is_(None))
        .order_by(QuestionnaireVersion.number.desc(), Question.position)
    )
    newest: dict[str, BenchmarkQuestion] = {}
    for q in questions:
        if q.type.is_rated and q.code not in newest:
            newest[q.code] = BenchmarkQuestion(q.code, q.theme, q.type, q.text, q.is_overall)
    return list(newest.values())


def _cell_filter(table, organisation_ids, version_ids, period: FixedPeriod) -> list:
    """Leading with organisation, kind of occasion and month, as ix_*_tally_circle does.

    The values are written into the statement rather than sent as parameters. psycopg
    prepares a statement once it has been sent five times, and after five more PostgreSQL
    plans it once for any values: a plan that cannot see how many tally rows the members'
    months hold reads the index row by row instead of the bitmap scan it chooses for the
    values at hand (the circle's quarter read half as slow again, at 10k and at 1M responses).
    """
    return [
        table.organisation_id.in_(_written(organisation_ids)),
        table.occasion_kind == _written(CONTACT),
        table.month.between(_written(period.first_month), _written(period.last_month)),
        table.questionnaire_version_id.in_(_written(version_ids)),
    ]


def _written(value):
    """A value rendered into the statement's text (a list as the items of an IN)."""
    expanding = isinstance(value, list | tuple)
    return bindparam(
        None, list(value) if expanding else value, expanding=expanding, literal_execute=True
    )


def _quarter(month_column, period: FixedPeriod):
    """The quarter of the year (1-4) a tally month falls in, worked out by the database so
    that it sends a row per quarter rather than per month. Written into the statement as
    well: a GROUP BY repeats the expression, which PostgreSQL only matches when it is the
    same text, not two parameters that happen to be equal."""
    quarters = period.quarters
    whens = [
        (month_column < _written(date(period.year, 3 * quarter + 1, 1)), _written(quarter))
        for quarter in quarters[:-1]
    ]
    return case(*whens, else_=_written(quarters[-1])) if whens else _written(quarters[-1])


def _read_ratings(session, counts, organisation_ids, version_ids, code_of) -> None:
    t = RatingTally
    quarter = _quarter(t.month, counts.period)
    channel = t.channel if counts.by_channel else _written(ALL_CHANNELS)
    grouped = [t.organisation_id, quarter, t.question_id, t.value]
    rows = session.execute(
        select(t.organisation_id, channel, quarter, t.question_id, t.value, func.sum(t.answers))
        .where(*_cell_filter(t, organisation_ids, version_ids, counts.period))
        .group_by(*grouped, *([t.channel] if counts.by_channel else []))
    )
    ratings = counts.ratings
    for organisation_id, channel, in_quarter, question_id, value, answers in rows:
        code = code_of.get(question_id)
        if code is not None:
            ratings[(organisation_id, code)][channel][in_quarter][value] += int(answers)


def _read_invitations(session, counts, organisation_ids, version_ids) -> None:
    t = InvitationTally
    rows = session.execute(
        select(t.organisation_id, t.month, func.sum(t.sent), func.sum(t.answered))
        .where(*_cell_filter(t, organisation_ids, version_ids, counts.period))
        .group_by(t.organisation_id, t.month)
    )
    for organisation_id, month, sent, answered in rows:
        pair = counts.invitations[organisation_id][(month.month - 1) // 3 + 1]
        pair[0] += int(sent)
        pair[1] += int(answered)


def _read_drivers(session, counts, organisation_ids, version_ids, code_of) -> None:
    t = DriverTally
    columns = (t.pairs, t.sum_x, t.sum_y, t.sum_xx, t.sum_yy, t.sum_xy)
    rows = session.execute(
        select(t.organisation_id, t.question_id, *(func.sum(c) for c in columns))
        .where(*_cell_filter(t, organisation_ids, version_ids, counts.period))
        .group_by(t.organisation_id, t.question_id)
    )
    for organisation_id, question_id, *sums in rows:
        if question_id in code_of:
            key = (organisation_id, code_of[question_id])
            counts.drivers[key] += DriverSums(*(int(s) for s in sums))


# --- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A member's (or the group's) figure for one question; only `n` and `shown` when withheld."""

    key: int | str
    name: str
    n: int
    shown: bool
    summary: Summary | None = None  # of the answers; of +100/0/-100 per answer for NPS
    interval: Interval | None = None
    top_box: float | None = None
    top_box_interval: Interval | None = None
    nps: NetPromoterScore | None = None
    adjusted: stats.Standardised | None = None

    @property
    def mean(self) -> float | None:
        return self.summary.mean if self.shown and self.summary else None


@dataclass(frozen=True)
class QuestionBenchmark:
    question: BenchmarkQuestion
    text: str
    members: list[Figure]
    group: Figure
    funnel: stats.Funnel | None  # over the shown (and, adjusted, adjustable) members
    weights: dict[str, float] | None = None  # the group's channel mix, when adjusted

    def figure(self, organisation_id: int) -> Figure | None:
        return next((f for f in self.members if f.key == organisation_id), None)


@dataclass(frozen=True)
class RateFigure:
    key: int | str
    name: str
    sent: int
    answered: int
    shown: bool
    rate: float | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class RateBenchmark:
    members: list[RateFigure]
    group: RateFigure
    funnel: stats.Funnel | None


@dataclass(frozen=True)
class Benchmark:
    period: FixedPeriod
    members: list[Member]
    questions: list[QuestionBenchmark]
    response_rate: RateBenchmark
    adjusted: bool
    importance: dict[str, float]  # the group's correlation of each question with the overall

    def question(self, code: str) -> QuestionBenchmark | None:
        return next((q for q in self.questions if q.question.code == code), None)


def benchmark(
    counts: CircleCounts,
    members: list[Member],
    locale: str,
    *,
    adjusted: bool = False,
    group_key: str = "circle",
    group_name: str = "",
) -> Benchmark:
    """The figures of `members` (the whole circle, or a size class) for the counts' period."""
    questions = [
        _question(counts, q, members, locale, adjusted, group_key, group_name)
        for q in counts.questions
    ]
    rate = _response_rate(counts, members, group_key, group_name)
    shown = {m.organisation_id for m in members}
    importance = _importance(counts, questions, shown)
    return Benchmark(counts.period, members, questions, rate, adjusted, importance)


def _node(period: FixedPeriod) -> str:
    return "Y" if period.kind is PeriodKind.YEAR else f"{period.kind.value}{period.number}"


def _disclosure(ns: dict, quarter_ns: dict, members: list[Member], period) -> stats.Disclosure:
    node = _node(period)
    minimums = {m.organisation_id: m.minimum for m in members}
    nested = {
        key for key in ns if node not in stats.nested_disclosure(quarter_ns[key], minimums[key])
    }
    return stats.disclose(ns, minimums, also_withheld=nested)


def _question(counts, question, members, locale, adjusted, group_key, group_name):
    code = question.code
    per_member = {m.organisation_id: counts.counts(m.organisation_id, code) for m in members}
    ns = {key: sum(c.values()) for key, c in per_member.items()}
    quarter_ns = {m.organisation_id: counts.quarter_ns(m.organisation_id, code) for m in members}
    disclosure = _disclosure(ns, quarter_ns, members, counts.period)
    weights = None
    if adjusted:
        mix: dict[str, int] = defaultdict(int)
        for key in disclosure.shown:
            for channel in counts.channels(key, code):
                mix[channel] += sum(counts.counts(key, code, channel).values())
        weights = stats.channel_weights(dict(sorted(mix.items())))
    figures = []
    for m in members:
        key = m.organisation_id
        if key not in disclosure.shown:
            figures.append(Figure(key, m.name, ns[key], False))
            continue
        figure = _figure(key, m.name, question, per_member[key])
        if weights is not None:
            by_channel = {
                c: _channel_mean(question, counts.counts(key, code, c))
                for c in counts.channels(key, code)
            }
            figure = _with_adjusted(figure, stats.standardised_mean(by_channel, weights))
        figures.append(figure)
    pooled = _pooled(per_member[key] for key in sorted(disclosure.shown))
    group = (
        _figure(group_key, group_name, question, pooled)
        if disclosure.group_shown
        else Figure(group_key, group_name, sum(pooled.values()), False)
    )
    funnel = _mean_funnel(figures, group, adjusted) if group.shown else None
    return QuestionBenchmark(
        question, localized(question.text, locale), figures, group, funnel, weights
    )


def _figure(key, name, question: BenchmarkQuestion, counts: dict) -> Figure:
    if question.is_nps:
        nps = net_promoter_score(counts)
        summary = summarise(_as_nps_points(counts))
        return Figure(key, name, summary.n, True, summary, nps.interval, nps=nps)
    summary = summarise(counts)
    top, n = top_box_share(counts, range(question.scale[1] - 1, question.scale[1] + 1))
    return Figure(
        key,
        name,
        n,
        True,
        summary,
        mean_interval(summary, bounds=question.scale),
        top / n,
        wilson_interval(top, n),
    )


def _as_nps_points(counts: dict) -> dict:
    """An NPS is the mean of +100 (promoter), 0 (passive) and -100 (detractor) per answer."""
    points: dict = defaultdict(int)
    for value, answers in counts.items():
        points[100 if value >= 9 else 0 if value >= 7 else -100] += answers
    return points


def _channel_mean(question, counts: dict) -> tuple[int, float]:
    counts = _as_nps_points(counts) if question.is_nps else counts
    summary = summarise(counts)
    return summary.n, summary.mean if summary.n else math.nan


def _with_adjusted(figure: Figure, adjusted: stats.Standardised) -> Figure:
    return Figure(**{**figure.__dict__, "adjusted": adjusted})


def _pooled(groups) -> dict:
    total: dict = defaultdict(int)
    for counts in groups:
        for value, answers in counts.items():
            total[value] += answers
    return total


def within_member_sd(figures: list[Figure]) -> float:
    """The members' pooled standard deviation: how much answers vary within a municipality."""
    shown = [f.summary for f in figures if f.shown and f.summary and f.summary.n >= 2]
    squares = sum((s.n - 1) * s.variance for s in shown)
    freedom = sum(s.n - 1 for s in shown)
    return math.sqrt(squares / freedom) if freedom else 0.0


def _mean_funnel(figures: list[Figure], group: Figure, adjusted: bool) -> stats.Funnel | None:
    sd = within_member_sd(figures)
    if sd == 0:
        return None
    values = {}
    for f in figures:
        if not f.shown:
            continue
        if adjusted:
            if f.adjusted is None or f.adjusted.mean is None:
                continue  # not adjustable: shown in the table, not in the funnel
            value, n = f.adjusted.mean, f.adjusted.effective_n
        else:
            value, n = f.mean, f.n
        values[f.key] = (value, n, stats.mean_standard_error(sd, n))
    return stats.funnel(values, group.mean) if values else None


def _response_rate(counts, members, group_key, group_name) -> RateBenchmark:
    quarters = counts.period.quarters
    invited = {m.organisation_id: counts.invitations.get(m.organisation_id, {}) for m in members}
    sent = {k: sum(v.get(q, (0, 0))[0] for q in quarters) for k, v in invited.items()}
    answered = {k: sum(v.get(q, (0, 0))[1] for q in quarters) for k, v in invited.items()}
    quarter_ns = {k: [v.get(q, (0, 0))[1] for q in range(1, 5)] for k, v in invited.items()}
    disclosure = _disclosure(answered, quarter_ns, members, counts.period)
    shown = {k for k in disclosure.shown if sent[k]}
    figures = [
        _rate(k, m.name, sent[k], answered[k], k in shown)
        for m in members
        for k in [m.organisation_id]
    ]
    total_sent = sum(sent[k] for k in shown)
    total_answered = sum(answered[k] for k in shown)
    group_shown = len(shown) >= stats.GROUP_MINIMUM_MEMBERS
    group = _rate(group_key, group_name, total_sent, total_answered, group_shown)
    funnel = None
    if group.shown and 0 < group.rate < 1:
        se = stats.proportion_standard_error
        points = {f.key: (f.rate, f.sent, se(group.rate, f.sent)) for f in figures if f.shown}
        funnel = stats.funnel(points, group.rate)
    return RateBenchmark(figures, group, funnel)


def _rate(key, name, sent: int, answered: int, shown: bool) -> RateFigure:
    answered = min(answered, sent)
    if not shown or not sent:
        return RateFigure(key, name, sent, answered, False)
    return RateFigure(
        key, name, sent, answered, True, answered / sent, wilson_interval(answered, sent)
    )


def _importance(counts: CircleCounts, questions, members: set[int]) -> dict[str, float]:
    """Each statement's correlation with the overall grade over the group's shown members."""
    found = {}
    for q in questions:
        shown = [f.key for f in q.members if f.shown and f.key in members]
        sums = DriverSums()
        for key in shown:
            sums += counts.drivers.get((key, q.question.code), DriverSums())
        r = pearson_from_sums(*sums.astuple()) if sums.pairs else None
        if r is not None:
            found[q.question.code] = r
    return found


# --- strengths and weaknesses against the group ----------------------------------------------


@dataclass(frozen=True)
class Relative:
    """A member's statement against the rest of the group: the difference of the means and
    Welch's test; `importance` is the group's correlation of it with the overall grade."""

    code: str
    theme: str
    text: str
    mean: float
    others: float
    test: WelchTest
    importance: float | None

    @property
    def significant(self) -> bool:
        return self.test.p_value is not None and self.test.p_value < SIGNIFICANT


def strengths_and_weaknesses(
    bench: Benchmark, organisation_id: int
) -> tuple[list[Relative], list[Relative]]:
    """The statements (per theme) where the member is significantly better, and worse, than
    the other shown members pooled; the most important first."""
    found = []
    for q in bench.questions:
        if q.question.is_overall or q.question.is_nps:
            continue
        own = q.figure(organisation_id)
        others = [f.summary for f in q.members if f.shown and f.key != organisation_id]
        if own is None or not own.shown or not others:
            continue
        pooled = pool_summaries(others)
        test = welch_test(pooled, own.summary)
        if test is not None:
            importance = bench.importance.get(q.question.code)
            found.append(
                Relative(
                    q.question.code,
                    q.question.theme,
                    q.text,
                    own.mean,
                    pooled.mean,
                    test,
                    importance,
                )
            )
    found.sort(key=lambda r: -(r.importance or 0.0))
    strengths = [r for r in found if r.significant and r.test.difference > 0]
    weaknesses = [r for r in found if r.significant and r.test.difference < 0]
    return strengths, weaknesses


def pool_summaries(summaries: list[Summary]) -> Summary:
    """The summary of several groups' answers taken together, from their summaries alone."""
    n = sum(s.n for s in summaries)
    mean = sum(s.n * s.mean for s in summaries) / n
    squares = sum((s.n - 1) * (s.variance or 0.0) + s.n * (s.mean - mean) ** 2 for s in summaries)
    return Summary(n, mean, squares / (n - 1) if n >= 2 else None)
