"""An invitation records what it is reported by; fatigue holds per kind of occasion, opt-outs and
bounces for every kind."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState, SuppressionReason
from survey.invitations.rules import apply_suppression_rules, invite_for_contact
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _evaluation_invitation(org, organiser, email="eva@bakkerij.example", event=None) -> Invitation:
    """An event participant's invitation, made directly (not through a participant)."""
    invitation = Invitation(
        organisation_id=org.id,
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=(event or factories.event(org, organiser)).id,
        questionnaire_version_id=factories.workshop_version().id,
        staff_member_id=organiser.id,
        channel=Channel.EVENT,
        recipient_email=email,
        scheduled_at=NOW,
        created_at=NOW,
    )
    db.session.add(invitation)
    apply_suppression_rules(invitation, NOW)
    db.session.flush()
    return invitation


def test_an_invitation_records_its_contacts_dimensions_when_it_is_made(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    contact = factories.contact(
        org, manager, registry_number="12345678", contacted_on=date(2026, 11, 23)
    )
    invitation = invite_for_contact(contact, org, NOW)
    assert invitation.occasion_kind is OccasionKind.CONTACT
    assert invitation.event_id is None
    assert invitation.staff_member_id == manager.id
    assert invitation.channel is contact.channel
    assert invitation.occasion_on == date(2026, 11, 23)
    assert (invitation.company_name, invitation.registry_number) == (
        contact.company_name,
        "12345678",
    )


def test_a_response_copies_the_invitations_dimensions(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    response = factories.response(org, manager, {"overall": 8}, channel=Channel.PHONE)
    assert response.occasion_kind is OccasionKind.CONTACT
    assert response.event_id is None
    assert (response.account_manager_id, response.channel) == (manager.id, Channel.PHONE)


def test_a_contact_survey_does_not_hold_back_an_evaluation_of_another_kind_of_occasion(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    invite_for_contact(factories.contact(org, manager), org, NOW)
    evaluation = _evaluation_invitation(org, manager)
    assert evaluation.state is InvitationState.SCHEDULED


def test_an_evaluation_does_not_hold_back_a_contact_survey_but_one_of_its_kind(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    event = factories.event(org, manager)
    _evaluation_invitation(org, manager, event=event)
    contact_survey = invite_for_contact(factories.contact(org, manager), org, NOW)
    again = _evaluation_invitation(org, manager, event=event)  # the same event once more
    assert contact_survey.state is InvitationState.SCHEDULED
    assert again.suppression_reason is SuppressionReason.RECENTLY_INVITED


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (SuppressionKind.OPTED_OUT, SuppressionReason.OPTED_OUT),
        (SuppressionKind.BOUNCED, SuppressionReason.BOUNCED),
    ],
)
def test_an_opt_out_or_a_bounce_holds_back_every_kind_of_occasion(ctx, kind, reason):
    org = factories.organisation()
    suppress_address(org.id, "eva@bakkerij.example", kind, NOW)
    evaluation = _evaluation_invitation(org, factories.user(org))
    assert (evaluation.state, evaluation.suppression_reason) == (
        InvitationState.SUPPRESSED,
        reason,
    )
