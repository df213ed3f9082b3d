"""A municipality's administrator reads the data-sharing terms of its circles, accepts and
revokes them; nobody else can, and another circle does not exist for them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.circles.membership import (
    TERMS_VERSION,
    add_member,
    create_circle,
    sharing_organisation_ids,
)
from survey.circles.models import SharingConsent
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def circles(app):
    """Aastad in Kring Noord; Beedorp in Kring Noord and Kring Zuid; Ceedam in Kring Zuid."""
    with app.app_context():
        home = factories.organisation("Platform", is_platform=True)
        factories.user(home, Role.OPERATOR, email="op@platform.example")
        aastad, beedorp, ceedam = (
            factories.organisation("Aastad"),
            factories.organisation("Beedorp"),
            factories.organisation("Ceedam"),
        )
        factories.user(aastad, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        factories.user(aastad, Role.COORDINATOR, email="coord@a.example")
        factories.user(aastad, email="am@a.example")
        factories.user(beedorp, Role.ADMIN, email="admin@b.example")
        noord = create_circle("Kring Noord", "", actor=None, now=utcnow())
        zuid = create_circle("Kring Zuid", "", actor=None, now=utcnow())
        for circle, organisation in (
            (noord, aastad),
            (noord, beedorp),
            (zuid, beedorp),
            (zuid, ceedam),
        ):
            add_member(circle, organisation, actor=None, now=utcnow())
        db.session.commit()
        return {"noord": noord.id, "zuid": zuid.id, "aastad": aastad.id}


def _post(client, url: str, page: str):
    return client.post(url, data={"csrf_token": csrf_token_in(client.get(page).text)})


def test_an_administrator_sees_only_the_circles_of_their_own_organisation(client, log_in, circles):
    log_in("admin@a.example")
    page = client.get("/circles/consent")
    assert page.status_code == 200
    assert "Kring Noord" in page.text and "Kring Zuid" not in page.text
    assert "voorwaarden nog niet aanvaard" in page.text.lower()


def test_another_circle_or_an_unknown_one_is_404(client, log_in, circles):
    log_in("admin@a.example")
    zuid = f"/circles/{circles['zuid']}/consent"
    assert client.get(zuid).status_code == 404
    assert client.get("/circles/999999/consent").status_code == 404
    noord = f"/circles/{circles['noord']}/consent"
    # Posting to a circle of others is a 404 too, and records nothing.
    token = csrf_token_in(client.get(noord).text)
    assert client.post(zuid, data={"csrf_token": token}).status_code == 404
    assert client.post(f"{zuid}/revoke", data={"csrf_token": token}).status_code == 404


def test_the_terms_say_plainly_what_is_shared_and_what_never_is(client, log_in, circles):
    log_in("admin@a.example")
    page = client.get(f"/circles/{circles['noord']}/consent").text
    assert f"versie {TERMS_VERSION}" in page
    for promise in ("afzonderlijke antwoorden", "opmerkingen", "accountmanagers", "contacten"):
        assert promise in page
    assert "op elk moment" in page and "intrekken" in page
    client.get("/language/en")
    english = client.get(f"/circles/{circles['noord']}/consent").text
    assert "individual answers" in english and "revoke your consent at any time" in english


def test_accepting_and_revoking_are_recorded_and_sharing_follows(app, client, log_in, circles):
    log_in("admin@a.example")
    page = f"/circles/{circles['noord']}/consent"
    accepted = _post(client, page, page)
    assert accepted.status_code == 302
    shown = client.get(page).text
    assert "Ada Admin heeft versie" in shown and "Toestemming intrekken" in shown
    with app.app_context():
        assert circles["aastad"] in sharing_organisation_ids(circles["noord"], utcnow())
        consent = db.session.scalar(select(SharingConsent))
        assert consent.terms_version == TERMS_VERSION and consent.given_by.name == "Ada Admin"

    assert _post(client, f"{page}/revoke", page).status_code == 302
    shown = client.get(page).text
    assert "heeft de toestemming ingetrokken" in shown
    with app.app_context():
        assert circles["aastad"] not in sharing_organisation_ids(circles["noord"], utcnow())
        consent = db.session.scalar(select(SharingConsent))
        assert consent.revoked_by.name == "Ada Admin" and consent.revoked_at is not None
    assert client.get("/activity").status_code == 200  # both on the activity log


def test_a_second_acceptance_or_revocation_gets_a_message(client, log_in, circles):
    log_in("admin@a.example")
    page = f"/circles/{circles['noord']}/consent"
    assert (
        "deelt haar cijfers niet"
        in client.get(_post(client, f"{page}/revoke", page).headers["Location"]).text
    )
    _post(client, page, page)
    again = _post(client, page, page)
    assert "deelt haar cijfers al" in client.get(again.headers["Location"]).text


@pytest.mark.parametrize("someone", ["coord@a.example", "am@a.example", "op@platform.example"])
def test_only_a_municipalitys_administrator_gives_consent(client, log_in, circles, someone):
    log_in(someone)
    assert client.get("/circles/consent").status_code == 403
    assert client.get(f"/circles/{circles['noord']}/consent").status_code == 403
