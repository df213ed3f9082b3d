"""`flask demo`'s comparison circle: ten municipalities of two size classes with a year of
feedback, their consents, Demodam's two improvement actions (one worked, one did not) and its
good practice, a platform operator; and the bulk's municipalities in a circle of their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Organisation, Role, User
from survey.analysis.circle_figures import benchmark, read_circle_counts
from survey.analysis.fixed_periods import PeriodKind, ended_periods, parse_period
from survey.analysis.models import TALLIES
from survey.analysis.recount import rebuild_tallies
from survey.audit.models import AuditEvent
from survey.circles.access import sharing_members
from survey.circles.actions import circle_practices, measure_action
from survey.circles.membership import ConsentState, circle_named, current_members
from survey.circles.models import (
    Circle,
    CircleMember,
    GoodPractice,
    ImprovementAction,
    SharingConsent,
)
from survey.clock import utcnow
from survey.contacts.models import Contact
from survey.demo.bulk import generate_responses
from survey.demo.circles import (
    BULK_CIRCLE_NAME,
    CIRCLE_NAME,
    FLAT,
    OPERATOR,
    WORKED,
    join_bulk_circle,
    load_circle_demo,
)
from survey.demo.data import load_demo
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.responding.models import Response

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
QUARTER = "2026-Q3"  # the last quarter that had ended at NOW


def _load(now: datetime = NOW) -> Circle:
    load_demo(now)
    summary = load_circle_demo(now)
    db.session.commit()
    return summary.circle


def _loaded_today() -> tuple[int, str]:
    """The demo as `flask demo` makes it today: the circle's id and the last ended quarter (the
    pages offer the last three years' periods only)."""
    today = utcnow()
    quarter = next(p for p in ended_periods(today.date()) if p.kind is PeriodKind.QUARTER)
    return _load(today).id, quarter.code


@pytest.fixture
def demo(ctx) -> Circle:
    return _load()


def _counts() -> dict[str, int]:
    models = (
        Organisation, User, Circle, CircleMember, SharingConsent, ImprovementAction,
        GoodPractice, Contact, Invitation, Response, AuditEvent,
    )  # fmt: skip
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


def _tallies() -> dict:
    return {
        tally.__name__: sorted(db.session.execute(select(*tally.__table__.columns)).all())
        for tally in TALLIES
    }


def _action(code: str) -> ImprovementAction:
    actions = db.session.scalars(select(ImprovementAction)).all()
    return next(action for action in actions if code in action.question_codes)


def test_a_circle_of_ten_municipalities_of_two_size_classes_with_demodam(demo):
    members = current_members(demo)

    assert demo.name == CIRCLE_NAME
    assert len(members) >= 8
    names = {state.member.organisation.name for state in members}
    assert "Gemeente Demodam" in names
    classes = [state.member.organisation.size_class for state in members]
    assert sorted(set(classes)) == ["m", "s"]
    assert min(classes.count("m"), classes.count("s")) >= 4


def test_every_member_but_one_consented_through_its_administrator(demo):
    members = current_members(demo)
    states = [state.state for state in members]

    assert states.count(ConsentState.NOT_GIVEN) == 1
    assert states.count(ConsentState.SHARING) == len(members) - 1
    for state in members:
        if state.state is ConsentState.SHARING:
            given_by = state.latest.given_by
            assert given_by.role is Role.ADMIN
            assert given_by.organisation_id == state.member.organisation_id


def test_a_year_of_feedback_with_one_member_too_small_for_a_quarter(demo):
    members = sharing_members(demo, NOW)
    period = parse_period(QUARTER)
    counts = read_circle_counts(db.session, [m.organisation_id for m in members], period)
    overall = benchmark(counts, members, "nl").question("overall")

    withheld = [f.name for f in overall.members if not f.shown]
    assert withheld == ["Gemeente Klein-Oudorp"]
    assert overall.group.shown
    assert min(f.n for f in overall.members if f.shown) >= 40  # a quarter, aggregate-sized
    months = db.session.scalars(
        select(Response.month)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(Organisation.slug == "beekveld")
        .distinct()
    ).all()
    assert len([month for month in months if month < NOW.date().replace(day=1)]) == 12


def test_the_action_that_worked_is_proven_and_the_other_is_not(demo):
    worked = measure_action(_action(WORKED), 6, NOW).effects[0]
    flat = measure_action(_action(FLAT), 6, NOW).effects[0]

    assert worked.proven
    assert worked.comparison.shown and worked.comparison.members >= 3
    assert worked.change > worked.comparison.change + 0.3  # a rise larger than the circle's
    assert worked.comparison.test.p_value < 0.05
    assert not flat.proven
    assert flat.comparison.shown
    assert flat.comparison.test.p_value >= 0.05


def test_the_action_that_worked_is_shared_as_a_good_practice(demo):
    practices = circle_practices(demo.id, NOW + timedelta(minutes=1))

    assert [p.action.question_codes for p in practices] == [[WORKED]]
    practice = practices[0]
    assert practice.contact_email == "coordinator@demodam.example"
    assert "steeg van" in practice.effect  # measured, in Dutch, when it was shared


def test_tallies_equal_a_recount(demo):
    kept = _tallies()
    rebuild_tallies(db.session)
    assert _tallies() == kept


def test_running_it_twice_adds_nothing(demo):
    before = _counts()

    again = load_circle_demo(NOW + timedelta(days=1))
    db.session.commit()

    assert not again.created
    assert again.circle.id == demo.id
    assert _counts() == before


def test_demodams_coordinator_sees_the_benchmark_the_report_and_the_action(app, client, log_in):
    with app.app_context():
        circle_id, quarter = _loaded_today()
        action_id = _action(WORKED).id
    log_in("coordinator@demodam.example", "demo-coord-2026")

    listed = client.get("/circles")
    page = client.get(f"/circles/{circle_id}?period={quarter}")
    report = client.get(f"/circles/{circle_id}/report?period={quarter}")
    action = client.get(f"/circles/actions/{action_id}")

    assert CIRCLE_NAME in listed.text
    assert page.status_code == 200
    assert "Gemeente Beekveld" in page.text
    assert "te weinig reacties" in page.text  # Klein-Oudorp, in Dutch
    assert "Gemeente Rijnzathe" not in page.text  # has not accepted the terms
    assert report.status_code == 200
    assert "Terugbelbelofte" in report.text  # the good practice
    assert "waarschijnlijk geen toeval" in action.text  # a rise larger than the circle's


def test_the_platform_operator_logs_in_and_sees_the_circle(app, client, log_in):
    with app.app_context():
        circle_id, quarter = _loaded_today()
    email, _name, password = OPERATOR
    log_in(email, password)

    page = client.get(f"/circles/{circle_id}?period={quarter}")

    assert page.status_code == 200
    assert "Gemeente Demodam" in page.text


def test_the_bulk_municipalities_share_in_one_circle(ctx):
    _load()
    summary = generate_responses(700, NOW, seed=7)

    circle = join_bulk_circle(summary.organisation_ids, NOW)
    db.session.commit()
    before = _counts()
    join_bulk_circle(summary.organisation_ids, NOW + timedelta(days=1))
    db.session.commit()

    assert circle_named(BULK_CIRCLE_NAME) == circle
    members = current_members(circle)
    assert {s.member.organisation_id for s in members} == set(summary.organisation_ids)
    assert len(members) == 7
    assert {s.state for s in members} == {ConsentState.SHARING}
    assert len({s.member.organisation.size_class for s in members}) == 2
    assert _counts() == before  # a second run adds nothing
