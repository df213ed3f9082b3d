"""The feedback report as a plain function: figures from the tallies, the minimum group size,
drivers, trend and before/after, checked against SciPy on the same answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from scipy import stats

from survey.analysis.comparisons import compare_managers
from survey.analysis.drivers import Quadrant
from survey.analysis.models import TALLIES, ResponseTally
from survey.analysis.population import Population, version_ids
from survey.analysis.recount import rebuild_tallies
from survey.analysis.report import feedback_report
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.catalogue import add_version, catalogue_questionnaire
from survey.responding.models import Answer, Response
from survey.responding.submission import submit_response
from tests import factories
from tests.factories import rated_answers


def _population(org, **narrowing) -> Population:
    questionnaire = catalogue_questionnaire("contact-survey")
    return Population(org.id, version_ids(db.session, questionnaire), **narrowing)


def _report(org, since=None, **narrowing):
    return feedback_report(db.session, _population(org, **narrowing), 5, "nl", since=since)


def _at(year, month, day=15) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


@pytest.fixture
def org(ctx):
    factories.contact_version()
    return factories.organisation()


def test_no_responses_gives_an_empty_report_that_says_so(org):
    report = _report(org)
    assert report.responses == 0 and not report.shown and report.questions == []
    assert not report.response_rate.shown


def test_fewer_responses_than_the_minimum_withhold_every_figure(org):
    manager = factories.user(org)
    for grade in (6, 7, 8, 9):
        factories.response(org, manager, rated_answers(grade))
    report = _report(org)
    assert report.responses == 4 and not report.shown
    assert report.questions == [] and report.drivers is None and report.trend is None


def test_means_intervals_top_box_and_distribution_match_scipy(org):
    manager = factories.user(org)
    grades = [4, 6, 7, 8, 8, 9, 10]
    speeds = [1, 2, 3, 4, 4, 5, 5]
    for grade, speed in zip(grades, speeds, strict=True):
        factories.response(org, manager, rated_answers(grade, {"speed": speed}, recommend=grade))
    report = _report(org)
    overall = report.overall
    assert overall.n == 7 and overall.mean == pytest.approx(np.mean(grades))
    low, high = stats.t.interval(0.95, 6, loc=np.mean(grades), scale=stats.sem(grades))
    assert (overall.interval.low, overall.interval.high) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    assert overall.top_box == pytest.approx(2 / 7)  # 9 and 10
    speed = report.question("speed")
    assert [share.count for share in speed.distribution] == [1, 1, 1, 2, 2]
    assert speed.top_box == pytest.approx(4 / 7)
    wilson = stats.binomtest(4, 7).proportion_ci(method="wilson")
    assert speed.top_box_interval.low == pytest.approx(wilson.low)
    nps = report.nps.nps
    assert (nps.promoters, nps.passives, nps.detractors) == (2, 3, 2)  # 9-10, 7-8, 0-6
    assert nps.score == 0


def test_a_skipped_optional_question_is_withheld_on_its_own(org):
    manager = factories.user(org)
    for index in range(6):
        answers = rated_answers(8)
        if index < 2:
            del answers["reachability"]  # "does not fit my contact"
        factories.response(org, manager, answers)
    report = _report(org)
    assert report.shown and report.question("overall").n == 6
    reachability = report.question("reachability")
    assert reachability.n == 4 and not reachability.shown and reachability.mean is None
    assert reachability.distribution == [] and reachability.interval is None


def test_all_answers_equal_give_an_interval_of_no_width(org):
    manager = factories.user(org)
    for _ in range(5):
        factories.response(org, manager, rated_answers(7))
    overall = _report(org).overall
    assert overall.mean == 7 and (overall.interval.low, overall.interval.high) == (7, 7)
    assert _report(org).drivers is None  # no spread: no correlation to speak of


def test_no_interval_runs_past_the_ends_of_its_scale(org):
    # Seen: "2,8 – 5,2" on 1–5 and "5,4 – 10,2" on 0–10.
    manager = factories.user(org)
    for grade, statement in ((10, 5), (10, 5), (10, 5), (6, 2), (10, 5)):
        factories.response(org, manager, rated_answers(grade, statement, recommend=grade))
    report = _report(org, first_month=date(2026, 1, 1))
    for result in report.rated:
        low, high = result.scale
        assert low <= result.interval.low <= result.interval.high <= high, result.code
        assert result.interval.clipped
    for point in report.trend.points:
        assert point.interval.high <= 10 and point.interval.clipped


def test_questions_are_compared_across_versions_by_code(org):
    manager = factories.user(org)
    questionnaire = catalogue_questionnaire("contact-survey")
    first = questionnaire.latest_version
    definitions = [question.definition() for question in first.questions]
    definitions[0] = {**definitions[0], "text": {"nl": "Bereikbaar?", "en": "Reachable?"}}
    second = add_version(questionnaire, first.intro, definitions)
    for grade in (6, 7, 8):
        factories.response(org, manager, rated_answers(grade), version=first)
        factories.response(org, manager, rated_answers(grade + 1), version=second)
    report = _report(org)
    assert report.overall.n == 6 and report.overall.mean == pytest.approx(7.5)
    assert report.question("reachability").text == "Bereikbaar?"  # the newest wording


def test_drivers_name_important_high_strengths_and_important_low_priorities(org):
    manager = factories.user(org)
    rng = np.random.default_rng(4)
    for _ in range(40):
        mood = rng.uniform(0, 1)
        answers = {
            "speed": int(round(1 + 4 * mood)),  # follows the grade closely, answered high
            "agreements": int(round(1 + 2 * mood)),  # follows the grade, answered low
            "reachability": int(rng.integers(3, 6)),  # unrelated to the grade, high
            "expertise": int(rng.integers(1, 4)),  # unrelated, low
            "thinking_along": int(round(2 + 2 * mood + rng.uniform(-1, 1))),
            "clarity": int(rng.integers(2, 5)),
        }
        factories.response(org, manager, rated_answers(int(round(3 + 7 * mood)), answers))
    drivers = _report(org).drivers
    by_code = {driver.code: driver for driver in drivers.drivers}
    assert by_code["speed"].quadrant is Quadrant.STRENGTH
    assert by_code["agreements"].quadrant is Quadrant.PRIORITY
    assert "speed" in [d.code for d in drivers.strengths]
    assert drivers.priorities[0].code == "agreements"
    assert by_code["reachability"].quadrant in (Quadrant.MAINTAIN, Quadrant.LESS_IMPORTANT)


def test_importance_is_the_correlation_over_those_who_answered_both(org):
    manager = factories.user(org)
    pairs = [(1, 3), (2, 5), (3, 6), (4, 8), (5, 9), (4, 7)]
    for index, (speed, grade) in enumerate(pairs):
        others = {"clarity": 1 + index % 3, "expertise": 5 - index % 2}
        factories.response(org, manager, rated_answers(grade, {"speed": speed, **others}))
    factories.response(org, manager, {"overall": 2, "recommend": 3})  # skipped every statement
    sums = feedback_report(db.session, _population(org), 3, "nl").drivers
    speed = next(driver for driver in sums.drivers if driver.code == "speed")
    expected = stats.pearsonr([s for s, _ in pairs], [g for _, g in pairs]).statistic
    assert speed.importance == pytest.approx(expected) and speed.pairs == 6


def test_trend_by_month_withholds_thin_months(org):
    manager = factories.user(org)
    for month, count in ((1, 5), (2, 6), (3, 2)):
        for _ in range(count):
            factories.response(org, manager, rated_answers(7), submitted_at=_at(2026, month))
    trend = _report(org, first_month=date(2025, 6, 1), last_month=date(2026, 12, 1)).trend
    assert trend.unit == "month"  # from the first month with responses to the last
    assert [(p.period.month, p.n, p.shown) for p in trend.points] == [
        (1, 5, True),
        (2, 6, True),
        (3, 2, False),
    ]
    assert trend.points[2].mean is None and trend.points[2].interval is None


def test_trend_turns_to_quarters_when_too_many_months_are_thin(org):
    manager = factories.user(org)
    for month, count in ((1, 5), (2, 2), (3, 1), (4, 6)):
        for _ in range(count):
            factories.response(org, manager, rated_answers(7), submitted_at=_at(2026, month))
    trend = _report(org, first_month=date(2026, 1, 1)).trend
    assert trend.unit == "quarter"
    assert [(p.period, p.n, p.shown) for p in trend.points] == [
        (date(2026, 1, 1), 8, True),
        (date(2026, 4, 1), 6, True),
    ]


def test_before_and_after_an_improvement_matches_welch(org):
    manager = factories.user(org)
    before, after = [5, 6, 6, 7, 5, 6], [7, 8, 8, 9, 7, 8, 9]
    for grade in before:
        factories.response(org, manager, rated_answers(grade), submitted_at=_at(2026, 3))
    for grade in after:
        factories.response(org, manager, rated_answers(grade), submitted_at=_at(2026, 5))
    change = next(
        c for c in _report(org, since=date(2026, 4, 1)).before_after.changes if c.code == "overall"
    )
    expected = stats.ttest_ind(after, before, equal_var=False)
    assert change.shown and change.test.difference == pytest.approx(
        np.mean(after) - np.mean(before)
    )
    assert change.test.p_value == pytest.approx(expected.pvalue)
    assert change.test.t == pytest.approx(expected.statistic)
    thin = _report(org, since=date(2026, 3, 1)).before_after  # nothing before March
    assert not any(c.shown for c in thin.changes)
    assert all(c.before.mean is None and c.after.mean is None for c in thin.changes)


@pytest.mark.parametrize(
    ("before", "after"),
    [([5, 6, 7, 6, 5, 7], [8, 9]), ([5, 6], [8, 9, 7, 8, 9, 8])],
    ids=["thin after", "thin before"],
)
def test_a_before_after_with_one_thin_side_shows_neither_means_nor_a_test(org, before, after):
    manager = factories.user(org)
    for grade in before:
        factories.response(org, manager, rated_answers(grade), submitted_at=_at(2026, 3))
    for grade in after:
        factories.response(org, manager, rated_answers(grade), submitted_at=_at(2026, 5))
    report = _report(org, since=date(2026, 4, 1))
    assert report.shown and report.overall.mean is not None  # enough responses in all
    changes = report.before_after.changes
    overall = next(c for c in changes if c.code == "overall")
    assert (overall.before.n, overall.after.n) == (len(before), len(after))
    assert changes and not any(c.shown or c.test for c in changes)
    assert all(c.before.mean is None and c.after.mean is None for c in changes)


def test_filters_narrow_every_figure(org):
    sanne, joris = factories.user(org), factories.user(org)
    for _ in range(5):
        factories.response(org, sanne, rated_answers(9))
        factories.response(org, joris, rated_answers(5), channel="phone")
    assert _report(org).overall.mean == 7
    assert _report(org, account_manager_ids=(sanne.id,)).overall.mean == 9
    assert _report(org, channel="phone").overall.mean == 5
    other = factories.organisation()
    assert _report(other).responses == 0


def test_managers_side_by_side_withhold_the_small_ones(org):
    sanne, joris = factories.user(org, name="Sanne"), factories.user(org, name="Joris")
    for _ in range(5):
        factories.response(org, sanne, rated_answers(9))
    for _ in range(3):
        factories.response(org, joris, rated_answers(4))
    columns = compare_managers(
        db.session, _population(org), {sanne.id: "Sanne", joris.id: "Joris"}, 5, "nl"
    )
    assert [(c.name, c.responses) for c in columns] == [("Sanne", 5), ("Joris", 3)]
    assert columns[0].results["overall"].mean == 9
    assert columns[1].results["overall"].mean is None and not columns[1].shown(5)


def test_response_rate_counts_sent_answered_and_suppressed(org):
    manager = factories.user(org)
    for _ in range(6):
        factories.response(org, manager, rated_answers(8))
    for state in (InvitationState.SENT, InvitationState.EXPIRED, InvitationState.SUPPRESSED):
        factories.invitation(org, manager, state=state)
    rate = _report(org).response_rate
    assert (rate.sent, rate.answered, rate.suppressed) == (8, 6, 1)
    assert rate.rate == pytest.approx(6 / 8)


def test_a_response_rate_resting_on_too_few_invitations_is_withheld_in_a_shown_report(org):
    # Responses count in the month they came in, invitations in the month they were sent:
    # four sent in late March were answered in April, one was sent and answered in April.
    manager = factories.user(org)
    for day in (26, 27, 30, 31):
        factories.response(
            org, manager, rated_answers(8), submitted_at=_at(2026, 4, 1), sent_at=_at(2026, 3, day)
        )
    factories.response(org, manager, rated_answers(8), submitted_at=_at(2026, 4, 7))
    april = _report(org, first_month=date(2026, 4, 1), last_month=date(2026, 4, 1))
    assert april.shown and april.responses == 5
    rate = april.response_rate
    assert (rate.sent, rate.answered) == (1, 1)  # "100% (1 of 1)" if it were shown
    assert not rate.shown and rate.rate is None and rate.interval is None
    assert _report(org).response_rate.rate == 1  # all months: 5 of 5


def _workshop_answers(grade: int) -> dict:
    """A workshop evaluation: statements, the grade, a choice and a multiple choice."""
    statements = dict.fromkeys(("relevance", "speakers", "organisation"), 1 + grade % 5)
    topics = ["staff", "digital"] if grade % 2 else ["financing"]
    heard_via = ("invitation", "newsletter", "network")[grade % 3]
    chosen = {"heard_via": heard_via, "next_topics": topics}
    return {**statements, "usefulness": 4, "overall": grade, **chosen}


# The contact survey asks no choice questions; the workshop evaluation asks both kinds.
KEPT_TALLIES = {
    "contact-survey": (
        factories.contact_version,
        rated_answers,
        {"overall": 6, "recommend": 2, "improve": "Sneller"},
    ),
    "workshop-evaluation": (
        factories.workshop_version,
        _workshop_answers,
        {"overall": 6, "next_topics": ["permits"], "remarks": "Sneller"},
    ),
}


@pytest.mark.parametrize("questionnaire", list(KEPT_TALLIES))
def test_the_tallies_kept_on_every_flush_equal_a_recount(org, questionnaire):
    made_version, answers, partly = KEPT_TALLIES[questionnaire]
    version = made_version()
    manager = factories.user(org)
    for grade in (3, 5, 8, 9, 10):
        factories.response(
            org, manager, answers(grade), submitted_at=_at(2026, 2, 28), version=version
        )
    factories.response(org, manager, partly, version=version)
    factories.invitation(org, manager, state=InvitationState.SUPPRESSED, version=version)
    factories.invitation(org, manager, state=InvitationState.REMINDED, version=version)
    event_id = _evaluation_responses(org, manager, version, answers(7))
    db.session.flush()
    kept = _snapshot()
    cells = db.session.execute(db.select(ResponseTally.occasion_kind, ResponseTally.event_id))
    assert set(cells) == {("contact", 0), ("event_participant", event_id)}
    assert kept["OptionTally"] or questionnaire == "contact-survey"
    rebuild_tallies(db.session, [org.id])
    assert _snapshot() == kept


def _evaluation_responses(org, organiser, version, answers: dict) -> int:
    """An event participant's invitation, answered, and an answer through the event's room link
    (no invitation), made directly; the event's id."""
    event = factories.event(org, organiser)
    room_link = room_link_for(event, _at(2026, 3, 1))
    invitation = Invitation(
        organisation_id=org.id,
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=event.id,
        questionnaire_version_id=version.id,
        staff_member_id=organiser.id,
        channel=Channel.EVENT,
        recipient_email="deelnemer@example.org",
        scheduled_at=_at(2026, 3, 1),
    )
    db.session.add(invitation)
    invitation.mark_sent(_at(2026, 3, 1), 14)
    db.session.flush()
    questions = {question.code: question for question in version.questions}
    given = {questions[code]: value for code, value in answers.items()}
    submit_response(invitation, given, "nl", _at(2026, 3, 2))
    room = Response(
        organisation_id=org.id,
        questionnaire_version_id=version.id,
        submitted_at=_at(2026, 3, 2),
        locale="en",
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=event.id,
        room_link_id=room_link.id,
        channel=Channel.EVENT,
        month=date(2026, 3, 1),
    )
    room.answers = [
        Answer(question_id=questions["overall"].id, value=9),
        Answer(question_id=questions["usefulness"].id, value=2)
        if "usefulness" in questions
        else Answer(question_id=questions["speed"].id, value=2),
    ]
    db.session.add(room)
    return event.id


def _snapshot() -> dict:
    return {
        tally.__name__: sorted(tuple(row) for row in db.session.execute(db.select(tally.__table__)))
        for tally in TALLIES
    }


@pytest.mark.parametrize("questionnaire", list(KEPT_TALLIES))
def test_flask_analysis_recount_counts_the_same_again(app, org, questionnaire):
    made_version, answers, _ = KEPT_TALLIES[questionnaire]
    version = made_version()
    manager = factories.user(org)
    for grade in (4, 6, 9, 9, 10):
        factories.response(org, manager, answers(grade), version=version)
    db.session.commit()
    kept = _snapshot()
    result = app.test_cli_runner().invoke(args=["analysis", "recount"])
    assert result.exit_code == 0 and "counted again" in result.output
    db.session.expire_all()
    assert _snapshot() == kept
