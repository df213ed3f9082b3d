"""Statements the driver runs (survey/driver.py) bind and read values as SQLAlchemy would, store
many rows in one statement, keep their own constants, and leave a literal percent alone, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, bindparam, func, literal_column, select

from survey.analysis.models import ResponseTally
from survey.analysis.tallies import cell_key
from survey.clock import utcnow
from survey.driver import driver_statement, numbered_rows, numbered_values
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from tests import factories


def _state_and_times():
    return select(Invitation.state, Invitation.sent_at, Invitation.scheduled_at).where(
        Invitation.id == bindparam("invitation_id"), Invitation.state == bindparam("state")
    )


def test_values_are_bound_and_read_through_the_column_types(org, manager):
    """An enum goes in as its value and comes back a member; a time comes back aware, in UTC."""
    sent_at = utcnow() - timedelta(hours=3)
    invitation = factories.invitation(org, manager, sent_at=sent_at)
    db.session.commit()
    read = driver_statement(db.engine.dialect, _state_and_times)
    rows = read.rows(
        db.session.connection(), {"invitation_id": invitation.id, "state": InvitationState.SENT}
    )
    assert rows == [(InvitationState.SENT, invitation.sent_at, invitation.scheduled_at)]
    assert rows[0][1].utcoffset() == timedelta(0)
    wrong_state = {"invitation_id": invitation.id, "state": InvitationState.ANSWERED}
    assert read.rows(db.session.connection(), wrong_state) == []
    assert read.one_row_alone(db.engine, wrong_state) is None


def _tally_rows(count: int):
    return ResponseTally.__table__.insert().values(
        numbered_rows([c.name for c in ResponseTally.__table__.columns], count)
    )


def test_many_rows_go_in_one_statement_each_with_its_own_values(org):
    version = factories.contact_version()
    month = utcnow().date().replace(day=1)
    cells = [cell_key(org.id, version.id, "contact", None, n, "", month) for n in (1, 2, 3)]
    rows = [
        dict(zip(_cell_names(), cell, strict=True)) | {"responses": n}
        for n, cell in enumerate(cells, start=1)
    ]
    driver_statement(db.engine.dialect, _tally_rows, len(rows)).rows(
        db.session.connection(), numbered_values(rows)
    )
    stored = db.session.execute(
        select(ResponseTally.account_manager_id, ResponseTally.responses, ResponseTally.month)
    ).all()
    assert sorted(stored) == [(1, 1, month), (2, 2, month), (3, 3, month)]


def _cell_names() -> list[str]:
    return [c.name for c in ResponseTally.__table__.primary_key.columns]


def _constants_and_a_percent():
    shown = literal_column("'50%'", String)
    return select(shown, func.coalesce(bindparam("given"), 7) + 1)


def test_a_statement_keeps_its_constants_and_a_literal_percent(app, ctx):
    """`7` and `1` are bound by the compilation itself; psycopg's placeholders would make the
    percent sign special, PostgreSQL's own do not."""
    read = driver_statement(db.engine.dialect, _constants_and_a_percent)
    assert read.rows(db.session.connection(), {"given": None}) == [("50%", 8)]
    assert read.rows(db.session.connection(), {"given": 1}) == [("50%", 2)]
