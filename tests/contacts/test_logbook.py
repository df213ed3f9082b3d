"""Logging a contact: checked once, normalised, refused twice, and leading to an invitation."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.contacts.logbook import (
    ContactError,
    contact_list,
    count_contacts,
    invitation_of,
    log_contact,
)
from survey.contacts.models import Channel, Contact, Source
from survey.extensions import db
from survey.invitations.models import InvitationState, SuppressionReason
from survey.invitations.overview import why_not_invited
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from survey.request_input import Cursor
from tests import factories

# Wednesday 2 December 2026, 11:00 in Amsterdam.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def contact_fields(**changes) -> dict:
    fields = {
        "company_name": "Bakkerij  De Korenaar",
        "registry_number": "1234 5678",
        "person_name": "Fatima El Amrani",
        "email": " Fatima@Korenaar.EXAMPLE ",
        "locale": "nl",
        "contacted_on": date(2026, 12, 1),
        "channel": Channel.VISIT,
        "subject": "Uitbreiding van de winkel",
        "now": NOW,
    }
    return fields | changes


@pytest.fixture(autouse=True)
def english(ctx):
    """Messages are checked in English, whatever the translators make of them."""
    with force_locale("en"):
        yield


@pytest.fixture
def org(ctx):
    return factories.organisation(send_delay_days=1, send_hour=9, fatigue_days=90)


@pytest.fixture
def sanne(org):
    return factories.user(org, name="Sanne de Vries")


def test_a_logged_contact_is_stored_normalised_and_gets_an_invitation(org, sanne):
    contact = log_contact(org, sanne, actor=sanne, **contact_fields())
    db.session.flush()
    assert contact.id is not None
    assert contact.email == "fatima@korenaar.example"
    assert contact.registry_number == "12345678"
    assert contact.company_name == "Bakkerij De Korenaar"
    assert contact.source is Source.WEB
    invitation = invitation_of(contact)
    assert invitation.state is InvitationState.SCHEDULED
    assert invitation.recipient_email == "fatima@korenaar.example"
    assert invitation.staff_member_id == sanne.id
    assert invitation.scheduled_at > NOW  # the timing itself is the rules' business


def test_the_same_contact_twice_is_refused_with_a_clear_message(org, sanne):
    log_contact(org, sanne, **contact_fields())
    with pytest.raises(ContactError) as refused:
        log_contact(org, sanne, **contact_fields(email="fatima@korenaar.example"))
    assert "logged already" in str(refused.value)
    assert set(refused.value.problems) == {"contacted_on"}
    assert db.session.scalar(select(func.count(Contact.id))) == 1
    # Another day or another channel is another contact.
    log_contact(org, sanne, **contact_fields(channel=Channel.PHONE))
    log_contact(org, sanne, **contact_fields(contacted_on=date(2026, 11, 30)))


def test_a_contact_in_the_future_of_the_organisation_is_refused(org, sanne):
    # 23:30 on 1 December in UTC is already 2 December in Amsterdam.
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    log_contact(org, sanne, **contact_fields(contacted_on=date(2026, 12, 2), now=late_evening))
    with pytest.raises(ContactError) as refused:
        log_contact(org, sanne, **contact_fields(contacted_on=date(2026, 12, 3)))
    assert "future" in str(refused.value)


def test_a_contact_of_more_than_a_year_ago_is_refused(org, sanne):
    with pytest.raises(ContactError) as refused:
        log_contact(org, sanne, **contact_fields(contacted_on=date(2025, 11, 30)))
    assert "more than a year ago" in str(refused.value)


def test_every_problem_is_reported_at_once(org, sanne):
    with pytest.raises(ContactError) as refused:
        log_contact(
            org,
            sanne,
            **contact_fields(
                company_name="  ",
                registry_number="0123456748",
                person_name="",
                email="fatima@",
                locale="de",
                contacted_on=None,
                channel="fax",
                subject="x" * 301,
            ),
        )
    assert set(refused.value.problems) == {
        "company_name",
        "registry_number",
        "person_name",
        "email",
        "locale",
        "contacted_on",
        "channel",
        "subject",
    }
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_an_empty_language_is_the_organisations_language(org, sanne):
    org.locale = "en"
    contact = log_contact(org, sanne, **contact_fields(locale=None))
    assert contact.locale == "en"
    assert invitation_of(contact).locale == "en"


def test_any_active_staff_member_of_the_organisation_may_be_account_manager(org, sanne):
    coordinator = factories.user(org, Role.COORDINATOR)
    contact = log_contact(org, coordinator, actor=coordinator, **contact_fields())
    assert contact.account_manager_id == coordinator.id
    # A coordinator logs on behalf of an account manager.
    on_behalf = log_contact(org, sanne, actor=coordinator, **contact_fields(channel=Channel.PHONE))
    assert on_behalf.account_manager_id == sanne.id


def test_an_account_manager_logs_only_their_own_contacts(org, sanne):
    joris = factories.user(org)
    with pytest.raises(ContactError) as refused:
        log_contact(org, joris, actor=sanne, **contact_fields())
    assert set(refused.value.problems) == {"account_manager"}


def test_an_inactive_or_foreign_account_manager_is_refused(org, sanne):
    sanne.active = False
    with pytest.raises(ContactError):
        log_contact(org, sanne, **contact_fields())
    stranger = factories.user(factories.organisation("Gemeente Elders"))
    with pytest.raises(ContactError) as refused:
        log_contact(org, stranger, **contact_fields())
    assert "not an active member of staff" in str(refused.value)


def test_an_opted_out_or_bounced_address_gets_a_suppressed_invitation(org, sanne):
    suppress_address(org.id, "fatima@korenaar.example", SuppressionKind.OPTED_OUT, NOW)
    suppress_address(org.id, "piet@korenaar.example", SuppressionKind.BOUNCED, NOW)
    opted_out = invitation_of(log_contact(org, sanne, **contact_fields()))
    bounced = invitation_of(
        log_contact(org, sanne, **contact_fields(email="piet@korenaar.example"))
    )
    assert opted_out.suppression_reason is SuppressionReason.OPTED_OUT
    assert why_not_invited(opted_out, NOW, AMSTERDAM) == "opted out"
    assert why_not_invited(bounced, NOW, AMSTERDAM) == "email address bounced"


def test_a_recently_invited_person_is_told_as_so_many_days_ago(org, sanne):
    earlier = factories.invitation(
        org, sanne, email="fatima@korenaar.example", sent_at=NOW - timedelta(days=34)
    )
    assert earlier.state is InvitationState.SENT
    invitation = invitation_of(log_contact(org, sanne, **contact_fields()))
    assert invitation.state is InvitationState.SUPPRESSED
    assert invitation.suppression_reason is SuppressionReason.RECENTLY_INVITED
    assert why_not_invited(invitation, NOW, AMSTERDAM) == "invited 34 days ago"
    assert why_not_invited(invitation, NOW - timedelta(days=33), AMSTERDAM) == "invited 1 day ago"
    assert why_not_invited(invitation, NOW - timedelta(days=34), AMSTERDAM) == (
        "invited today already"
    )


def test_a_second_contact_before_the_first_invitation_went_out_says_one_is_planned(org, sanne):
    log_contact(org, sanne, **contact_fields(channel=Channel.PHONE))
    second = invitation_of(log_contact(org, sanne, **contact_fields()))
    assert second.suppression_reason is SuppressionReason.RECENTLY_INVITED
    assert why_not_invited(second, NOW, AMSTERDAM) == (
        "an invitation to this person is already planned"
    )


def test_the_list_shows_each_contact_with_its_invitation_newest_first(org, sanne):
    joris = factories.user(org, name="Joris")
    older = log_contact(org, sanne, **contact_fields(contacted_on=date(2026, 11, 2)))
    newer = log_contact(
        org, joris, **contact_fields(email="kees@smederij.example", company_name="Smederij Kees")
    )
    no_invitation = Contact(
        organisation_id=org.id,
        account_manager_id=sanne.id,
        company_name="Zonder uitnodiging",
        person_name="Els",
        email="els@example.org",
        contacted_on=date(2026, 10, 1),
        channel=Channel.EVENT,
    )
    db.session.add(no_invitation)
    db.session.flush()
    scope = select(Contact).where(Contact.organisation_id == org.id)
    rows = contact_list(scope).items
    assert [contact.id for contact, _ in rows] == [newer.id, older.id, no_invitation.id]
    assert rows[0][1].contact_id == newer.id
    assert rows[2][1] is None

    def ids(**given) -> list[int]:
        return [c.id for c, _ in contact_list(scope, **given).items]

    assert ids(account_manager_id=joris.id) == [newer.id]
    assert ids(search="SMEDERIJ") == [newer.id]
    assert ids(search="korenaar fatima") == [older.id]
    assert ids(search="100%") == []
    first = contact_list(scope, per_page=1)
    assert ids(per_page=1, cursor=Cursor("after", first.next)) == [older.id]
    assert count_contacts(scope) == 3
    assert count_contacts(scope, search="kees") == 1
