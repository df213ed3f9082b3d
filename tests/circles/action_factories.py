"""Test data for improvement actions: answers in given months (through the real submission, so
the tallies follow), circles whose members share their figures, and actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from survey.accounts.models import Organisation, User
from survey.circles.actions import ActionDetails, record_action
from survey.circles.models import Circle, CircleMember, ImprovementAction, SharingConsent
from survey.extensions import db
from tests import factories

# Before and after, six answers a month each: means 3.0 and 4.0, spread as real answers are.
LOW = (2, 3, 3, 3, 4, 3)
HIGH = (3, 4, 4, 4, 5, 4)
CONSENTED = datetime(2020, 1, 1, tzinfo=UTC)


def answers_in(org: Organisation, manager: User, month: date, values, code: str = "speed") -> None:
    """One contact-survey response per value, given in `month`, with `values` for `code`."""
    for day, value in enumerate(values, start=10):
        when = datetime(month.year, month.month, day, 12, tzinfo=UTC)
        factories.response(
            org,
            manager,
            factories.rated_answers(8, {code: value}),
            submitted_at=when,
            sent_at=when - timedelta(hours=2),
        )


def months_of_answers(org, manager, months, values, code: str = "speed") -> None:
    for month in months:
        answers_in(org, manager, month, values, code)


def circle(*members: Organisation, name: str = "Kring Oost", consent: bool = True) -> Circle:
    """A circle of `members`, each sharing its figures since 2020 (unless `consent` is False)."""
    made = Circle(name=name, description="", created_at=CONSENTED)
    db.session.add(made)
    for org in members:
        member = CircleMember(circle=made, organisation_id=org.id, added_at=CONSENTED)
        db.session.add(member)
        if consent:
            db.session.add(SharingConsent(member=member, terms_version="1", given_at=CONSENTED))
    db.session.flush()
    return made


def action(
    org: Organisation,
    starts_on: date,
    codes=("speed",),
    *,
    title: str = "Terugbelbelofte",
    managers=(),
    contact_person: User | None = None,
) -> ImprovementAction:
    details = ActionDetails(
        title=title,
        description="Binnen één werkdag terugbellen.",
        starts_on=starts_on,
        question_codes=tuple(codes),
        account_manager_ids=tuple(m.id for m in managers),
        contact_person_id=contact_person.id if contact_person else None,
    )
    return record_action(org, details, CONSENTED, None)
