"""The results of an event, a series and a speaker against a known set of answers: the same
analysis as the dashboards, with the event minimum and the room answers counted apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from survey.accounts.models import Role
from survey.analysis.models import TALLIES, ResponseTally
from survey.analysis.recount import rebuild_tallies
from survey.analysis.report import event_min_group_size
from survey.events.reporting import event_results, series_results, speakers_of
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.responding.submission import submit_response, submit_room_response
from tests import factories

START = datetime(2026, 3, 10, 14, tzinfo=UTC)
_browsers = iter(range(1, 10**6))


def workshop_answers(grade: int, statement: int = 4, remark: str | None = None) -> dict:
    """A workshop evaluation by question code: four statements, the grade, a choice."""
    answers = dict.fromkeys(("relevance", "speakers", "organisation", "usefulness"), statement)
    answers |= {"overall": grade, "heard_via": "newsletter"}
    if remark:
        answers["remarks"] = remark
    return answers


def _given(version, answers: dict) -> dict:
    questions = {question.code: question for question in version.questions}
    return {questions[code]: value for code, value in answers.items()}


def evaluate(event, answers: dict, *, email: str | None = None, minutes: int = 60):
    """A participant whose evaluation was sent and answered, `minutes` after the send time."""
    participant = factories.participant(event, email)
    invitation = participant.invitation
    invitation.mark_sent(event.send_at, 14)
    db.session.flush()  # sent and answered in two flushes, as the job and the survey page do
    version = invitation.questionnaire_version
    at = event.send_at + timedelta(minutes=minutes)
    return submit_response(invitation, _given(version, answers), "nl", at)


def answer_in_room(event, answers: dict):
    """An anonymous answer through the event's room link, at the end of the session."""
    link = room_link_for(event, event.starts_at)
    given = _given(link.questionnaire_version, answers)
    return submit_room_response(link, given, "nl", event.ends_at, f"browser-{next(_browsers)}")


def unanswered(event, count: int) -> None:
    for _ in range(count):
        factories.participant(event).invitation.mark_sent(event.send_at, 14)
    db.session.flush()


def workshop(org, **fields):
    fields.setdefault("starts_at", START)
    return factories.event(org, **fields)


@pytest.fixture
def org(ctx):
    factories.workshop_version()
    return factories.organisation()  # minimum 5


def test_an_events_figures_come_from_its_own_answers_with_the_rate_and_room_answers_apart(org):
    event = workshop(org)
    other = workshop(org)  # another event's answers stay out
    for grade in (6, 7, 8, 9):
        evaluate(
            event, workshop_answers(grade, remark="Meer tijd voor vragen" if grade == 9 else None)
        )
    unanswered(event, 2)
    for grade in (8, 10):
        answer_in_room(event, workshop_answers(grade, statement=5))
    for _ in range(5):
        evaluate(other, workshop_answers(2, statement=1))
    factories.response(org, factories.user(org), factories.rated_answers(3))  # a contact survey

    found = event_results(event, "nl", without_names=False)
    report = found.report
    assert report.responses == 6 and report.shown
    assert report.overall.n == 6 and report.overall.mean == pytest.approx(48 / 6)
    assert report.question("relevance").mean == pytest.approx((4 * 4 + 2 * 5) / 6)
    rate = report.response_rate
    assert (rate.sent, rate.answered, rate.room) == (6, 4, 2)
    assert not rate.shown  # 4 emailed answers: below the minimum of 5
    assert [item.text for item in found.remarks.items] == ["Meer tijd voor vragen"]


def test_the_rate_has_a_wilson_interval_once_enough_were_answered(org):
    event = workshop(org)
    for grade in range(5, 10):
        evaluate(event, workshop_answers(grade))
    unanswered(event, 5)
    rate = event_results(event, "nl", without_names=False).report.response_rate
    assert rate.shown and rate.rate == pytest.approx(0.5)
    assert rate.interval.low == pytest.approx(0.2366, abs=1e-4)  # Wilson, 5 of 10
    assert rate.interval.high == pytest.approx(0.7634, abs=1e-4)
    assert rate.room == 0


def test_below_the_event_minimum_figures_are_withheld_and_at_three_when_the_admin_allows(org):
    event = workshop(org)
    for grade in (6, 7, 9):
        evaluate(event, workshop_answers(grade))
    assert event_min_group_size(org) == 5
    withheld = event_results(event, "nl", without_names=False).report
    assert withheld.responses == 3 and not withheld.shown and withheld.questions == []
    org.event_min_group_size = 3
    assert event_min_group_size(org) == 3
    shown = event_results(event, "nl", without_names=False).report
    assert shown.shown and shown.overall.mean == pytest.approx(22 / 3)


@pytest.mark.parametrize(
    ("minimum", "event_minimum", "applies"), [(5, None, 5), (8, 4, 4), (4, 6, 4), (3, 2, 3)]
)
def test_the_event_minimum_is_lower_or_equal_and_never_below_three(
    org, minimum, event_minimum, applies
):
    org.min_group_size, org.event_min_group_size = minimum, event_minimum
    assert event_min_group_size(org) == applies


def test_remarks_without_names_come_only_from_months_with_enough_responses(org):
    org.event_min_group_size = 3
    event = workshop(org)
    for index in range(3):
        evaluate(event, workshop_answers(8, remark=f"Opmerking {index}"))
    late = evaluate(event, workshop_answers(8, remark="Te laat"), minutes=60 * 24 * 30)
    assert late.month != event.send_at.date().replace(day=1)  # the next month: one response
    remarks = event_results(event, "nl", without_names=True).remarks
    assert sorted(item.text for item in remarks.items) == [
        "Opmerking 0",
        "Opmerking 1",
        "Opmerking 2",
    ]
    assert remarks.withheld_months == 1 and remarks.items[0].company is None


def _series(org, speakers_per_session, grades_per_session):
    organiser = factories.user(org, Role.COORDINATOR)
    sessions = []
    for number, (speakers, grades) in enumerate(
        zip(speakers_per_session, grades_per_session, strict=True), start=1
    ):
        event = workshop(
            org,
            organiser=organiser,
            starts_at=START + timedelta(days=30 * number),
            series_title="Lerend netwerk 2026",
            speakers=speakers,
            title=f"Sessie {number}",
        )
        for grade in grades:
            evaluate(event, workshop_answers(grade))
        sessions.append(event)
    return sessions


def test_a_series_shows_its_sessions_side_by_side_in_time_order_with_withheld_ones(org):
    sessions = _series(
        org,
        [("Anna Smit",), ("Bram Bos",), ("anna  smit", "Bram Bos")],
        [(6, 6, 7, 7, 8), (9, 9, 9), (8, 8, 8, 9, 9, 10)],
    )
    found = series_results(sessions[0].series, "nl")
    columns = found.comparison.sessions
    assert [column.key for column in columns] == [event.id for event in sessions]
    assert [column.responses for column in columns] == [5, 3, 6]
    assert columns[0].name.endswith("· Sessie 1")
    assert columns[0].results["overall"].mean == pytest.approx(34 / 5)
    assert not columns[1].shown(found.minimum) and columns[1].results["overall"].mean is None
    assert columns[2].results["overall"].mean == pytest.approx(52 / 6)
    assert found.shown_sessions == 2


def test_per_speaker_the_sessions_they_spoke_at_are_pooled(org):
    sessions = _series(
        org,
        [("Anna Smit",), ("Bram Bos",), ("anna  smit", "Bram Bos")],
        [(6, 6, 7, 7, 8), (9, 9, 9), (8, 8, 8, 9, 9, 10)],
    )
    assert speakers_of(sessions) == {
        "Anna Smit": (sessions[0].id, sessions[2].id),
        "Bram Bos": (sessions[1].id, sessions[2].id),
    }
    speakers = {s.name: s for s in series_results(sessions[0].series, "nl").comparison.speakers}
    anna, bram = speakers["Anna Smit"], speakers["Bram Bos"]
    assert (anna.responses, bram.responses) == (11, 9)
    assert anna.results["overall"].mean == pytest.approx((34 + 52) / 11)
    assert bram.results["overall"].mean == pytest.approx((27 + 52) / 9)


def _snapshot() -> dict:
    return {
        tally.__name__: sorted(tuple(row) for row in db.session.execute(db.select(tally.__table__)))
        for tally in TALLIES
    }


def test_tallies_equal_a_recount_with_events_room_answers_and_contacts(org):
    event = workshop(org)
    for grade in (6, 8):
        evaluate(event, workshop_answers(grade, remark="Goed"))
    unanswered(event, 1)
    answer_in_room(event, workshop_answers(9))
    factories.response(org, factories.user(org), factories.rated_answers(7))
    factories.invitation(org, state=InvitationState.REMINDED)
    db.session.flush()
    kept = _snapshot()
    cells = db.session.execute(db.select(ResponseTally.occasion_kind, ResponseTally.event_id))
    assert set(cells) == {
        ("contact", 0),
        ("event_participant", event.id),
    }
    rebuild_tallies(db.session, [org.id])
    assert _snapshot() == kept
