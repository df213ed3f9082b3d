"""`flask db upgrade` on an empty database gives exactly the models' schema, on both databases."""

import ast
import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from survey import create_app
from survey.extensions import db
from survey.types import include_name, render_item

POSTGRES_URL = os.environ.get(
    "POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_item": render_item, "include_name": include_name},
        )
        return compare_metadata(context, db.metadata)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'migrated.db'}"


@pytest.fixture
def postgres_url():
    """A fresh, empty database of its own, so the suite's database is left alone."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"spiegel_migrations_{uuid.uuid4().hex[:8]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: PostgreSQL tests skipped")
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize(
    "database", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
)
def test_upgrade_gives_exactly_the_models_schema(request, database):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=request.getfixturevalue(database))
    with app.app_context():
        upgrade()
    assert _schema_differences(app) == []
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
    assert _schema_differences(app) == []
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "database", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
)
def test_upgrading_a_database_with_responses_fills_in_the_dashboards(request, database):
    """Responses from before the dashboards get their manager, channel and month, and counted."""
    from survey.analysis.models import InvitationTally, ResponseTally
    from survey.analysis.recount import rebuild_tallies
    from survey.clock import utcnow
    from survey.demo.data import load_demo
    from survey.responding.models import Response

    app = create_app("test", SQLALCHEMY_DATABASE_URI=request.getfixturevalue(database))
    with app.app_context():
        upgrade()
        load_demo(utcnow())
        db.session.commit()
        before = db.session.execute(
            db.select(
                Response.id, Response.account_manager_id, Response.channel, Response.month
            ).order_by(Response.id)
        ).all()
        db.session.remove()
        downgrade(revision="709ec61606c3")  # the sending issue: no tallies, no response columns
        upgrade()
        after = db.session.execute(
            db.select(
                Response.id, Response.account_manager_id, Response.channel, Response.month
            ).order_by(Response.id)
        ).all()
        counted = db.session.scalar(db.select(db.func.sum(ResponseTally.responses)))
        sent = db.session.scalar(db.select(db.func.sum(InvitationTally.sent)))
        db.session.remove()
    migrated = _every_tally(app)
    with app.app_context():
        rebuild_tallies(db.session)
        db.session.commit()
    recounted = _every_tally(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert after == before and len(after) > 0
    assert counted == len(after) and sent > counted
    assert migrated == recounted  # every tally row, as `flask analysis recount` makes it


def _every_tally(app) -> dict:
    from survey.analysis.models import TALLIES

    with app.app_context():
        return {
            tally.__tablename__: sorted(db.session.execute(db.select(tally.__table__)).all())
            for tally in TALLIES
        }


def test_no_migration_imports_the_application():
    """A migration runs against an old database long after the code it could import changed."""
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ("survey", "config"), f"{path.name} imports {name}"


@pytest.mark.parametrize(
    "database", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
)
def test_upgrading_to_the_general_engine_records_each_invitations_dimensions(request, database):
    """Invitations made before the engine knew kinds of occasion keep their staff member (the
    renamed sender) and get their contact's channel, day and company, their responses the kind
    "contact", and the tallies equal a recount."""
    from survey.analysis.recount import rebuild_tallies
    from survey.clock import utcnow
    from survey.contacts.models import Contact
    from survey.demo.data import load_demo
    from survey.invitations.dimensions import OccasionKind
    from survey.invitations.models import Invitation
    from survey.responding.models import Response

    recorded = (
        Invitation.id,
        Invitation.occasion_kind,
        Invitation.staff_member_id,
        Invitation.channel,
        Invitation.occasion_on,
        Invitation.company_name,
        Invitation.registry_number,
    )
    from_contacts = (
        Invitation.id,
        Contact.account_manager_id,
        Contact.channel,
        Contact.contacted_on,
        Contact.company_name,
        Contact.registry_number,
    )
    app = create_app("test", SQLALCHEMY_DATABASE_URI=request.getfixturevalue(database))
    with app.app_context():
        upgrade()
        load_demo(utcnow())
        db.session.commit()
        db.session.remove()
        downgrade(revision="5d2e8f41c9a7")  # before: the invitation read its contact
        upgrade()
        invitations = db.session.execute(db.select(*recorded).order_by(Invitation.id)).all()
        contacts = db.session.execute(
            db.select(*from_contacts).join(Contact).order_by(Invitation.id)
        ).all()
        kinds = set(db.session.scalars(db.select(Response.occasion_kind)))
        db.session.remove()
    migrated = _every_tally(app)
    with app.app_context():
        rebuild_tallies(db.session)
        db.session.commit()
    recounted = _every_tally(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert len(invitations) == len(contacts) > 0
    assert [(i[0], *i[2:]) for i in invitations] == [tuple(c) for c in contacts]
    assert {i.occasion_kind for i in invitations} == {OccasionKind.CONTACT}
    assert kinds == {OccasionKind.CONTACT}
    assert migrated == recounted and migrated["response_tally"]
