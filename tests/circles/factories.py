"""Circle helpers for tests: a circle of municipalities that consented, and their responses."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from survey.accounts.models import Organisation
from survey.circles.models import Circle, CircleMember, SharingConsent
from survey.extensions import db
from survey.invitations.dimensions import Channel
from tests import factories

TERMS = "2026-1"
GIVEN = datetime(2025, 1, 1, tzinfo=UTC)


def circle(*members: Organisation, name: str = "Kring Noord", consented: bool = True) -> Circle:
    """A circle with these members, each with a standing consent (unless `consented` is False)."""
    made = Circle(name=name, description="")
    db.session.add(made)
    db.session.flush()
    for organisation in members:
        join(made, organisation, consented=consented)
    return made


def join(made: Circle, organisation: Organisation, *, consented: bool = True) -> CircleMember:
    member = CircleMember(circle_id=made.id, organisation_id=organisation.id, added_at=GIVEN)
    db.session.add(member)
    db.session.flush()
    if consented:
        consent(member)
    return member


def consent(member: CircleMember, at: datetime = GIVEN) -> SharingConsent:
    given = SharingConsent(member_id=member.id, terms_version=TERMS, given_at=at)
    db.session.add(given)
    db.session.flush()
    return given


def municipality(name: str, size_class: str | None = "s", **settings) -> Organisation:
    return factories.organisation(name, size_class=size_class, **settings)


def answered(
    org: Organisation,
    count: int,
    *,
    on: datetime,
    overall: int | list[int] = 8,
    statements: int | dict | list[int] = 4,
    recommend: int = 8,
    channel: Channel = Channel.VISIT,
    seed: int | None = None,
    remark: str | None = None,
) -> list:
    """`count` contact-survey responses of `org` submitted at `on`, through the real submission
    (so the tallies follow). A list of values is drawn from at random (seeded); `remark` is
    the open answer."""
    manager = factories.user(org)
    pick = random.Random(seed)
    made = []
    for _ in range(count):
        grade = pick.choice(overall) if isinstance(overall, list) else overall
        rated = pick.choice(statements) if isinstance(statements, list) else statements
        answers = factories.rated_answers(grade, rated, recommend)
        if remark:
            answers["improve"] = remark
        made.append(factories.response(org, manager, answers, submitted_at=on, channel=channel))
    return made
