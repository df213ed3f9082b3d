"""Staff pages and exports show names and addresses: no cache keeps a copy. Assets are cached."""

from __future__ import annotations

import pytest

from survey.accounts.models import Role
from survey.extensions import db
from tests import factories

# Kept on purpose: the versioned plotly bundle for a year, our own css and js as Flask serves them.
ASSETS = {"static", "plotly_asset.plotly_js"}


@pytest.fixture
def administrator(app, log_in):
    """An administrator logged in, and the ids of one record of each kind in their organisation."""
    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN, email="beheer@cache.example")
        invitation = factories.invitation(org, admin, email="klant@x.example")
        email = factories.outbound_email(invitation)
        factories.response(org, admin, factories.rated_answers(8))  # something to export
        db.session.commit()
        ids = {
            "user_id": admin.id,
            "invitation_id": invitation.id,
            "email_id": email.id,
            "contact_id": invitation.contact_id or 1,
            "extension": "csv",
        }
    log_in("beheer@cache.example")
    return ids


def _staff_urls(app, ids: dict) -> list[str]:
    """Every GET page of the app that the test can name, with this organisation's records."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ASSETS:
            continue
        if rule.endpoint.startswith(("responding.", "unsubscribe.", "mailbox.")):
            continue  # public pages with their own tests; the Mailbox is 404 outside development
        if rule.arguments <= ids.keys():
            urls.append(rule.build(ids, append_unknown=False)[1])
    return urls


def test_every_staff_page_of_a_logged_in_user_is_not_stored(app, client, administrator):
    urls = _staff_urls(app, administrator)
    assert {"/", "/contacts", "/outbox", "/dashboard", "/dashboard/export.csv"} <= set(urls)

    for url in urls:
        response = client.get(url)
        response.close()  # the exports stream
        assert response.headers.get("Cache-Control") == "no-store", url


def test_the_login_page_is_not_stored(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_both_exports_are_not_stored(client, administrator):
    for extension in ("csv", "xlsx"):
        response = client.get(f"/dashboard/export.{extension}")
        response.close()
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_the_csv_export_names_its_charset_once(client, administrator):
    response = client.get("/dashboard/export.csv")
    response.close()

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_assets_stay_cacheable(client):
    from survey.dashboards.plotly_asset import plotly_script_url

    with client.application.test_request_context():
        plotly = plotly_script_url()
    response = client.get(plotly)
    assert "no-store" not in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    stylesheet = client.get("/static/css/app.css")
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
