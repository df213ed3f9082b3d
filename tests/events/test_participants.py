"""Participants and their evaluations, without HTTP: send time, one per event, late additions,
removal before sending, and fatigue between contact surveys and event evaluations."""

from datetime import UTC, datetime, timedelta

import pytest

from survey.clock import utcnow
from survey.events.participants import ParticipantError, check_participant, remove_participant
from survey.events.timing import default_send_at
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import InvitationState
from tests import factories


def test_an_event_ending_in_the_afternoon_is_evaluated_two_hours_later(ctx):
    org = factories.organisation()  # Europe/Amsterdam
    ends = datetime(2027, 3, 10, 15, 30, tzinfo=UTC)  # 16:30 in Amsterdam, a Wednesday
    assert default_send_at(ends, org) == datetime(2027, 3, 10, 17, 30, tzinfo=UTC)


def test_an_event_ending_in_the_evening_is_evaluated_the_next_working_morning(ctx):
    org = factories.organisation()
    friday_evening = datetime(2027, 3, 12, 19, 0, tzinfo=UTC)  # 20:00 in Amsterdam
    # Monday 15 March, 09:00 in Amsterdam (UTC+1).
    assert default_send_at(friday_evening, org) == datetime(2027, 3, 15, 8, 0, tzinfo=UTC)


def test_a_participant_gets_one_evaluation_recorded_with_the_event(ctx):
    org = factories.organisation()
    event = factories.event(org, send_at=utcnow() + timedelta(hours=1))
    participant = factories.participant(event, "Anna@Example.org", locale="en")
    invitation = participant.invitation
    assert participant.email == "anna@example.org"
    assert invitation.occasion_kind is OccasionKind.EVENT_PARTICIPANT
    assert invitation.event_id == event.id
    assert invitation.channel is Channel.EVENT
    assert invitation.staff_member_id == event.signer.id
    assert invitation.locale == "en"
    assert invitation.scheduled_at == event.send_at
    with pytest.raises(ParticipantError):
        factories.participant(event, "anna@example.org")


def test_a_participant_added_after_sending_is_invited_at_once(ctx):
    org = factories.organisation()
    event = factories.event(org, send_at=utcnow() - timedelta(hours=3))
    before = utcnow()
    invitation = factories.participant(event).invitation
    assert invitation.state is InvitationState.SCHEDULED
    assert before <= invitation.scheduled_at <= utcnow()


def test_a_participant_removed_before_sending_gets_nothing(ctx):
    org = factories.organisation()
    event = factories.event(org, send_at=utcnow() + timedelta(hours=1))
    participant = factories.participant(event)
    invitation = participant.invitation
    remove_participant(participant, utcnow())
    db.session.flush()
    assert invitation.state is InvitationState.CANCELLED
    assert event.participants == []


def test_a_contact_survey_does_not_hold_back_an_evaluation_nor_a_session_the_next(ctx):
    org = factories.organisation()
    factories.invitation(org, email="piet@example.org")  # a contact survey, just sent
    first = factories.event(org, series_title="Lerend netwerk 2027")
    second = factories.event(org, series_title="Lerend netwerk 2027")
    one = factories.participant(first, "piet@example.org").invitation
    two = factories.participant(second, "piet@example.org").invitation
    assert one.state is InvitationState.SCHEDULED
    assert two.state is InvitationState.SCHEDULED
    assert first.series is second.series


def test_an_impossible_participant_is_refused_with_every_reason(ctx):
    with pytest.raises(ParticipantError) as refused:
        check_participant("x" * 201, "not-an-address", "", "fr")
    assert set(refused.value.problems) == {"name", "email", "locale"}
