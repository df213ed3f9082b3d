"""The operator's pages: organisations with their size and first administrator, circles with
their members and each member's consent. Nobody else opens them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.audit.models import Action, AuditEvent
from survey.circles.membership import add_member, create_circle, give_consent
from survey.circles.models import Circle, CircleMember
from survey.clock import utcnow
from survey.extensions import db
from survey.jobs.tasks import send_outbox
from tests import factories
from tests.conftest import csrf_token_in

NEW_PASSWORD = "een heel lang nieuw wachtwoord"


@pytest.fixture
def platform(app):
    """The platform with its operator; Aastad (with an administrator, a coordinator and an
    account manager) and Beedorp; Kring Noord with Aastad as a member."""
    with app.app_context():
        home = factories.organisation("Spiegel platform", is_platform=True)
        factories.user(home, Role.OPERATOR, email="op@platform.example", name="Olga Operator")
        aastad = factories.organisation("Aastad", inhabitants=31_000, size_class="m")
        beedorp = factories.organisation("Beedorp")
        factories.user(aastad, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        factories.user(aastad, Role.COORDINATOR, email="coord@a.example")
        factories.user(aastad, email="am@a.example")
        circle = create_circle("Kring Noord", "", actor=None, now=utcnow())
        add_member(circle, aastad, actor=None, now=utcnow())
        db.session.commit()
        return {"aastad": aastad.id, "beedorp": beedorp.id, "circle": circle.id}


def _post(client, url: str, data: dict, page: str | None = None):
    token = csrf_token_in(client.get(page or url).text)
    return client.post(url, data={**data, "csrf_token": token})


def test_the_operator_sees_the_organisations_with_size_and_circles(client, log_in, platform):
    log_in("op@platform.example")
    page = client.get("/platform/")
    assert page.status_code == 200
    assert "Aastad" in page.text and "Beedorp" in page.text
    assert "20.000 tot 50.000 inwoners" in page.text  # Aastad's size class, in Dutch
    assert "Kring Noord" in page.text


@pytest.mark.parametrize("staff", ["admin@a.example", "coord@a.example", "am@a.example"])
def test_no_municipal_role_opens_a_platform_page(client, log_in, platform, staff):
    log_in(staff)
    for url in (
        "/platform/",
        "/platform/organisations/new",
        f"/platform/organisations/{platform['aastad']}",
        "/platform/circles",
        f"/platform/circles/{platform['circle']}",
    ):
        assert client.get(url).status_code == 403, url


def test_the_platform_pages_need_a_login(client, platform):
    assert client.get("/platform/").status_code == 302


def test_the_operator_adds_an_organisation_whose_first_administrator_chooses_a_password(
    app, client, log_in, platform, mail_server
):
    log_in("op@platform.example")
    added = _post(
        client,
        "/platform/organisations/new",
        {
            "name": "Gemeente Ceestad",
            "slug": "ceestad",
            "locale": "nl",
            "timezone": "Europe/Amsterdam",
            "size_class": "",
            "inhabitants": "64000",
            "companies": "5200",
            "admin_name": "Cees Beheer",
            "admin_email": "cees@ceestad.example",
        },
    )
    assert added.status_code == 302
    shown = client.get(added.headers["Location"]).text
    assert "cees@ceestad.example" in shown  # the message says where the link went
    assert "50.000 tot 100.000 inwoners" in shown  # the class the inhabitants chose
    with app.app_context():
        ceestad = db.session.scalar(select(Organisation).where(Organisation.slug == "ceestad"))
        assert (ceestad.size_class, ceestad.inhabitants, ceestad.companies) == ("l", 64000, 5200)
        admin = db.session.scalar(select(User).where(User.email == "cees@ceestad.example"))
        assert admin.role is Role.ADMIN and admin.organisation_id == ceestad.id
        send_outbox()
    (received,) = mail_server.received
    assert received.recipients == ["cees@ceestad.example"]
    link = re.search(
        r"http://localhost(/password/choose/\S+)",
        received.message.get_body(("plain",)).get_content(),
    ).group(1)

    cees = app.test_client()
    form = cees.get(link)
    assert form.status_code == 200
    chosen = cees.post(
        link,
        data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token_in(form.text)},
    )
    assert chosen.status_code == 302
    login = cees.get("/login")
    assert (
        cees.post(
            "/login",
            data={
                "email": "cees@ceestad.example",
                "password": NEW_PASSWORD,
                "csrf_token": csrf_token_in(login.text),
            },
        ).status_code
        == 302
    )
    assert cees.get("/users/").status_code == 200  # an administrator of Ceestad


def test_a_taken_slug_or_address_keeps_the_form_with_a_message_and_creates_nothing(
    app, client, log_in, platform
):
    log_in("op@platform.example")
    with app.app_context():
        taken = db.session.get(Organisation, platform["aastad"]).slug
    refused = _post(
        client,
        "/platform/organisations/new",
        {
            "name": "Dubbel",
            "slug": taken,
            "locale": "nl",
            "timezone": "Europe/Amsterdam",
            "admin_name": "Iemand",
            "admin_email": "iemand@dubbel.example",
        },
    )
    assert refused.status_code == 422
    assert "bestaat al" in refused.text
    taken_address = _post(
        client,
        "/platform/organisations/new",
        {
            "name": "Nieuwdorp",
            "slug": "nieuwdorp",
            "locale": "nl",
            "timezone": "Europe/Amsterdam",
            "admin_name": "Ada",
            "admin_email": "admin@a.example",
        },
    )
    assert taken_address.status_code == 422
    with app.app_context():  # not half made: no organisation without its administrator
        assert (
            db.session.scalar(select(Organisation).where(Organisation.slug == "nieuwdorp")) is None
        )


@pytest.mark.parametrize(
    "odd",
    [
        {"inhabitants": "veel"},
        {"inhabitants": "-5"},
        {"inhabitants": "10000000000000000000"},
        {"companies": "1e9"},
        {"size_class": "xxl"},
    ],
)
def test_odd_size_data_is_refused_with_a_message(client, log_in, platform, odd):
    log_in("op@platform.example")
    url = f"/platform/organisations/{platform['beedorp']}"
    data = {"size-size_class": "", "size-inhabitants": "", "size-companies": ""}
    data.update({f"size-{name}": value for name, value in odd.items()})
    refused = _post(client, f"{url}/size", data, page=url)
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text


def test_the_operator_corrects_the_size_and_it_is_on_the_activity_log(
    app, client, log_in, platform
):
    log_in("op@platform.example")
    url = f"/platform/organisations/{platform['beedorp']}"
    saved = _post(
        client,
        f"{url}/size",
        {"size-size_class": "s", "size-inhabitants": "23000", "size-companies": ""},
        page=url,
    )
    assert saved.status_code == 302
    with app.app_context():
        beedorp = db.session.get(Organisation, platform["beedorp"])
        # The operator's choice stands over what the inhabitants suggest.
        assert (beedorp.size_class, beedorp.inhabitants) == ("s", 23000)
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.organisation_id == beedorp.id)
        )
        assert event.action is Action.ORGANISATION_SIZE_CHANGED
        assert event.actor.email == "op@platform.example"


def test_the_first_administrator_of_an_organisation_made_without_one(app, client, log_in, platform):
    log_in("op@platform.example")
    url = f"/platform/organisations/{platform['beedorp']}"
    assert "nog geen beheerder" in client.get(url).text
    sent = _post(
        client,
        f"{url}/administrator",
        {"admin-admin_name": "Bea Beheer", "admin-admin_email": "bea@b.example"},
        page=url,
    )
    assert sent.status_code == 302
    page = client.get(url).text
    assert "nog geen beheerder" not in page and 'action="' + url + '/administrator"' not in page
    # Aastad has one already: later administrators are its own administrator's to add.
    aastad = f"/platform/organisations/{platform['aastad']}"
    again = _post(
        client,
        f"{aastad}/administrator",
        {"admin-admin_name": "Nog Een", "admin-admin_email": "nog@a.example"},
        page=aastad,
    )
    assert again.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nog@a.example")) is None


def test_the_operator_makes_a_circle_adds_and_removes_members_and_sees_their_consent(
    app, client, log_in, platform
):
    log_in("op@platform.example")
    made = _post(
        client,
        "/platform/circles/new",
        {"name": "Kring Zuid", "description": "Gemeenten in het zuiden"},
    )
    assert made.status_code == 302
    url = made.headers["Location"]
    added = _post(client, f"{url}/members", {"organisation": platform["aastad"]}, page=url)
    assert added.status_code == 302
    page = client.get(url).text
    assert "Aastad" in page and "voorwaarden nog niet aanvaard" in page.lower()

    with app.app_context():
        circle = db.session.scalar(select(Circle).where(Circle.name == "Kring Zuid"))
        member = db.session.scalar(select(CircleMember).where(CircleMember.circle_id == circle.id))
        admin = db.session.scalar(select(User).where(User.email == "admin@a.example"))
        give_consent(member, actor=admin, now=utcnow())
        db.session.commit()
    page = client.get(url).text
    assert "Deelt zijn cijfers" in page and "door Ada Admin" in page

    removed = _post(client, f"{url}/members/{platform['aastad']}/remove", {}, page=url)
    assert removed.status_code == 302
    page = client.get(url).text
    assert "Nog geen leden" in page
    with app.app_context():
        changes = set(db.session.scalars(select(AuditEvent.action)))
        assert {
            Action.CIRCLE_CREATED,
            Action.CIRCLE_MEMBER_ADDED,
            Action.CIRCLE_MEMBER_REMOVED,
        } <= changes


def test_the_platform_itself_and_unknown_records_cannot_be_added_or_opened(
    app, client, log_in, platform
):
    log_in("op@platform.example")
    with app.app_context():
        home = db.session.scalar(select(Organisation).where(Organisation.is_platform))
    url = f"/platform/circles/{platform['circle']}"
    refused = _post(client, f"{url}/members", {"organisation": home.id}, page=url)
    assert refused.status_code == 422  # not among the choices
    assert _post(client, f"{url}/members", {"organisation": "abc"}, page=url).status_code == 422
    assert client.get("/platform/circles/999999").status_code == 404
    assert client.get("/platform/organisations/999999").status_code == 404
    gone = _post(client, f"{url}/members/{platform['beedorp']}/remove", {}, page=url)
    assert gone.status_code == 404  # Beedorp is no member


def test_a_circle_name_is_needed_and_unique(client, log_in, platform):
    log_in("op@platform.example")
    assert _post(client, "/platform/circles/new", {"name": ""}).status_code == 422
    taken = _post(client, "/platform/circles/new", {"name": "kring noord"})
    assert taken.status_code == 422 and "bestaat al" in taken.text
