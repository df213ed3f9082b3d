"""Circle figures come from the tallies, equal a recount from the responses, and keep the
disclosure rules; the number of queries does not grow with the data."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select

from survey.analysis.aggregates import DriverSums
from survey.analysis.circle_figures import (
    CircleCounts,
    Member,
    _catalogue_questions,
    benchmark,
    read_circle_counts,
    strengths_and_weaknesses,
)
from survey.analysis.fixed_periods import FixedPeriod, PeriodKind, parse_period
from survey.analysis.models import DriverTally, InvitationTally, RatingTally
from survey.extensions import db
from survey.invitations.dimensions import Channel
from survey.invitations.models import InvitationState
from survey.questionnaires.models import Question
from survey.responding.models import Answer, Response
from tests import factories
from tests.circles.factories import answered, municipality

APRIL = datetime(2025, 4, 15, 10, tzinfo=UTC)
MAY = datetime(2025, 5, 15, 10, tzinfo=UTC)
JANUARY = datetime(2025, 1, 15, 10, tzinfo=UTC)


def _members(*orgs) -> list[Member]:
    return [Member(o.id, o.name, o.size_class, o.min_group_size) for o in orgs]


def _figures(orgs, period="2025-Q2", **options):
    counts = read_circle_counts(db.session, [o.id for o in orgs], parse_period(period))
    return benchmark(counts, _members(*orgs), "nl", **options)


def _recount(orgs, first, last) -> dict:
    """{(organisation id, code): [values]} straight from the answers."""
    rows = db.session.execute(
        select(Response.organisation_id, Question.code, Answer.value)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(
            Response.organisation_id.in_([o.id for o in orgs]),
            Response.month.between(first, last),
            Response.occasion_kind == "contact",
            Answer.value.is_not(None),
        )
    )
    found = defaultdict(list)
    for organisation_id, code, value in rows:
        found[(organisation_id, code)].append(value)
    return found


def test_the_figures_from_the_tallies_equal_a_recount_from_the_responses(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABCD"]
    for index, org in enumerate(orgs):
        answered(org, 6 + index, on=APRIL, overall=[6, 7, 8, 9], statements=[3, 4, 5], seed=index)
        answered(org, 3, on=MAY, overall=[5, 9], recommend=10, channel=Channel.PHONE, seed=9)
        answered(org, 4, on=JANUARY, overall=2)  # another quarter: not in the figures
    bench = _figures(orgs)
    period = parse_period("2025-Q2")
    raw = _recount(orgs, period.first_month, period.last_month)
    for question in bench.questions:
        code = question.question.code
        pooled = []
        for figure in question.members:
            values = raw[(figure.key, code)]
            pooled += values
            assert figure.shown and figure.n == len(values)
            if code == "recommend":
                promoters = sum(v >= 9 for v in values) - sum(v <= 6 for v in values)
                assert figure.nps.score == pytest.approx(100 * promoters / len(values))
            else:
                assert figure.mean == pytest.approx(sum(values) / len(values))
                top = sum(v >= question.question.scale[1] - 1 for v in values)
                assert figure.top_box == pytest.approx(top / len(values))
        assert question.group.n == len(pooled)
        if code != "recommend":
            assert question.group.mean == pytest.approx(sum(pooled) / len(pooled))


def test_a_member_below_its_minimum_is_withheld_and_left_out_of_the_circle_figure(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABCD"]
    for org, count, grade in zip(orgs, (6, 7, 8, 3), (6, 7, 8, 2), strict=True):
        answered(org, count - 1, on=APRIL, overall=grade)
        answered(org, 1, on=APRIL, overall=grade + 1)
    overall = _figures(orgs).question("overall")
    small = overall.figure(orgs[3].id)
    assert not small.shown and small.mean is None and small.summary is None
    # The circle pools the three shown members only: 6*6 + 7*7 + 8*8 + 3 over 21.
    assert overall.group.n == 21
    assert overall.group.mean == pytest.approx((36 + 49 + 64 + 3) / 21)
    assert orgs[3].id not in {p.key for p in overall.funnel.points}


def test_a_group_with_fewer_than_three_members_shown_has_no_figure(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABC"]
    for org, count in zip(orgs, (6, 7, 2), strict=True):
        answered(org, count, on=APRIL)
    overall = _figures(orgs).question("overall")
    assert not overall.group.shown and overall.group.mean is None
    assert overall.funnel is None


def test_a_half_year_is_withheld_when_less_its_shown_quarter_it_leaves_a_few_answers(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABCD"]
    for org in orgs[:3]:
        answered(org, 6, on=APRIL)
    answered(orgs[3], 6, on=APRIL)
    answered(orgs[3], 2, on=JANUARY)  # the first half holds 8, the second quarter 6
    half = _figures(orgs, "2025-H1").question("overall")
    assert not half.figure(orgs[3].id).shown
    assert half.figure(orgs[0].id).shown
    assert _figures(orgs, "2025-Q2").question("overall").figure(orgs[3].id).shown


def test_the_response_rate_counts_invitations_sent_in_the_period(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABC"]
    for index, org in enumerate(orgs):
        answered(org, 5, on=APRIL)
        for _ in range(index + 1):
            factories.invitation(org, state=InvitationState.SENT, sent_at=APRIL)
    rate = _figures(orgs).response_rate
    assert [(f.sent, f.answered) for f in rate.members] == [(6, 5), (7, 5), (8, 5)]
    assert rate.members[0].rate == pytest.approx(5 / 6)
    assert rate.group.rate == pytest.approx(15 / 21)


def test_the_channel_adjustment_reweights_each_member_to_the_circles_mix(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABC"]
    answered(orgs[0], 10, on=APRIL, overall=9, channel=Channel.VISIT)
    answered(orgs[0], 10, on=APRIL, overall=5, channel=Channel.PHONE)
    answered(orgs[1], 30, on=APRIL, overall=8, channel=Channel.VISIT)
    answered(orgs[1], 10, on=APRIL, overall=6, channel=Channel.PHONE)
    answered(orgs[2], 10, on=APRIL, overall=7, channel=Channel.VISIT)
    overall = _figures(orgs, adjusted=True).question("overall")
    # The circle: 50 visits, 20 phone calls. Member A as if it had that mix:
    assert overall.weights == pytest.approx({"visit": 50 / 70, "phone": 20 / 70})
    assert overall.figure(orgs[0].id).adjusted.mean == pytest.approx(9 * 50 / 70 + 5 * 20 / 70)
    assert overall.figure(orgs[0].id).mean == pytest.approx(7.0)  # unadjusted, for the table
    assert overall.figure(orgs[2].id).adjusted.missing == ("phone",)  # not adjustable


def test_strengths_and_weaknesses_name_what_differs_significantly_from_the_circle(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABCD"]
    answered(
        orgs[0],
        20,
        on=APRIL,
        statements={
            **dict.fromkeys(("reachability", "expertise", "agreements", "thinking_along"), 4),
            "speed": 5,
            "clarity": 2,
        },
        overall=[7, 8],
    )
    for org in orgs[1:]:  # every statement 3 or 5: a mean of 4 with some spread
        answered(org, 10, on=APRIL, statements=3, overall=6)
        answered(org, 10, on=APRIL, statements=5, overall=8)
    strengths, weaknesses = strengths_and_weaknesses(_figures(orgs), orgs[0].id)
    assert [r.code for r in strengths] == ["speed"]
    assert [r.code for r in weaknesses] == ["clarity"]
    assert strengths[0].theme == "responsiveness" and strengths[0].test.p_value < 0.05


def _count_queries(orgs) -> int:
    statements = []

    def counted(*_args):
        statements.append(1)

    ids, members = [o.id for o in orgs], _members(*orgs)
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        counts = read_circle_counts(db.session, ids, parse_period("2025-Q2"))
        benchmark(counts, members, "nl")
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_members_or_responses(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABC"]
    for org in orgs:
        answered(org, 5, on=APRIL)
    few = _count_queries(orgs)
    more = [municipality(f"Gemeente {name}") for name in "DEFG"]
    for org in orgs + more:
        answered(org, 8, on=MAY, channel=Channel.PHONE)
    assert _count_queries(orgs + more) == few <= 5


def _tally_statements(orgs, period: str, by_channel: bool) -> list[tuple[str, object]]:
    sent = []

    def kept(_conn, _cursor, statement, parameters, *_rest):
        if "_tally" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", kept)
    try:
        read_circle_counts(db.session, [o.id for o in orgs], parse_period(period), by_channel)
    finally:
        event.remove(db.engine, "before_cursor_execute", kept)
    return sent


@pytest.mark.parametrize(("period", "by_channel"), [("2025-Q2", False), ("2025", True)])
def test_the_tallies_are_read_with_the_members_and_months_written_into_the_statement(
    ctx, period, by_channel
):
    # A statement sent as often as a page is asked for gets prepared, and PostgreSQL then
    # plans it once for any parameters: blind to how many tally rows the members' months
    # hold, that plan read the rating tallies half as slow again as one made for the values.
    orgs = [municipality(f"Gemeente {name}") for name in "AB"]
    for org in orgs:
        answered(org, 3, on=APRIL)
    sent = _tally_statements(orgs, period, by_channel)
    assert len(sent) == 3  # ratings, invitations, drivers
    for statement, parameters in sent:
        assert not parameters, statement
        assert "contact" in statement and str(orgs[1].id) in statement


# --- reading a period's own months gives the figures of reading its whole year ----------------


def _counts_read_by_year(orgs, period):
    """The counts as they were read before the pages read a period's months only: every month
    of the period's year, quarters worked out here (the reference for the test below)."""
    counts = CircleCounts(period, _catalogue_questions(db.session))
    codes = {q.code for q in counts.questions}
    found = db.session.execute(select(Question.id, Question.code).where(Question.code.in_(codes)))
    code_of = dict(found.all())
    ids = [o.id for o in orgs]
    first, last = date(period.year, 1, 1), date(period.year, 12, 1)
    rating = db.session.scalars(
        select(RatingTally).where(
            RatingTally.organisation_id.in_(ids),
            RatingTally.occasion_kind == "contact",
            RatingTally.month.between(first, last),
        )
    )
    for t in rating:
        if t.question_id in code_of:
            quarter = (t.month.month - 1) // 3 + 1
            cell = counts.ratings[(t.organisation_id, code_of[t.question_id])][t.channel][quarter]
            cell[t.value] += t.answers
    for t in db.session.scalars(
        select(InvitationTally).where(
            InvitationTally.organisation_id.in_(ids),
            InvitationTally.occasion_kind == "contact",
            InvitationTally.month.between(first, last),
        )
    ):
        pair = counts.invitations[t.organisation_id][(t.month.month - 1) // 3 + 1]
        pair[0] += t.sent
        pair[1] += t.answered
    for t in db.session.scalars(
        select(DriverTally).where(
            DriverTally.organisation_id.in_(ids),
            DriverTally.occasion_kind == "contact",
            DriverTally.month.between(period.first_month, period.last_month),
        )
    ):
        if t.question_id in code_of:
            sums = DriverSums(t.pairs, t.sum_x, t.sum_y, t.sum_xx, t.sum_yy, t.sum_xy)
            counts.drivers[(t.organisation_id, code_of[t.question_id])] += sums
    return counts


def test_each_period_has_the_figures_of_its_whole_year_read_by_month(ctx):
    classes = zip("ABCDE", "sslls", strict=True)
    orgs = [municipality(f"Gemeente {name}", size_class=size) for name, size in classes]
    orgs[4].min_group_size = 8
    moments = [datetime(2025, month, 10, 9, tzinfo=UTC) for month in (1, 2, 4, 6, 7, 9, 11, 12)]
    for index, org in enumerate(orgs):
        for step, moment in enumerate(moments):
            count = (index * 3 + step * 5) % 7 + (index == 4)  # some small, some empty
            channel = (Channel.VISIT, Channel.PHONE, Channel.EMAIL)[(index + step) % 3]
            answered(
                org,
                count,
                on=moment,
                overall=[4, 6, 7, 8, 9],
                statements=[2, 3, 4, 5],
                recommend=(step * 3) % 11,
                channel=channel,
                seed=index * 10 + step,
            )
            factories.invitation(org, state=InvitationState.SENT, sent_at=moment)
    answered(orgs[0], 5, on=datetime(2026, 1, 10, tzinfo=UTC))  # another year: in no figure
    periods = [FixedPeriod(2025, PeriodKind.QUARTER, q) for q in range(1, 5)]
    periods += [FixedPeriod(2025, PeriodKind.HALF_YEAR, h) for h in (1, 2)]
    periods += [FixedPeriod(2025, PeriodKind.YEAR, 1)]
    members = _members(*orgs)
    withheld = 0
    for period in periods:
        read = read_circle_counts(db.session, [o.id for o in orgs], period)
        unsplit = read_circle_counts(db.session, [o.id for o in orgs], period, by_channel=False)
        reference = _counts_read_by_year(orgs, period)
        for chosen in (members, [m for m in members if m.size_class == "s"]):
            for adjusted in (False, True):
                got = benchmark(read, chosen, "nl", adjusted=adjusted)
                expected = benchmark(reference, chosen, "nl", adjusted=adjusted)
                assert got == expected, (period.code, len(chosen), adjusted)
                withheld += sum(not f.shown for q in got.questions for f in q.members)
            # Read without the channels (an unadjusted page): the same figures.
            assert benchmark(unsplit, chosen, "nl") == benchmark(read, chosen, "nl")
    assert withheld  # the fixture does exercise the disclosure control


def test_counts_read_without_their_channels_add_them_up_and_refuse_the_adjustment(ctx):
    orgs = [municipality(f"Gemeente {name}") for name in "ABC"]
    for org in orgs:
        answered(org, 10, on=APRIL, overall=9, channel=Channel.VISIT)
        answered(org, 10, on=MAY, overall=5, channel=Channel.PHONE)
    ids = [o.id for o in orgs]
    counts = read_circle_counts(db.session, ids, parse_period("2025-Q2"), by_channel=False)
    assert counts.counts(orgs[0].id, "overall") == {9: 10, 5: 10}
    assert counts.quarter_ns(orgs[0].id, "overall") == [0, 20, 0, 0]
    with pytest.raises(ValueError):
        benchmark(counts, _members(*orgs), "nl", adjusted=True)
