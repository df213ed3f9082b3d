"""Circles and their members: who shares its figures when, as every circle figure reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.circles.membership import (
    TERMS_VERSION,
    ConsentState,
    MembershipError,
    add_member,
    create_circle,
    give_consent,
    member_state,
    memberships_of,
    remove_member,
    revoke_consent,
    sharing_organisation_ids,
)
from survey.circles.sizes import SizeClass, size_class_for, size_class_label
from survey.extensions import db
from tests import factories

JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def circle_of_two(ctx):
    """Kring Noord with Aastad and Beedorp as members; nobody has consented yet."""
    platform = factories.organisation("Platform", is_platform=True)
    operator = factories.user(platform, Role.OPERATOR)
    aastad, beedorp = factories.organisation("Aastad"), factories.organisation("Beedorp")
    admins = {
        "aastad": factories.user(aastad, Role.ADMIN),
        "beedorp": factories.user(beedorp, Role.ADMIN),
    }
    circle = create_circle("Kring Noord", "Acht gemeenten", actor=operator, now=JAN)
    members = {
        "aastad": add_member(circle, aastad, actor=operator, now=JAN),
        "beedorp": add_member(circle, beedorp, actor=operator, now=JAN),
    }
    return circle, members, admins, operator


def test_a_new_member_shares_nothing_until_its_administrator_accepts(circle_of_two):
    circle, members, admins, _ = circle_of_two
    assert sharing_organisation_ids(circle.id, JAN + HOUR) == []
    consent = give_consent(members["aastad"], actor=admins["aastad"], now=JAN + HOUR)
    assert consent.terms_version == TERMS_VERSION
    assert consent.given_by_id == admins["aastad"].id and consent.given_at == JAN + HOUR
    assert sharing_organisation_ids(circle.id, JAN + 2 * HOUR) == [
        members["aastad"].organisation_id
    ]


def test_sharing_follows_consent_and_revocation_in_time(circle_of_two):
    circle, members, admins, _ = circle_of_two
    aastad = members["aastad"].organisation_id
    give_consent(members["aastad"], actor=admins["aastad"], now=JAN + HOUR)
    revoke_consent(members["aastad"], actor=admins["aastad"], now=JAN + 3 * HOUR)
    give_consent(members["aastad"], actor=admins["aastad"], now=JAN + 5 * HOUR)

    assert sharing_organisation_ids(circle.id, JAN) == []
    assert sharing_organisation_ids(circle.id, JAN + 2 * HOUR) == [aastad]
    assert sharing_organisation_ids(circle.id, JAN + 4 * HOUR) == []  # revoked: hidden
    assert sharing_organisation_ids(circle.id, JAN + 6 * HOUR) == [aastad]  # a new consent
    consents = members["aastad"].consents
    assert len(consents) == 2  # the revoked one stays, with who and when
    assert consents[0].revoked_by_id == admins["aastad"].id
    assert consents[0].revoked_at == JAN + 3 * HOUR


def test_the_state_says_who_accepted_or_revoked(circle_of_two):
    _, members, admins, _ = circle_of_two
    member = members["beedorp"]
    assert member_state(member).state is ConsentState.NOT_GIVEN
    give_consent(member, actor=admins["beedorp"], now=JAN + HOUR)
    state = member_state(member)
    assert state.state is ConsentState.SHARING and state.latest.given_by == admins["beedorp"]
    revoke_consent(member, actor=admins["beedorp"], now=JAN + 2 * HOUR)
    state = member_state(member)
    assert state.state is ConsentState.REVOKED and state.latest.revoked_by == admins["beedorp"]


def test_consent_cannot_be_given_twice_or_revoked_when_not_given(circle_of_two):
    _, members, admins, _ = circle_of_two
    with pytest.raises(MembershipError):
        revoke_consent(members["aastad"], actor=admins["aastad"], now=JAN)
    give_consent(members["aastad"], actor=admins["aastad"], now=JAN)
    with pytest.raises(MembershipError):
        give_consent(members["aastad"], actor=admins["aastad"], now=JAN + HOUR)


def test_a_removed_member_stops_sharing_and_must_consent_again_after_returning(circle_of_two):
    circle, members, admins, operator = circle_of_two
    member = members["aastad"]
    give_consent(member, actor=admins["aastad"], now=JAN)
    remove_member(member, actor=operator, now=JAN + 2 * HOUR)

    assert sharing_organisation_ids(circle.id, JAN + HOUR) == [member.organisation_id]
    assert sharing_organisation_ids(circle.id, JAN + 3 * HOUR) == []
    assert memberships_of(member.organisation_id) == []
    with pytest.raises(MembershipError):
        give_consent(member, actor=admins["aastad"], now=JAN + 3 * HOUR)

    again = add_member(circle, member.organisation, actor=operator, now=JAN + 4 * HOUR)
    assert again.id == member.id  # the same row: one per circle and organisation
    assert member_state(again).state is ConsentState.REVOKED
    assert sharing_organisation_ids(circle.id, JAN + 5 * HOUR) == []


def test_the_platform_and_a_present_member_cannot_be_added(circle_of_two):
    circle, members, _, operator = circle_of_two
    with pytest.raises(MembershipError):
        add_member(circle, operator.organisation, actor=operator, now=JAN)
    with pytest.raises(MembershipError):
        add_member(circle, members["aastad"].organisation, actor=operator, now=JAN)


def test_circle_names_are_unique_and_plain(circle_of_two):
    _, _, _, operator = circle_of_two
    with pytest.raises(MembershipError):
        create_circle("kring  noord", "", actor=operator, now=JAN)
    with pytest.raises(MembershipError):
        create_circle("   ", "", actor=operator, now=JAN)
    with pytest.raises(MembershipError):
        create_circle("Kring Zuid", "bel\x07", actor=operator, now=JAN)
    assert create_circle("Kring Zuid", "Regel 1\nRegel 2", actor=operator, now=JAN).id


def test_every_change_is_on_the_activity_log_of_the_organisation_concerned(circle_of_two):
    _, members, admins, _ = circle_of_two
    give_consent(members["aastad"], actor=admins["aastad"], now=JAN + HOUR)
    revoke_consent(members["aastad"], actor=admins["aastad"], now=JAN + 2 * HOUR)
    db.session.flush()
    aastad = members["aastad"].organisation_id
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.organisation_id == aastad).order_by(AuditEvent.at)
    )
    circles = {
        Action.CIRCLE_MEMBER_ADDED,
        Action.SHARING_CONSENT_GIVEN,
        Action.SHARING_CONSENT_REVOKED,
    }
    changes = [e for e in events if e.action in circles]
    assert [e.action for e in changes] == [
        Action.CIRCLE_MEMBER_ADDED,
        Action.SHARING_CONSENT_GIVEN,
        Action.SHARING_CONSENT_REVOKED,
    ]
    assert changes[-1].actor_id == admins["aastad"].id


def test_memberships_of_an_organisation_are_its_own_only(circle_of_two):
    circle, members, _, operator = circle_of_two
    other = create_circle("Kring Zuid", "", actor=operator, now=JAN)
    add_member(other, members["beedorp"].organisation, actor=operator, now=JAN)
    assert [s.member.circle.name for s in memberships_of(members["aastad"].organisation_id)] == [
        circle.name
    ]
    assert [s.member.circle.name for s in memberships_of(members["beedorp"].organisation_id)] == [
        "Kring Noord",
        "Kring Zuid",
    ]


@pytest.mark.parametrize(
    ("inhabitants", "expected"),
    [
        (None, None),
        (0, SizeClass.SMALL),
        (19_999, SizeClass.SMALL),
        (20_000, SizeClass.MEDIUM),
        (49_999, SizeClass.MEDIUM),
        (50_000, SizeClass.LARGE),
        (99_999, SizeClass.LARGE),
        (100_000, SizeClass.EXTRA_LARGE),
        (900_000, SizeClass.EXTRA_LARGE),
    ],
)
def test_the_number_of_inhabitants_suggests_a_size_class(inhabitants, expected):
    assert size_class_for(inhabitants) is expected


def test_size_classes_have_labels_in_both_languages(app):
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("nl"):
            assert size_class_label("m") == "20.000 tot 50.000 inwoners"
            assert size_class_label(None) == "geen grootteklasse"
        with force_locale("en"):
            assert size_class_label("xl") == "100,000 inhabitants or more"
