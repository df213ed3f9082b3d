"""The platform operator runs the service but sees nothing of a municipality's own: every staff
page is refused (403) except the platform pages, the circles' aggregates and their own account.

The pages come from the app's URL map, so a new staff page is checked too: a page an operator
may open must be named in OPERATOR_PAGES, and must show aggregates only.
"""

from __future__ import annotations

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in

# Blueprints and pages the operator may use; everything else behind a login is refused.
OPERATOR_BLUEPRINTS = {"platform"}
OPERATOR_PAGES = {
    "accounts.account",  # their own password and language
    "accounts.change_own_password",
    "accounts.save_language",
    "accounts.logout",
    # The circles' aggregates (survey/circles/access.py lets the operator see every circle).
    "circles.index",
    "circles.show",
    "circles.report",
    "circles.export",
}
# Path values for every kind of argument: any record will do, a refusal comes first.
VALUES = {"extension": "csv", "code": "x", "token": "x"}


@pytest.fixture
def operator(app):
    with app.app_context():
        home = factories.organisation("Platform", is_platform=True)
        factories.user(home, Role.OPERATOR, email="op@platform.example")
        municipality = factories.organisation("Aastad")
        factories.user(municipality, Role.ADMIN, email="admin@a.example")
        db.session.commit()


def _url(rule) -> str:
    values = {name: VALUES.get(name, 1) for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _operator_may(endpoint: str) -> bool:
    return endpoint.split(".")[0] in OPERATOR_BLUEPRINTS or endpoint in OPERATOR_PAGES


def _staff_rules(app, client, method: str):
    """Rules that send a visitor without a login to the login page, to come back after."""
    token = csrf_token_in(client.get("/login").text)
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint.startswith("mailbox."):
            continue
        url = _url(rule)
        answer = (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        )
        if answer.status_code == 302 and "/login?next=" in answer.headers["Location"]:
            yield rule, url


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_operator_is_refused_on_every_municipal_staff_page(
    app, client, log_in, operator, method
):
    rules = list(_staff_rules(app, client, method))
    assert len(rules) > 20 if method == "GET" else len(rules) > 10
    log_in("op@platform.example")
    token = csrf_token_in(client.get("/account").text)
    refused = []
    for rule, url in rules:
        if _operator_may(rule.endpoint):
            continue
        answer = (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        )
        if answer.status_code != 403:
            refused.append(f"{rule.endpoint} {url}: {answer.status_code}")
    assert refused == []


def test_the_operator_opens_the_platform_and_the_circles(client, log_in, operator):
    log_in("op@platform.example")
    assert client.get("/platform/").status_code == 200
    assert client.get("/platform/circles").status_code == 200
    assert client.get("/circles").status_code == 200
    menu = client.get("/platform/").text
    assert 'href="/platform/"' in menu and 'href="/circles"' in menu
    for municipal in ('href="/contacts', 'href="/dashboards', 'href="/users', 'href="/settings'):
        assert municipal not in menu


def test_an_administrator_sees_circles_in_the_menu_but_not_the_platform(client, log_in, operator):
    log_in("admin@a.example")
    menu = client.get("/settings").text
    assert 'href="/circles"' in menu and 'href="/platform/' not in menu
    assert client.get("/platform/").status_code == 403


def test_the_operator_lands_on_the_platform_after_logging_in(client, log_in, operator):
    landed = log_in("op@platform.example")
    assert landed.status_code == 302 and landed.headers["Location"] == "/platform/"
    assert client.get("/login").headers["Location"] == "/platform/"  # logged in already
