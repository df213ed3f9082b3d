"""When an invitation goes out, and when it does not (fatigue, opt-out, bounce): plain rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from survey.invitations.calendar import easter_sunday, public_holidays
from survey.invitations.models import InvitationState, SuppressionReason
from survey.invitations.rules import invite_for_contact, send_time
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories


class Zone:
    """Just what send_time reads of an organisation."""

    def __init__(self, timezone="Europe/Amsterdam", send_delay_days=1, send_hour=9):
        self.timezone, self.send_delay_days, self.send_hour = timezone, send_delay_days, send_hour


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("contacted_on", "logged_at", "expected"),
    [
        # Tuesday, logged at noon: Wednesday 09:00 in Amsterdam (CET, UTC+1).
        (date(2026, 11, 24), utc(2026, 11, 24, 11), utc(2026, 11, 25, 8)),
        # Friday, logged late at night: not Saturday, but Monday 09:00.
        (date(2026, 11, 27), utc(2026, 11, 27, 22, 30), utc(2026, 11, 30, 8)),
        # Logged Saturday for Friday's visit: still Monday morning, never the weekend.
        (date(2026, 11, 27), utc(2026, 11, 28, 10), utc(2026, 11, 30, 8)),
        # Logged after midnight local time (23:30 UTC is Saturday 00:30 in Amsterdam).
        (date(2026, 11, 27), utc(2026, 11, 27, 23, 30), utc(2026, 11, 30, 8)),
        # A visit a week ago, logged today (Wednesday): tomorrow, not at once.
        (date(2026, 11, 18), utc(2026, 11, 25, 15), utc(2026, 11, 26, 8)),
    ],
)
def test_an_invitation_goes_out_the_next_working_day_at_nine(contacted_on, logged_at, expected):
    assert send_time(contacted_on, logged_at, Zone()) == expected


def test_nine_oclock_stays_nine_oclock_across_the_autumn_clock_change():
    # Summer time ends on Sunday 25 October 2026: Friday is UTC+2, Monday UTC+1.
    thursday = send_time(date(2026, 10, 22), utc(2026, 10, 22, 12), Zone())
    monday = send_time(date(2026, 10, 23), utc(2026, 10, 23, 12), Zone())
    assert thursday == utc(2026, 10, 23, 7)
    assert monday == utc(2026, 10, 26, 8)


def test_nine_oclock_stays_nine_oclock_across_the_spring_clock_change():
    # Summer time starts on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    monday = send_time(date(2026, 3, 27), utc(2026, 3, 27, 16), Zone())
    assert monday == utc(2026, 3, 30, 7)


def test_the_organisations_zone_delay_and_hour_are_used():
    brussels_two_days_at_ten = Zone("Europe/Brussels", send_delay_days=2, send_hour=10)
    # Thursday: two working days later is Monday.
    assert send_time(date(2026, 11, 26), utc(2026, 11, 26, 12), brussels_two_days_at_ten) == utc(
        2026, 11, 30, 9
    )


NOW = utc(2026, 11, 24, 12)


def test_a_logged_contact_gets_one_scheduled_invitation(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    invitation = invite_for_contact(factories.contact(org, manager), org, NOW)
    assert invitation.state is InvitationState.SCHEDULED
    assert invitation.scheduled_at == utc(2026, 11, 25, 8)
    assert (
        invitation.staff_member_id == manager.id
        and invitation.recipient_email == "eva@bakkerij.example"
    )


def test_someone_invited_recently_is_not_invited_again_and_the_list_says_when(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    first = invite_for_contact(
        factories.contact(org, manager, contacted_on=date(2026, 10, 20)),
        org,
        NOW - timedelta(days=35),
    )
    first.mark_sent(first.scheduled_at, 21)
    second = invite_for_contact(factories.contact(org, manager), org, NOW)
    assert second.state is InvitationState.SUPPRESSED
    assert second.suppression_reason is SuppressionReason.RECENTLY_INVITED
    assert second.previously_invited_at == first.sent_at


def test_the_same_company_by_registry_number_counts_as_recently_invited(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    invite_for_contact(factories.contact(org, manager, registry_number="12345678"), org, NOW)
    colleague = invite_for_contact(
        factories.contact(
            org,
            manager,
            email="piet@bakkerij.example",
            registry_number="12345678",
            contacted_on=date(2026, 11, 23),
        ),
        org,
        NOW,
    )
    stranger = invite_for_contact(
        factories.contact(org, manager, email="jan@garage.example", registry_number="87654321"),
        org,
        NOW,
    )
    assert colleague.suppression_reason is SuppressionReason.RECENTLY_INVITED
    assert stranger.state is InvitationState.SCHEDULED


def test_after_the_fatigue_window_someone_is_invited_again(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    long_ago = NOW - timedelta(days=91)
    first = invite_for_contact(
        factories.contact(org, manager, contacted_on=long_ago.date()), org, long_ago
    )
    first.mark_sent(first.scheduled_at, 21)
    again = invite_for_contact(factories.contact(org, manager), org, NOW)
    assert again.state is InvitationState.SCHEDULED


@pytest.mark.parametrize("fatigue_days", [90, 30])
@pytest.mark.parametrize(
    ("beyond", "expected"),
    [
        (timedelta(seconds=-1), InvitationState.SUPPRESSED),
        (timedelta(0), InvitationState.SUPPRESSED),  # the window's first moment belongs to it
        (timedelta(seconds=1), InvitationState.SCHEDULED),
    ],
    ids=["a second inside", "on the edge", "a second outside"],
)
def test_the_fatigue_window_is_exactly_as_many_days_as_the_setting(
    ctx, fatigue_days, beyond, expected
):
    org = factories.organisation(fatigue_days=fatigue_days)
    manager = factories.user(org)
    earlier = NOW - (timedelta(days=fatigue_days) + beyond)  # invited that long before
    factories.invitation(org, manager, sent_at=earlier, email="eva@bakkerij.example")
    again = invite_for_contact(factories.contact(org, manager), org, NOW)
    assert again.state is expected


def test_fatigue_is_per_organisation(ctx):
    org, other = factories.organisation(), factories.organisation()
    invite_for_contact(factories.contact(other, factories.user(other)), other, NOW)
    mine = invite_for_contact(factories.contact(org, factories.user(org)), org, NOW)
    assert mine.state is InvitationState.SCHEDULED


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (SuppressionKind.OPTED_OUT, SuppressionReason.OPTED_OUT),
        (SuppressionKind.BOUNCED, SuppressionReason.BOUNCED),
    ],
)
def test_opted_out_and_bounced_addresses_are_suppressed_for_that_organisation(ctx, kind, reason):
    org, other = factories.organisation(), factories.organisation()
    suppress_address(org.id, "Eva@Bakkerij.example", kind, NOW)
    mine = invite_for_contact(factories.contact(org, factories.user(org)), org, NOW)
    theirs = invite_for_contact(factories.contact(other, factories.user(other)), other, NOW)
    assert (mine.state, mine.suppression_reason) == (InvitationState.SUPPRESSED, reason)
    assert theirs.state is InvitationState.SCHEDULED


@pytest.mark.parametrize(
    ("timezone", "contacted_on", "expected_day"),
    [
        # Christmas (Friday) and the weekend after it: Monday.
        ("Europe/Amsterdam", date(2026, 12, 24), date(2026, 12, 28)),
        # Good Friday and Easter Monday are closed in the Netherlands ...
        ("Europe/Amsterdam", date(2026, 4, 2), date(2026, 4, 7)),
        # ... Good Friday is an ordinary day in Flanders.
        ("Europe/Brussels", date(2026, 4, 2), date(2026, 4, 3)),
        # King's Day (Monday 27 April 2026) is Dutch only.
        ("Europe/Amsterdam", date(2026, 4, 24), date(2026, 4, 28)),
        ("Europe/Brussels", date(2026, 4, 24), date(2026, 4, 27)),
        # The Belgian national day (Tuesday 21 July 2026).
        ("Europe/Brussels", date(2026, 7, 20), date(2026, 7, 22)),
        ("Europe/Amsterdam", date(2026, 7, 20), date(2026, 7, 21)),
    ],
)
def test_public_holidays_are_not_working_days(timezone, contacted_on, expected_day):
    logged_at = datetime.combine(contacted_on, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=14
    )
    sent = send_time(contacted_on, logged_at, Zone(timezone))
    assert sent.astimezone(ZoneInfo(timezone)).date() == expected_day
    assert sent.astimezone(ZoneInfo(timezone)).hour == 9


def test_easter_and_the_holidays_that_move_with_it():
    assert [easter_sunday(year) for year in (2024, 2025, 2026, 2027, 2038)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
        date(2038, 4, 25),
    ]
    dutch_2026 = public_holidays(2026, "Europe/Amsterdam")
    assert date(2026, 5, 14) in dutch_2026  # Ascension Day
    assert date(2026, 5, 25) in dutch_2026  # Whit Monday
    assert date(2026, 5, 5) not in dutch_2026  # Liberation Day: a day off in 2025 and 2030 only
    assert date(2025, 5, 5) in public_holidays(2025, "Europe/Amsterdam")
    assert date(2025, 4, 26) in public_holidays(2025, "Europe/Amsterdam")  # King's Day on Saturday
