"""The invitation email speaks of the occasion: a contact survey of the contact with the account
manager, a workshop evaluation of the meeting; in Dutch and in English."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.emails import compose_email
from survey.invitations.models import Invitation
from survey.outbox.models import EmailPurpose
from tests import factories

WORKSHOP = {
    "en": (
        "How was the meeting of {org}?",
        "On December 3, 2026 you took part in a meeting of {org}.",
        "What did you think of it?",
        "A few days ago we asked what you thought of the meeting.",
    ),
    "nl": (
        "Hoe was de bijeenkomst van {org}?",
        "Op 3 december 2026 was u bij een bijeenkomst van {org}.",
        "Wat vond u ervan?",
        "Een paar dagen geleden vroegen wij wat u van de bijeenkomst vond.",
    ),
}
CONTACT = {
    "en": ("How was your contact with", "you were in touch with", "How did that go?"),
    "nl": ("Hoe was uw contact met", "had u contact met", "Hoe is dat gegaan?"),
}


def _evaluation_invitation(org, organiser, locale: str) -> Invitation:
    invitation = Invitation(
        organisation=org,
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=factories.event(org, organiser).id,
        occasion_on=date(2026, 12, 3),
        questionnaire_version=factories.workshop_version(),
        staff_member=organiser,
        channel=Channel.EVENT,
        recipient_email="deelnemer@example.org",
        recipient_name="Deelnemer",
        locale=locale,
        scheduled_at=datetime(2026, 12, 3, 17, tzinfo=UTC),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_workshop_evaluation_asks_about_the_meeting(ctx, locale):
    org = factories.organisation("Gemeente Ölst")
    invitation = _evaluation_invitation(org, factories.user(org), locale)
    subject, opening, question, reminded = (t.format(org=org.name) for t in WORKSHOP[locale])
    email = compose_email(invitation, EmailPurpose.INVITATION)
    assert email.subject == subject
    for body in (email.text_body, email.html_body):
        assert opening in body and question in body
        assert CONTACT[locale][1] not in body and CONTACT[locale][2] not in body
    reminder = compose_email(invitation, EmailPurpose.REMINDER)
    assert reminder.subject.endswith(subject) and reminder.subject != subject
    assert reminded in reminder.text_body and reminded in reminder.html_body


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_contact_survey_still_asks_about_the_contact(ctx, locale):
    org = factories.organisation("Gemeente Ölst")
    email = compose_email(factories.invitation(org, locale=locale), EmailPurpose.INVITATION)
    subject, opening, question = CONTACT[locale]
    assert email.subject.startswith(subject)
    for body in (email.text_body, email.html_body):
        assert opening in body and question in body
        assert WORKSHOP[locale][2] not in body
