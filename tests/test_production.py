"""The README's production steps, run as written against a PostgreSQL database of their own:
migrate, load the catalogue, create an organisation and its staff, start gunicorn from the repo's
gunicorn.conf.py and the scheduler, then an entrepreneur answers a survey through gunicorn."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.mailserver import MailServer, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get(
    "POSTGRES_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# The python step that stands in for an account manager logging a contact in the web form, in
# production mode; the invitation is then brought forward, as if its working day had come.
LOG_A_CONTACT = """
from sqlalchemy import select
from survey.accounts.models import Organisation, User
from survey.clock import utcnow
from survey.contacts.logbook import invitation_of, log_contact
from survey.extensions import db
from wsgi import app

with app.app_context():
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "voorbeeld"))
    manager = db.session.scalar(select(User).where(User.email == "sanne@voorbeeld.nl"))
    now = utcnow()
    contact = log_contact(
        org, manager, company_name="Bakkerij Voorbeeld", registry_number=None,
        person_name="Eva Bakker", email="eva@bakkerij.example", locale="nl",
        contacted_on=now.date(), channel="visit", subject="Bedrijfsbezoek", now=now,
    )
    invitation_of(contact).scheduled_at = now
    db.session.commit()
"""


@pytest.fixture
def production_database():
    """An empty PostgreSQL database of its own, dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"spiegel_production_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: production test skipped")
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def production_environment(**settings: str) -> dict[str, str]:
    """The machine's environment without any Spiegel profile, plus these settings."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SPIEGEL_", "FLASK_"))}
    return {**keep, "SPIEGEL_ENV": "production", **settings}


def step(environment: dict, *command: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def flask(environment: dict, *arguments: str) -> str:
    return step(environment, str(BIN / "flask"), "--app", "wsgi", *arguments)


class FormFields(HTMLParser):
    """The survey form's action and a complete set of answers: the highest option of every
    rating, the first of every choice, a sentence in every text box."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "survey-form":
            self.action = attrs["action"]
        elif tag == "input" and attrs.get("name"):
            kind, name = attrs.get("type", "text"), attrs["name"]
            if kind == "radio":
                self.fields[name] = attrs["value"]  # the last one wins: the top of the scale
            elif kind == "checkbox":
                self.fields.setdefault(name, attrs["value"])
            elif kind in ("hidden", "text"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs.get("name")

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields[self._textarea] = "Snel geholpen, dank u."
            self._textarea = None


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not listen on {port} within {seconds} s")


def wait_for_email(server: MailServer, seconds: float = 40):
    deadline = time.monotonic() + seconds
    while not server.received and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.received, "the scheduler sent no invitation"
    return server.messages[0]


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        return process.communicate(timeout=30)[0] or ""
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0] or ""


@pytest.mark.postgres
def test_the_production_steps_serve_a_survey_through_gunicorn(production_database):
    port, mail = free_port(), MailServer().start()
    environment = production_environment(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=production_database,
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(mail.port),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    step(environment, str(BIN / "pybabel"), "compile", "-d", "survey/translations")
    flask(environment, "db", "upgrade")
    flask(environment, "catalogue", "load")
    flask(environment, "organisations", "create", "Gemeente Voorbeeld", "--slug", "voorbeeld")
    for email, role in (
        ("beheer@voorbeeld.nl", "admin"),
        ("sanne@voorbeeld.nl", "account_manager"),
    ):
        flask(
            environment,
            "users",
            "create",
            "--email",
            email,
            "--name",
            "Sanne de Vries",
            "--role",
            role,
            "--organisation",
            "voorbeeld",
            "--password",
            secrets.token_hex(12),
        )
    step(environment, sys.executable, "-c", LOG_A_CONTACT)

    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    scheduler = subprocess.Popen(
        [str(BIN / "flask"), "--app", "wsgi", "scheduler"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        email = wait_for_email(mail)
        link = re.search(
            rf"http://127\.0\.0\.1:{port}/s/[\w.-]+", email.get_body(("plain",)).get_content()
        ).group()
        token = link.rsplit("/", 1)[1]

        page = urllib.request.urlopen(link, timeout=30)
        html = page.read().decode()
        assert page.headers["Cache-Control"] == "no-store"
        assert '<html lang="nl"' in html and "Antwoorden versturen" in html  # Dutch, compiled
        form = FormFields()
        form.feed(html)
        assert form.action == f"/s/{token}" and len(form.fields) > 5

        thanks = urllib.request.urlopen(
            urllib.parse.urljoin(link, form.action),
            data=urllib.parse.urlencode(form.fields).encode(),
            timeout=30,
        )
        assert urllib.parse.urlsplit(thanks.url).path == f"/s/{token}/thanks"
        assert "Bedankt voor uw antwoorden" in thanks.read().decode()
    finally:
        access_log = stop(server)
        stop(scheduler)
        mail.stop()

    engine = create_engine(production_database)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM response JOIN answer ON answer.response_id = response.id")
        ).scalar()
    engine.dispose()
    assert stored >= 5
    assert "/s/<token>/thanks" in access_log and token not in access_log


def test_gunicorn_refuses_to_start_with_a_weak_key_in_one_line():
    environment = production_environment(SECRET_KEY="dev-only-not-secret")
    del environment["SPIEGEL_ENV"]  # production is what an unset profile means
    done = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env={**environment, "GUNICORN_BIND": f"127.0.0.1:{free_port()}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Spiegel will not start: SECRET_KEY is a publicly known example value" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def gunicorn_settings(monkeypatch):
    """gunicorn.conf.py as gunicorn reads it (the test profile, so no key is needed here)."""
    import logging
    import runpy

    monkeypatch.setenv("SPIEGEL_ENV", "test")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    yield settings
    logging.getLogger("survey").removeFilter(
        next(
            f
            for f in logging.getLogger("survey").filters
            if isinstance(f, settings["RedactTokens"])
        )
    )


TOKEN = "WzEsIjRaZHhTUmRfYnU1aVVJeVIiXQ.u9_3QpkdF2BngbXuPM6Is9TUXU0"


@pytest.mark.parametrize(
    "path, logged",
    [
        (f"/s/{TOKEN}", "/s/<token>"),
        (f"/s/{TOKEN}/thanks", "/s/<token>/thanks"),
        (f"/u/{TOKEN}", "/u/<token>"),
        (f"/password/reset/{TOKEN}", "/password/reset/<token>"),
        (f"/password/choose/{TOKEN}?next=/", "/password/choose/<token>?next=/"),
        (f"/account/email/{TOKEN}", "/account/email/<token>"),
        (f"/a-new-kind-of-link/{TOKEN}", "/a-new-kind-of-link/<token>"),
        ("/static/css/app.css", "/static/css/app.css"),
        ("/assets/plotly-4.1.1.min.js", "/assets/plotly-4.1.1.min.js"),
        ("/dashboard/export.csv", "/dashboard/export.csv"),
    ],
)
def test_link_tokens_never_reach_the_logs(gunicorn_settings, path, logged):
    assert gunicorn_settings["redact_tokens"](path) == logged


def test_flask_error_lines_name_the_path_without_its_token(gunicorn_settings):
    import logging

    record = logging.LogRecord(
        "survey", logging.ERROR, __file__, 1, "Exception on %s [%s]", (f"/s/{TOKEN}", "POST"), None
    )
    gunicorn_settings["RedactTokens"]().filter(record)
    assert record.getMessage() == "Exception on /s/<token> [POST]"


def test_the_gunicorn_settings_fit_the_slowest_request(gunicorn_settings):
    assert gunicorn_settings["timeout"] >= 60  # an XLSX export of 100,000 responses: ~15 s
    assert gunicorn_settings["graceful_timeout"] >= 30
    assert "%(U)s" in gunicorn_settings["access_log_format"]
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "{raw_uri}"):
        assert leaky not in gunicorn_settings["access_log_format"]
