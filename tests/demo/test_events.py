"""`flask demo`'s events: a learning network with its evaluations, a klantarena answered in the
room, and a meeting still to come, so that a newcomer sees every event page filled in."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime

from sqlalchemy import func, select

from survey.accounts.models import Role, User
from survey.analysis.models import TALLIES
from survey.analysis.recount import rebuild_tallies
from survey.demo.data import load_demo
from survey.events.models import Event, EventKind, EventSeries, Participant
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.models import Question, QuestionType
from survey.responding.models import Answer, Response
from survey.responding.room_links import RoomAnswerMark, RoomLink

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


def _events(kind: EventKind) -> list[Event]:
    return list(
        db.session.scalars(select(Event).where(Event.kind == kind).order_by(Event.starts_at))
    )


def _responses(event: Event) -> list[Response]:
    return list(db.session.scalars(select(Response).where(Response.event_id == event.id)))


def _mean_statement(event: Event) -> float:
    values = db.session.scalars(
        select(Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Response.event_id == event.id, Question.type == QuestionType.SCALE5)
    ).all()
    return statistics.mean(values)


def _counts() -> dict[str, int]:
    models = (Event, EventSeries, Participant, Invitation, Response, RoomLink, RoomAnswerMark)
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in models
    }


def test_a_learning_network_of_three_evaluated_sessions(ctx):
    load_demo(NOW, events=True)
    db.session.commit()

    series = db.session.scalars(select(EventSeries)).one()
    assert series.title == "Lerend netwerk 2026"
    sessions = series.events
    assert [event.kind for event in sessions] == [EventKind.LEARNING_NETWORK] * 3
    assert all(event.ends_at < NOW and event.evaluations_sent_at for event in sessions)
    coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
    for event in sessions:
        assert event.speakers and event.signer == coordinator
        assert 8 <= len(event.participants) <= 15
        states = {participant.invitation.state for participant in event.participants}
        assert InvitationState.SCHEDULED not in states  # every evaluation went out
        responses = _responses(event)
        # Enough answers to be shown under the default minimum group size, not everybody.
        assert 5 <= len(responses) < len(event.participants)
        assert {
            (r.occasion_kind, r.channel, r.account_manager_id, r.room_link_id) for r in responses
        } == {(OccasionKind.EVENT_PARTICIPANT, Channel.EVENT, coordinator.id, None)}
    # A speaker who spoke twice, so results per speaker pool two sessions.
    names = [speaker.name for event in sessions for speaker in event.speakers]
    assert max(names.count(name) for name in names) == 2
    # Each session went better than the one before: the series view shows a trend.
    means = [_mean_statement(event) for event in sessions]
    assert means[0] < means[2]
    assert means[0] < means[1] or means[1] < means[2]
    remarks = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.event_id.in_([e.id for e in sessions]), Answer.text.is_not(None))
    )
    assert remarks >= 3


def test_a_klantarena_answered_by_email_and_in_the_room(ctx):
    load_demo(NOW, events=True)
    db.session.commit()

    (arena,) = _events(EventKind.KLANTARENA)
    assert arena.ends_at < NOW
    link = db.session.scalars(select(RoomLink).where(RoomLink.event_id == arena.id)).one()
    # Opened at the start of the evening and still open: the evaluation has not closed yet.
    assert link.opens_at == arena.starts_at
    assert link.is_open_at(NOW)
    responses = _responses(arena)
    in_the_room = [r for r in responses if r.room_link_id == link.id]
    assert len(in_the_room) == 8
    assert all(r.invitation_id is None for r in in_the_room)
    assert all(link.opens_at <= r.submitted_at < link.closes_at for r in in_the_room)
    marks = db.session.scalar(
        select(func.count())
        .select_from(RoomAnswerMark)
        .where(RoomAnswerMark.room_link_id == link.id)
    )
    assert marks == 8  # one per phone
    emailed = [r for r in responses if r.invitation_id is not None]
    assert 1 <= len(emailed) < len(arena.participants)


def test_an_upcoming_event_with_its_evaluations_planned(ctx):
    load_demo(NOW, events=True)
    db.session.commit()

    (coming,) = [event for event in db.session.scalars(select(Event)) if event.starts_at > NOW]
    assert coming.send_at > coming.ends_at
    assert len(coming.participants) >= 8
    invitations = [participant.invitation for participant in coming.participants]
    assert {invitation.state for invitation in invitations} == {InvitationState.SCHEDULED}
    assert {invitation.scheduled_at for invitation in invitations} == {coming.send_at}
    assert coming.evaluations_sent_at is None
    assert _responses(coming) == []


def test_running_the_demo_twice_adds_no_events(ctx):
    load_demo(NOW, events=True)
    db.session.commit()
    before = _counts()

    load_demo(NOW, events=True)
    db.session.commit()

    assert _counts() == before


def test_tallies_with_the_demo_events_equal_a_recount(ctx):
    load_demo(NOW, events=True)
    db.session.commit()

    def tallies():
        return {
            tally.__name__: sorted(db.session.execute(select(*tally.__table__.columns)).all())
            for tally in TALLIES
        }

    kept = tallies()
    rebuild_tallies(db.session)
    assert tallies() == kept


def test_the_command_shows_the_room_link_that_takes_answers(app, client):
    output = app.test_cli_runner().invoke(args=["demo"]).output
    link = re.search(r"room link.*\n\s+http://\S+(/r/\S+)", output).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Hoe was de bijeenkomst?" in page.text  # the evaluation, ready to be answered


def test_a_demo_made_before_events_gains_them_once(ctx):
    load_demo(NOW)  # as a database from before events holds it
    db.session.commit()
    assert _counts()["Event"] == 0

    load_demo(NOW, events=True)
    db.session.commit()
    after = _counts()
    load_demo(NOW, events=True)
    db.session.commit()

    assert after["Event"] == 5 and after["EventSeries"] == 1
    assert _counts() == after
