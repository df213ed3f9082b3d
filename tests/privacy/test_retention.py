"""The retention periods with a moved clock: what is erased, what stays, and figures unchanged."""

from __future__ import annotations

from datetime import date, timedelta

from survey.accounts.models import Role
from survey.analysis.recount import rebuild_tallies
from survey.audit.models import Action, AuditEvent
from survey.audit.trail import record
from survey.clock import utcnow
from survey.contacts.models import Contact
from survey.events.models import Participant
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.outbox.models import OutboundEmail, Suppression
from survey.outbox.suppressions import suppression_of
from survey.privacy.retention import apply_retention, months_before
from survey.responding.models import Response
from tests import factories
from tests.privacy.people import EVA, everything_stored, person_with_everything, tallies

LATER = timedelta(days=800)  # a little over two years on


def test_a_month_back_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 15), 24) == date(2025, 1, 15)


def _recent_contact(org, manager, later):
    """A contact a month before the moved clock: it must stay as it is."""
    invitation = factories.invitation(org, manager, email="recent@bedrijf.example")
    day = (later - timedelta(days=30)).date()
    invitation.contact.contacted_on = invitation.occasion_on = day
    db.session.flush()
    return invitation


def test_retention_erases_old_personal_data_and_keeps_the_figures(ctx):
    org = factories.organisation()
    manager = factories.user(org)
    old_invitation, response = person_with_everything(org, manager)
    later = utcnow() + LATER
    recent = _recent_contact(org, manager, later)
    record(Action.LOGIN_SUCCEEDED, utcnow() - timedelta(days=6 * 365), actor=manager)
    db.session.commit()
    before = tallies()

    counts = apply_retention(later, [org.id])[org.id]

    assert counts["contacts"] == 1 and counts["participants"] == 1
    assert counts["invitations"] == 2 and counts["responses_unlinked"] == 1
    assert counts["log_entries_deleted"] == 1  # the login six years ago
    stored = everything_stored()
    assert EVA not in stored and "eva de vries" not in stored
    contact = db.session.get(Contact, old_invitation.contact_id)
    assert contact.person_name == "" and contact.company_name == "" and contact.subject == ""
    invitation = db.session.get(Invitation, old_invitation.id)
    assert invitation.state is InvitationState.ANSWERED  # the record the figures need stays
    assert db.session.get(Response, response.id).invitation_id is None
    email = db.session.scalars(db.select(OutboundEmail)).first()
    assert email.text_body == "" and email.headers == {}
    # The newer contact is untouched, and the opt-out still holds, as a hash.
    assert db.session.get(Contact, recent.contact_id).email == "recent@bedrijf.example"
    assert suppression_of(org.id, EVA) is not None
    assert EVA not in db.session.scalars(db.select(Suppression.email)).one()
    # Figures unchanged, and equal to a recount.
    assert tallies() == before
    rebuild_tallies(db.session, [org.id])
    assert tallies() == before


def test_sent_email_bodies_go_after_their_own_shorter_period(ctx):
    org = factories.organisation(retention_email_days=90)
    invitation = factories.invitation(org, email="kort@bedrijf.example")
    email = factories.outbound_email(invitation)
    email.status = email.status.SENT
    db.session.commit()
    counts = apply_retention(utcnow() + timedelta(days=91), [org.id])[org.id]
    assert counts["email_bodies"] == 1 and counts["invitations"] == 0
    email = db.session.get(OutboundEmail, email.id)
    assert email.text_body == "" and email.recipient == "kort@bedrijf.example"


def test_a_second_run_finds_nothing_left_and_each_run_is_on_the_activity_log(ctx):
    org = factories.organisation()
    person_with_everything(org, factories.user(org))
    db.session.commit()
    later = utcnow() + LATER
    first = apply_retention(later, [org.id])[org.id]
    second = apply_retention(later, [org.id])[org.id]
    assert first["contacts"] == 1
    assert not any(second.values())
    runs = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == Action.RETENTION_APPLIED)
        .order_by(AuditEvent.id)
    ).all()
    assert [run.detail["contacts"] for run in runs] == [1, 0]
    assert runs[0].organisation_id == org.id and runs[0].detail["personal_months"] == 24


def test_an_organisation_with_a_longer_period_keeps_its_data(ctx):
    org = factories.organisation(retention_personal_months=36)
    person_with_everything(org, factories.user(org, Role.ACCOUNT_MANAGER))
    db.session.commit()
    counts = apply_retention(utcnow() + LATER, [org.id])[org.id]
    assert counts["contacts"] == 0 and counts["participants"] == 0
    assert db.session.scalars(db.select(Participant.email)).one() == EVA


def test_two_schedulers_applying_retention_at_once_erase_each_record_once(app):
    """Each run claims its rows; together they erase every old record, none twice."""
    import threading

    with app.app_context():
        org = factories.organisation()
        manager = factories.user(org)
        for number in range(6):
            person_with_everything(org, manager, address=f"persoon{number}@bedrijf.example")
        db.session.commit()
        org_id = org.id
        before = tallies()
    later = utcnow() + LATER
    barrier = threading.Barrier(2)
    reports, problems = [], []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            try:
                reports.append(apply_retention(later, [org_id])[org_id])
            except Exception as problem:  # noqa: BLE001 (reported below)
                problems.append(problem)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems
    assert sum(report["contacts"] for report in reports) == 6
    assert sum(report["participants"] for report in reports) == 6
    with app.app_context():
        assert "bedrijf.example" not in everything_stored()
        assert tallies() == before
