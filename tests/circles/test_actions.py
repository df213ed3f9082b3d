"""Improvement actions as the circle sees them: markers for the trend charts, good practices
shared with the circles (and withdrawn), and the largest proven progress of a year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import force_locale

from survey.circles.actions import (
    PracticeDetails,
    action_markers,
    circle_practices,
    largest_progress,
    practice_draft,
    share_practice,
    withdraw_practice,
)
from survey.circles.models import SharingConsent
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.circles.action_factories import HIGH, LOW, action, circle, months_of_answers

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
FIRST_HALF = [date(2026, m, 1) for m in (1, 2)]
SECOND_HALF = [date(2026, m, 1) for m in (8, 9)]


def _practice(org, title="Terugbelbelofte", when=NOW):
    made = action(org, date(2026, 5, 1), title=title)
    details = PracticeDetails(
        title, "Binnen een dag terugbellen.", "Steeg.", "Eva", "eva@x.example"
    )
    return share_practice(made, details, when, None)


def test_markers_name_the_actions_on_a_question_from_their_start(ctx):
    org, other = factories.organisation(), factories.organisation()
    action(org, date(2026, 9, 1), ("speed", "clarity"), title="Heldere brieven")
    action(org, date(2026, 3, 1), ("speed",), title="Terugbelbelofte")
    action(org, date(2026, 4, 1), ("reachability",), title="Vast aanspreekpunt")
    action(other, date(2026, 5, 1), ("speed",), title="Van een ander")

    assert action_markers(org.id, "speed") == [
        (date(2026, 3, 1), "Terugbelbelofte"),
        (date(2026, 9, 1), "Heldere brieven"),
    ]
    assert action_markers(org.id, "overall") == []


def test_good_practices_are_seen_in_the_circles_of_their_member(ctx):
    sharer, neighbour, elsewhere = (factories.organisation() for _ in range(3))
    east = circle(sharer, neighbour, name="Kring Oost")
    west = circle(neighbour, elsewhere, name="Kring West")
    practice = _practice(sharer)

    assert circle_practices(east.id, NOW) == [practice]
    assert circle_practices(west.id, NOW) == []


def test_a_withdrawn_practice_is_gone_and_can_be_shared_again(ctx):
    sharer, neighbour = factories.organisation(), factories.organisation()
    east = circle(sharer, neighbour)
    practice = _practice(sharer)

    withdraw_practice(practice, NOW)
    assert circle_practices(east.id, NOW) == []

    again = share_practice(
        practice.action,
        PracticeDetails("Terugbellen", "Nieuw verhaal.", "", "", ""),
        NOW,
        None,
    )
    assert again.id == practice.id and again.withdrawn_at is None
    assert [p.title for p in circle_practices(east.id, NOW)] == ["Terugbellen"]


def test_a_member_that_revoked_its_consent_shares_no_practices_from_then_on(ctx):
    sharer, neighbour = factories.organisation(), factories.organisation()
    east = circle(sharer, neighbour)
    _practice(sharer, when=datetime(2027, 1, 1, tzinfo=UTC))
    consent = db.session.scalar(
        db.select(SharingConsent).join(SharingConsent.member).filter_by(organisation_id=sharer.id)
    )
    consent.revoked_at = datetime(2027, 2, 1, tzinfo=UTC)

    assert circle_practices(east.id, datetime(2027, 1, 31, tzinfo=UTC)) != []
    assert circle_practices(east.id, NOW) == []


def test_the_share_form_starts_from_the_measured_effect(ctx):
    org = factories.organisation()
    coordinator = factories.user(org, factories.Role.COORDINATOR, name="Eva Jansen")
    manager = factories.user(org)
    months_of_answers(org, manager, [date(2025, 11, 1), date(2025, 12, 1)], LOW)
    months_of_answers(org, manager, [date(2026, 1, 1), date(2026, 2, 1)], HIGH)
    made = action(org, date(2026, 1, 1), contact_person=coordinator)

    with force_locale("en"):
        draft = practice_draft(made, utcnow(), "en")

    assert draft.title == made.title and draft.what_was_done == made.description
    assert draft.effect.startswith("The mean of “My question was taken up quickly” rose from 3.0")
    assert (draft.contact_name, draft.contact_email) == ("Eva Jansen", coordinator.email)


def _member_rising(name, before, after, code="speed"):
    org = factories.organisation(name)
    manager = factories.user(org)
    months_of_answers(org, manager, FIRST_HALF, before, code)
    months_of_answers(org, manager, SECOND_HALF, after, code)
    return org


def test_the_largest_proven_progress_of_a_year_is_named(ctx):
    small = _member_rising("Gemeente Klein Beetje", LOW, (3, 3, 4, 3, 4, 3))
    large = _member_rising("Gemeente Veel", LOW, HIGH)
    flat = _member_rising("Gemeente Vlak", HIGH, HIGH)
    grading = _member_rising("Gemeente Cijfer", (6, 7, 7, 7, 8, 7), (7, 8, 8, 8, 9, 8), "overall")
    silent = _member_rising("Gemeente Zwijgt", (1, 1, 2, 1, 1, 2), (5, 5, 4, 5, 5, 4))
    kring = circle(small, large, flat, grading)
    circle(silent, name="Andere kring")
    circle(silent, small, name="Kring Zonder Instemming", consent=False)

    progress = largest_progress(kring.id, 2026, NOW)

    # +1 on a five-point scale beats +1 on a ten-point grade; the silent member is not named.
    assert progress.organisation == large and progress.code == "speed"
    assert progress.effect.before.mean == 3.0 and progress.effect.after.mean == 4.0
    assert progress.effect.test.p_value < 0.05
    assert largest_progress(kring.id, 2025, NOW) is None


def test_no_progress_is_named_without_a_significant_rise(ctx):
    flat = _member_rising("Gemeente Vlak", LOW, LOW)
    falling = _member_rising("Gemeente Daalt", HIGH, LOW)
    kring = circle(flat, falling)

    assert largest_progress(kring.id, 2026, NOW) is None
