"""Request logs as the operator reads them: one line per request with a request id, method, path,
status and duration; JSON when configured; never a link token in any line."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask

from survey import create_app
from survey.accounts.models import Role
from survey.extensions import db
from survey.operations.logs import (
    JsonLineFormatter,
    TextFormatter,
    log_request,
    redact_tokens,
    request_id_from,
)
from survey.responding.tokens import Purpose, make_token
from tests import factories

# As long as a real survey token, and shaped like one.
TOKEN = "WzEsIjRaZHhTUmRfYnU1aVVJeVIiXQ.u9_3QpkdF2BngbXuPM6Is9TUXU0"


@pytest.fixture
def logged_app(app, database_url):
    """The app as it runs under gunicorn (not the tests' profile of logging): its own handler on
    standard error, here a buffer, in JSON. The session's app shares the database."""
    root, survey_logger = logging.getLogger(), logging.getLogger("survey")
    saved = root.level, survey_logger.level, list(survey_logger.handlers)
    logged = create_app(
        "test", SQLALCHEMY_DATABASE_URI=database_url, TESTING=False, LOG_FORMAT="json"
    )
    handler = next(each for each in root.handlers if each.get_name() == "spiegel")
    handler.setStream(io.StringIO())

    @logged.get("/s/<token>/fails")
    def fails(token):
        raise RuntimeError(f"something broke while showing /s/{token}")

    yield logged, handler.stream
    root.removeHandler(handler)
    root.setLevel(saved[0])
    survey_logger.setLevel(saved[1])
    survey_logger.handlers[:] = saved[2]
    with logged.app_context():
        db.engine.dispose()


@pytest.fixture
def links(app) -> dict[str, str]:
    """A live survey link and unsubscribe link, and a staff member's password link."""
    with app.app_context():
        org = factories.organisation()
        invitation = factories.invitation(org)
        factories.user(org, Role.ADMIN, email="beheer@example.nl")
        db.session.commit()
        return {
            "survey": make_token(invitation, Purpose.SURVEY, "test-secret"),
            "unsubscribe": make_token(invitation, Purpose.UNSUBSCRIBE, "test-secret"),
        }


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_request_is_one_line_with_its_id_method_path_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="survey.requests")
    with client.get("/login?next=/contacts", headers={"X-Request-ID": "lb-7f3a9c"}) as response:
        assert response.headers["X-Request-ID"] == "lb-7f3a9c"
    with client.post("/login", data={}) as refused:
        assert refused.status_code == 400
    requests = [each for each in caplog.records if each.name == "survey.requests"]
    assert [(each.method, each.path, each.status) for each in requests] == [
        ("GET", "/login", 200),  # the query string (a search, an address) is left out
        ("POST", "/login", 400),
    ]
    assert requests[0].request_id == "lb-7f3a9c"
    assert requests[1].request_id == refused.headers["X-Request-ID"]
    assert all(each.duration_ms >= 0 for each in requests)
    assert requests[0].getMessage().startswith("GET /login 200 ")


@pytest.mark.parametrize(
    "header",
    ["", "two words", "x" * 200, "id\u00e9", "a;b", "\u2028forged"],
    ids=["empty", "space", "too-long", "non-ascii", "semicolon", "line-separator"],
)
def test_an_unusable_request_id_is_replaced_by_a_new_one(header):
    made = request_id_from(header)
    assert made != header and len(made) == 32 and int(made, 16) >= 0


def test_a_request_without_an_id_gets_one_and_each_request_its_own(client):
    with client.get("/healthz") as first, client.get("/healthz") as second:
        ids = first.headers["X-Request-ID"], second.headers["X-Request-ID"]
    assert len(set(ids)) == 2 and all(len(each) == 32 for each in ids)


def test_a_path_cannot_forge_a_second_log_line(caplog):
    caplog.set_level(logging.INFO, logger="survey.requests")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x\n2026-01-01 INFO forged 200"}
    log_request(environ, "abc", 404, 0.01)
    line = TextFormatter().format(caplog.records[-1])
    assert "\n" not in line and "/x\\x0a2026-01-01 INFO forged 200" in line


def test_link_tokens_never_reach_any_log_line(logged_app, links, caplog):
    """The requests a respondent and a staff member make with their links, including a refused
    form and a server error on a survey path, with every record the app logs captured."""
    app, stream = logged_app
    caplog.set_level(logging.DEBUG)
    survey, unsubscribe = links["survey"], links["unsubscribe"]
    client = app.test_client()
    answers = factories.CONTACT_FORM_ANSWERS
    with client.post(f"/s/{survey}", data=answers) as answered:
        assert answered.status_code == 303
    for method, path in [
        ("GET", f"/s/{survey}?lang=en"),
        ("GET", f"/s/{survey}/thanks"),
        ("GET", f"/u/{unsubscribe}"),
        ("GET", f"/password/reset/{TOKEN}"),
        ("POST", f"/password/choose/{TOKEN}"),  # no CSRF token: refused, and logged as such
        ("GET", f"/account/email/{TOKEN}"),
        ("GET", f"/s/{survey}/fails"),
        ("GET", f"/s/{TOKEN}"),
    ]:
        with client.open(path, method=method) as response:
            assert response.status_code < 600

    written = stream.getvalue()
    for token in (survey, unsubscribe, TOKEN):
        assert token not in written
        for record in caplog.records:
            for formatter in (TextFormatter(), JsonLineFormatter()):
                assert token not in formatter.format(record), record.name
    lines = _lines(stream)
    requests = [line for line in lines if line["logger"] == "survey.requests"]
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("POST", "/s/<token>", 303),
        ("GET", "/s/<token>", 200),
        ("GET", "/s/<token>/thanks", 200),
        ("GET", "/u/<token>", 200),
        ("GET", "/password/reset/<token>", 404),  # not a link we made
        ("POST", "/password/choose/<token>", 400),
        ("GET", "/account/email/<token>", 404),
        ("GET", "/s/<token>/fails", 500),
        ("GET", "/s/<token>", 404),
    ]
    # The error's lines carry the request's id, so the traceback is found from the request.
    failure = next(line for line in lines if line.get("exc_info"))
    failed_request = next(line for line in requests if line["status"] == 500)
    assert failure["request_id"] == failed_request["request_id"]
    assert "something broke while showing /s/<token>" in failure["exc_info"]
    assert all(line["time"] and line["level"] for line in lines)


def test_text_lines_name_the_request_id_first(logged_app, monkeypatch):
    app, stream = logged_app
    handler = next(each for each in logging.getLogger().handlers if each.get_name() == "spiegel")
    monkeypatch.setattr(handler, "formatter", TextFormatter())
    with app.test_client().get("/healthz", headers={"X-Request-ID": "req-42"}):
        pass
    assert " INFO survey.requests [req-42] GET /healthz 200 " in stream.getvalue()


@pytest.mark.parametrize(
    "endpoint",
    [
        "responding.survey",
        "responding.thanks",
        "unsubscribe.page",
        "accounts.reset_password",
        "accounts.choose_password",
        "accounts.confirm_email",
    ],
)
def test_every_personal_link_of_the_url_map_is_masked(app: Flask, endpoint):
    """A link renamed in its blueprint must stay masked: asked of the URL map, not of a list."""
    with app.test_request_context():
        from flask import url_for

        path = url_for(endpoint, token=TOKEN)
        short = url_for(endpoint, token="abc.def")  # a tampered, short token as well
    assert TOKEN not in redact_tokens(path) and "<token>" in redact_tokens(path)
    assert "abc.def" not in redact_tokens(short)


def test_a_json_line_stays_valid_json_after_masking():
    record = logging.LogRecord(
        "survey", logging.ERROR, __file__, 1, 'Bad "quote" at %s', (f'/s/{TOKEN}"x',), None
    )
    line = json.loads(JsonLineFormatter().format(record))
    assert line["message"] == 'Bad "quote" at /s/<token>"x' and line["logger"] == "survey"
