"""The bulk demo: two years of feedback for several municipalities, so the dashboards have
something real to show (drivers, trends, an improvement that worked)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select

from survey.accounts.models import Organisation, User
from survey.analysis.models import TALLIES, ResponseTally
from survey.analysis.recount import rebuild_tallies
from survey.contacts.models import Contact, Source
from survey.contacts.registry import normalise_registry_number
from survey.demo.bulk import generate_responses
from survey.demo.data import load_demo
from survey.events.models import Event, EventSeries, Participant
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.models import Question, QuestionnaireVersion
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _tallies() -> dict:
    return {
        tally.__name__: sorted(db.session.execute(select(*tally.__table__.columns)).all())
        for tally in TALLIES
    }


def _pearson_with_overall(codes: list[str]) -> dict[str, float]:
    """r between each question and the overall grade, over the responses that answered both."""
    values: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(Answer.response_id, Question.code, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.value.is_not(None), Question.code.in_([*codes, "overall"]))
    )
    for response_id, code, value in rows:
        values[response_id][code] = value
    correlations = {}
    for code in codes:
        pairs = [(v[code], v["overall"]) for v in values.values() if code in v and "overall" in v]
        correlations[code] = statistics.correlation(*zip(*pairs, strict=True))
    return correlations


def _generate(count: int = 2_000):
    """Generate after the small demo; returns the summary and the first generated response id."""
    load_demo(NOW)
    db.session.commit()
    first_new = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    return generate_responses(count, NOW, seed=7), first_new


def test_two_years_of_feedback_for_several_municipalities(ctx):
    summary, first_new = _generate()

    assert summary.responses == 2_000
    assert _count(Response, Response.id >= first_new) == 2_000
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(summary.organisation_ids))
    ).all()
    assert len(organisations) >= 6
    assert "Gemeente Demodam" in {o.name for o in organisations}
    assert "Europe/Brussels" in {o.timezone for o in organisations}
    answering = db.session.scalar(select(func.count(func.distinct(Response.account_manager_id))))
    assert answering >= 36  # dozens of account managers
    # Every response carries what the dashboards filter on.
    missing = or_(
        Response.month.is_(None), Response.account_manager_id.is_(None), Response.channel.is_(None)
    )
    assert _count(Response, missing) == 0
    assert db.session.scalar(select(func.count(func.distinct(Response.channel)))) == 5
    months = db.session.scalars(select(Response.month).distinct().order_by(Response.month)).all()
    assert len(months) == 24
    assert (months[0], months[-1]) == (date(2024, 12, 1), date(2026, 11, 1))
    # The first year answers the catalogue's version, the second year the revised one.
    first, second = (db.session.get(QuestionnaireVersion, id) for id in summary.versions)
    assert (first.questionnaire_id, first.number + 1) == (second.questionnaire_id, second.number)
    period = dict(
        db.session.execute(
            select(Response.questionnaire_version_id, func.max(Response.month))
            .where(Response.id >= first_new)
            .group_by(Response.questionnaire_version_id)
        ).all()
    )
    assert period[first.id] <= date(2025, 12, 1) < period[second.id]
    texts = {q.code: q.text for q in first.questions}
    assert {q.code for q in first.questions} < {q.code for q in second.questions}
    assert sum(q.text != texts.get(q.code) for q in second.questions) == 2  # reworded, added


def test_invitations_tallies_and_drivers_are_realistic(ctx):
    summary, _ = _generate()

    states = dict(
        db.session.execute(select(Invitation.state, func.count()).group_by(Invitation.state)).all()
    )
    sent = sum(
        states.get(state, 0)
        for state in (InvitationState.SENT, InvitationState.REMINDED, InvitationState.EXPIRED)
    )
    answered = states[InvitationState.ANSWERED]
    assert 0.30 <= answered / (sent + answered) <= 0.45
    assert summary.invitations > 2 * summary.responses
    assert 0.03 <= states[InvitationState.SUPPRESSED] / summary.invitations <= 0.10
    assert states[InvitationState.SENT] + states[InvitationState.REMINDED] > 0  # still open
    emailed = Response.invitation_id.is_not(None)  # the others came through a room link
    assert _count(Response, emailed) == db.session.scalar(
        select(func.count(func.distinct(Response.invitation_id)))
    )
    contact_surveys = Invitation.occasion_kind == OccasionKind.CONTACT
    assert _count(Contact, Contact.source == Source.DEMO) == _count(Invitation, contact_surveys)
    flemish = db.session.scalars(
        select(Contact.registry_number)
        .join(Organisation, Organisation.id == Contact.organisation_id)
        .where(Organisation.timezone == "Europe/Brussels")
        .limit(50)
    ).all()
    assert [normalise_registry_number(number) for number in flemish] == flemish  # valid KBO

    kept = _tallies()
    assert db.session.scalar(select(func.sum(ResponseTally.responses))) == _count(Response)
    rebuild_tallies(db.session)
    assert _tallies() == kept

    r = _pearson_with_overall(["speed", "agreements", "reachability"])
    assert r["speed"] > 0.45 and r["agreements"] > 0.45
    assert 0 < r["reachability"] < r["speed"] - 0.2


def test_flask_demo_with_responses_prints_logins_and_adds_more_each_run(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--responses", "300"])
    assert first.exit_code == 0, first.output
    assert re.search(r"Generated 300 responses to [\d,]+ invitations", first.output)
    logins = re.findall(r"^\s+(\w+)\s+(\S+@demodam\.example)\s+(\S+)$", first.output, re.M)
    assert len(logins) == 4
    with app.app_context():
        staff, responses = _count(User), _count(Response)
    second = runner.invoke(args=["demo", "--responses", "300"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert _count(Response) == responses + 300
        assert _count(User) == staff  # the same municipalities and people, more feedback


def test_about_one_response_in_ten_evaluates_an_event_of_a_series(ctx):
    summary, first_new = _generate()

    assert summary.event_responses == 200  # a tenth of 2,000
    new = Response.id >= first_new
    evaluations = Response.occasion_kind == OccasionKind.EVENT_PARTICIPANT
    assert _count(Response, new, evaluations) == 200
    assert _count(Response, new, evaluations, Response.channel != Channel.EVENT) == 0
    assert _count(Response, new, evaluations, Response.event_id.is_(None)) == 0
    # Some hundreds of events, most of them sessions of a series, some still to come.
    events = db.session.scalars(select(Event)).all()
    assert len(events) == summary.events >= 300
    assert sum(event.series_id is not None for event in events) > len(events) / 2
    assert any(event.starts_at > NOW for event in events)
    assert db.session.scalar(select(func.count(func.distinct(Response.event_id)))) >= 100
    # An emailed evaluation answers its participant's invitation, of the same event.
    emailed = db.session.execute(
        select(Response.event_id, Invitation.event_id, Participant.event_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(Participant, Participant.invitation_id == Invitation.id)
        .where(new, evaluations)
    ).all()
    assert emailed and all(len(set(ids)) == 1 for ids in emailed)
    # The rest came through the klantarena's room link, one mark per phone.
    room = db.session.execute(
        select(Response.event_id, RoomLink.event_id, Response.submitted_at, RoomLink.opens_at)
        .join(RoomLink, RoomLink.id == Response.room_link_id)
        .where(new)
    ).all()
    assert len(emailed) + len(room) == 200
    assert room and all(response == link for response, link, _, _ in room)
    assert all(submitted.replace(tzinfo=UTC) >= opens for _, _, submitted, opens in room)
    assert _count(RoomAnswerMark) == len(room)
    # Every evaluation invitation has its participant.
    event_invitations = _count(Invitation, Invitation.event_id.is_not(None))
    assert event_invitations == _count(Participant, Participant.invitation_id.is_not(None))
    event_tallied = db.session.scalar(
        select(func.sum(ResponseTally.responses)).where(
            ResponseTally.occasion_kind == OccasionKind.EVENT_PARTICIPANT
        )
    )
    assert event_tallied == 200


def test_a_second_run_adds_answers_to_the_same_events(ctx):
    _generate(500)
    before = {model: _count(model) for model in (Event, EventSeries)}

    generate_responses(500, NOW, seed=8)

    assert {model: _count(model) for model in (Event, EventSeries)} == before
    kept = _tallies()
    rebuild_tallies(db.session)
    assert _tallies() == kept
