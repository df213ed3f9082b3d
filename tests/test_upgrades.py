"""Upgrading from the oldest release: a database made by the first migration, with an
organisation, its staff, contacts, invitations and responses written as that release wrote them
(plain SQL, no model of today), upgraded to the newest migration on SQLite and on PostgreSQL,
keeps every record, counts the tallies right, and the app starts on it and shows the figures."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from survey import create_app
from survey.extensions import db
from survey.questionnaires.catalogue import CONTACT_SURVEY
from tests.conftest import csrf_token_in
from tests.test_backups import at_head, dashboard_text, dispose, tallies_equal_a_recount

OLDEST = "8ca60a84c7d8"  # initial schema: organisations, users, questionnaires, contacts, ...
POSTGRES_URL = os.environ.get(
    "POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "an old password 2026"
ANSWERED = 6  # above the organisation's minimum group of 5: the dashboard shows figures
GRADES = [7, 8, 8, 9, 6, 10]

# What the oldest release stored, read back the same way before and after the upgrade.
KEPT = {
    "organisation": "SELECT id, name, slug, locale, timezone, contact_email, min_group_size, "
    "link_expiry_days FROM organisation ORDER BY id",
    "user": "SELECT id, organisation_id, email, name, password_hash, role, locale, active "
    'FROM "user" ORDER BY id',
    "contact": "SELECT id, organisation_id, account_manager_id, company_name, registry_number, "
    "person_name, email, locale, contacted_on, channel, subject, source FROM contact ORDER BY id",
    "invitation": "SELECT id, organisation_id, contact_id, questionnaire_version_id, "
    "recipient_email, recipient_name, locale, state, nonce, scheduled_at, sent_at, expires_at, "
    "answered_at FROM invitation ORDER BY id",
    "response": "SELECT id, invitation_id, organisation_id, questionnaire_version_id, "
    "submitted_at, locale FROM response ORDER BY id",
    "answer": 'SELECT id, response_id, question_id, value, "option", text FROM answer ORDER BY id',
    "question": "SELECT id, version_id, position, code, type, required, is_overall FROM question "
    "ORDER BY id",
}


def _the_oldest_release_at_work(connection, now: datetime) -> None:
    """What the first release wrote: one organisation, an administrator and an account manager,
    seven contacts with their invitations, six of them answered."""

    def insert(table: str, **row) -> None:
        columns = ", ".join(f'"{name}"' for name in row)
        values = ", ".join(f":{name}" for name in row)
        connection.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({values})'), row)

    insert(
        "organisation",
        id=1,
        name="Gemeente Oudewater",
        slug="oudewater",
        locale="nl",
        timezone="Europe/Amsterdam",
        contact_email="ondernemersloket@oudewater.example",
        contact_phone="0348 123 456",
        min_group_size=5,
        link_expiry_days=21,
        created_at=now - timedelta(days=60),
    )
    password_hash = PasswordHasher().hash(PASSWORD)
    for user_id, email, name, role, locale in (
        (1, "beheer@oudewater.example", "Anouk Beheer", "admin", "en"),
        (2, "sanne@oudewater.example", "Sanne de Vries", "account_manager", None),
    ):
        insert(
            "user",
            id=user_id,
            organisation_id=1,
            email=email,
            name=name,
            password_hash=password_hash,
            role=role,
            locale=locale,
            active=True,
            created_at=now - timedelta(days=60),
            last_login_at=None,
        )
    insert(
        "questionnaire",
        id=1,
        organisation_id=None,
        key=CONTACT_SURVEY["key"],
        purpose="contact",
        title=json.dumps(CONTACT_SURVEY["title"]),
        created_at=now - timedelta(days=60),
    )
    insert(
        "questionnaire_version",
        id=1,
        questionnaire_id=1,
        number=1,
        intro=json.dumps(CONTACT_SURVEY["intro"]),
        created_at=now - timedelta(days=60),
    )
    for position, question in enumerate(CONTACT_SURVEY["questions"], 1):
        insert(
            "question",
            id=position,
            version_id=1,
            position=position,
            code=question["code"],
            theme=question["theme"],
            type=str(question["type"]),
            text=json.dumps(question["text"]),
            options=json.dumps(question.get("options", [])),
            required=question["required"],
            is_overall=question.get("is_overall", False),
        )
    answer_id = 0
    for number in range(1, 8):
        contacted = now - timedelta(days=12 - number)
        sent = contacted + timedelta(days=1)
        answered = number <= ANSWERED
        insert(
            "contact",
            id=number,
            organisation_id=1,
            account_manager_id=2,
            company_name=f"Bakkerij Oudewater {number} BV",
            registry_number=f"{number:08d}",
            person_name=f"Eva Bakker {number}",
            email=f"eva{number}@bakkerij.example",
            locale="nl",
            contacted_on=contacted.date(),
            channel="phone" if number % 2 else "visit",
            subject="Vergunning voor een terras",
            source="web",
            created_at=contacted,
        )
        insert(
            "invitation",
            id=number,
            organisation_id=1,
            contact_id=number,
            questionnaire_version_id=1,
            sender_id=2,
            recipient_email=f"eva{number}@bakkerij.example",
            recipient_name=f"Eva Bakker {number}",
            locale="nl",
            state="answered" if answered else "sent",
            nonce=f"nonce{number:027d}",
            suppression_reason=None,
            scheduled_at=sent,
            sent_at=sent,
            reminded_at=None,
            expires_at=sent + timedelta(days=21),
            answered_at=sent + timedelta(hours=3) if answered else None,
            created_at=contacted,
        )
        if not answered:
            continue
        insert(
            "response",
            id=number,
            invitation_id=number,
            organisation_id=1,
            questionnaire_version_id=1,
            submitted_at=sent + timedelta(hours=3),
            locale="nl",
        )
        grade = GRADES[number - 1]
        given = {"overall": grade, "recommend": grade, "improve": f"Sneller bellen ({number})."}
        for question_id, question in enumerate(CONTACT_SURVEY["questions"], 1):
            answer_id += 1
            value = given.get(question["code"], min(5, grade // 2))
            insert(
                "answer",
                id=answer_id,
                response_id=number,
                question_id=question_id,
                value=None if question["code"] == "improve" else value,
                option=None,
                text=value if question["code"] == "improve" else None,
            )


def _kept(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(sql)).all() for name, sql in KEPT.items()}
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'oudewater.db'}"


@pytest.fixture
def postgres_url():
    """An empty PostgreSQL database of its own, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"spiegel_upgrade_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
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
def test_a_database_of_the_oldest_release_upgrades_to_the_newest_with_everything_in_it(
    request, database
):
    url = request.getfixturevalue(database)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with app.app_context():
        upgrade(revision=OLDEST)
        with db.engine.begin() as connection:
            _the_oldest_release_at_work(connection, now)
        db.engine.dispose()
    before = _kept(url)

    with app.app_context():
        upgrade()
        db.engine.dispose()
    try:
        assert at_head(app)
        assert _kept(url) == before  # every record as the old release wrote it
        assert len(before["answer"]) == ANSWERED * len(CONTACT_SURVEY["questions"])
        with app.app_context():
            dimensions = db.session.execute(
                text(
                    "SELECT r.id, r.account_manager_id, r.channel, r.occasion_kind, "
                    "i.staff_member_id FROM response r JOIN invitation i "
                    "ON i.id = r.invitation_id ORDER BY r.id"
                )
            ).all()
        # Each response gained its account manager, channel and kind from its invitation.
        assert [row[1:] for row in dimensions] == [
            (2, "phone" if number % 2 else "visit", "contact", 2)
            for number in range(1, ANSWERED + 1)
        ]
        assert tallies_equal_a_recount(app)

        # The app starts on it: the administrator logs in with the password of then and
        # sees the six responses, and the contacts with their companies.
        shown = dashboard_text(app, "beheer@oudewater.example", PASSWORD)
        assert f"Based on {ANSWERED} responses." in shown
        client = app.test_client()
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "email": "sanne@oudewater.example",
                "password": PASSWORD,
                "csrf_token": csrf_token_in(page.text),
            },
        )
        contacts = client.get("/contacts")
        assert contacts.status_code == 200
        assert all(f"Bakkerij Oudewater {n} BV" in contacts.text for n in range(1, 8))
    finally:
        dispose(app)
