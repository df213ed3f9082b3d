"""The contact list and the log-a-contact form, over HTTP, as staff use them."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.clock import utcnow
from survey.contacts.logbook import invitation_of, log_contact
from survey.contacts.models import Channel, Contact, Source
from survey.extensions import db
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.conftest import csrf_token_in


def today():
    return utcnow().astimezone(ZoneInfo("Europe/Amsterdam")).date()


@pytest.fixture
def staff(app):
    """Org A: account managers Sanne and Joris, a coordinator; org B: a coordinator."""
    with app.app_context():
        org_a = factories.organisation("Gemeente Aastad")
        org_b = factories.organisation("Gemeente Beedorp")
        sanne = factories.user(org_a, email="sanne@a.example", name="Sanne Aa")
        joris = factories.user(org_a, email="joris@a.example", name="Joris Aa")
        factories.user(org_a, Role.COORDINATOR, email="coord@a.example", name="Coco Aa")
        outsider = factories.user(org_b, Role.COORDINATOR, email="coord@b.example")
        db.session.commit()
        return {"org_a": org_a.id, "org_b": org_b.id, "sanne": sanne.id, "joris": joris.id,
                "outsider": outsider.id}  # fmt: skip


@pytest.fixture
def english(client, log_in):
    def log_in_english(email):
        log_in(email)
        client.get("/language/en")

    return log_in_english


def contact_form(page_html, **changes):
    data = {
        "csrf_token": csrf_token_in(page_html),
        "company_name": "Bakkerij De Korenaar",
        "registry_number": "0123.456.749",
        "person_name": "Fatima El Amrani",
        "email": "Fatima@Korenaar.example",
        "locale": "nl",
        "contacted_on": today().isoformat(),
        "channel": "visit",
        "subject": "Uitbreiding",
    }
    return data | changes


def log(app, org_id, user_id, company, email, **fields):
    """A contact logged directly (as the domain does), committed."""
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        user = db.session.get(User, user_id)
        contact = log_contact(
            org,
            user,
            company_name=company,
            registry_number=fields.pop("registry_number", None),
            person_name=fields.pop("person_name", f"Persoon van {company}"),
            email=email,
            locale=None,
            contacted_on=fields.pop("contacted_on", today()),
            channel=fields.pop("channel", Channel.VISIT),
            subject="",
            now=utcnow(),
        )
        db.session.commit()
        return contact.id, invitation_of(contact).id


def test_the_contact_pages_need_a_login(client):
    for url in ("/contacts", "/contacts/new", "/contacts/import"):
        assert client.get(url).status_code == 302


def test_an_account_manager_logs_a_contact_and_hears_when_the_invitation_goes_out(
    app, client, english, staff
):
    english("sanne@a.example")
    page = client.get("/contacts/new")
    assert page.status_code == 200
    assert 'name="account_manager"' not in page.text  # their own contact, always
    assert f'value="{today().isoformat()}"' in page.text  # today, in the organisation's zone
    response = client.post("/contacts/new", data=contact_form(page.text))
    assert response.status_code == 302 and response.location == "/contacts"
    listing = client.get("/contacts").text
    assert re.search(
        r"The contact has been logged\. The survey invitation goes out on "
        r"(Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} \w+ at 09:00\.",
        listing,
    ), listing
    assert "Bakkerij De Korenaar" in listing and "0123.456.749" in listing
    with app.app_context():
        contact = db.session.scalar(select(Contact))
        assert contact.account_manager_id == staff["sanne"]
        assert contact.email == "fatima@korenaar.example" and contact.source is Source.WEB
        assert f'/invitations/{invitation_of(contact).id}"' in listing


def test_the_form_shows_what_is_wrong(client, english, staff):
    english("sanne@a.example")
    page = client.get("/contacts/new")
    response = client.post(
        "/contacts/new",
        data=contact_form(page.text, company_name="", email="fatima@", registry_number="1234",
                          contacted_on=(today() + timedelta(days=1)).isoformat()),
    )  # fmt: skip
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Please fill in the company name." in response.text
    assert "fatima@ is not a valid email address." in response.text
    assert "1234 has 4 digits" in response.text
    assert "The date of the contact is in the future." in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_same_contact_twice_is_refused_by_the_form(client, english, staff):
    english("sanne@a.example")
    page = client.get("/contacts/new")
    assert client.post("/contacts/new", data=contact_form(page.text)).status_code == 302
    again = client.post("/contacts/new", data=contact_form(page.text))
    assert again.status_code == 422
    assert "This contact has been logged already" in again.text


def test_a_coordinator_logs_a_contact_on_behalf_of_an_account_manager(
    app, client, english, log_in, staff
):
    english("coord@a.example")
    page = client.get("/contacts/new")
    assert "Sanne Aa" in page.text and "Joris Aa" in page.text
    data = contact_form(page.text, account_manager=str(staff["sanne"]))
    assert client.post("/contacts/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Contact.account_manager_id)) == staff["sanne"]
    # Sanne sees it among her contacts; Joris does not.
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/contacts").text)})
    log_in("sanne@a.example")
    assert "Bakkerij De Korenaar" in client.get("/contacts").text
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/contacts").text)})
    log_in("joris@a.example")
    assert "Bakkerij De Korenaar" not in client.get("/contacts").text


def test_a_coordinator_cannot_name_someone_of_another_organisation(client, english, staff):
    english("coord@a.example")
    page = client.get("/contacts/new")
    response = client.post(
        "/contacts/new", data=contact_form(page.text, account_manager=str(staff["outsider"]))
    )
    assert response.status_code == 422


def test_an_account_manager_sees_only_their_own_contacts(app, client, english, staff):
    log(app, staff["org_a"], staff["sanne"], "Bakkerij Sanne", "a@bakkerij.example")
    log(app, staff["org_a"], staff["joris"], "Smederij Joris", "b@smederij.example")
    log(app, staff["org_b"], staff["outsider"], "Garage Elders", "c@garage.example")
    english("sanne@a.example")
    page = client.get("/contacts").text
    assert "Bakkerij Sanne" in page
    assert "Smederij Joris" not in page and "Garage Elders" not in page
    assert 'name="manager"' not in page
    # Asking for Joris's contacts changes nothing: the scope is hers.
    assert "Smederij Joris" not in client.get(f"/contacts?manager={staff['joris']}").text


def test_a_coordinator_sees_the_organisation_filters_and_searches(app, client, english, staff):
    log(app, staff["org_a"], staff["sanne"], "Bakkerij Sanne", "a@bakkerij.example")
    log(app, staff["org_a"], staff["joris"], "Smederij Joris", "b@smederij.example")
    log(app, staff["org_b"], staff["outsider"], "Garage Elders", "c@garage.example")
    english("coord@a.example")
    page = client.get("/contacts").text
    assert "Bakkerij Sanne" in page and "Smederij Joris" in page
    assert "Garage Elders" not in page
    assert "2 contacts" in page
    only_joris = client.get(f"/contacts?manager={staff['joris']}").text
    assert "Smederij Joris" in only_joris and "Bakkerij Sanne" not in only_joris
    found = client.get("/contacts?q=bakkerij").text
    assert "Bakkerij Sanne" in found and "Smederij Joris" not in found
    assert "1 contact<" in found
    assert "No contacts match your search." in client.get("/contacts?q=elders").text


def test_the_list_says_why_an_invitation_is_not_sent(app, client, english, staff):
    org, sanne = staff["org_a"], staff["sanne"]
    with app.app_context():
        suppress_address(org, "weg@optout.example", SuppressionKind.OPTED_OUT, utcnow())
        suppress_address(org, "kapot@bounce.example", SuppressionKind.BOUNCED, utcnow())
        factories.invitation(
            db.session.get(Organisation, org),
            db.session.get(User, sanne),
            email="vaak@moe.example",
            sent_at=utcnow() - timedelta(days=34),
        )
        db.session.commit()
    log(app, org, sanne, "Uitgeschreven BV", "weg@optout.example")
    log(app, org, sanne, "Bounce BV", "kapot@bounce.example")
    _contact, tired = log(app, org, sanne, "Moe BV", "vaak@moe.example")
    log(app, org, sanne, "Gewoon BV", "gewoon@example.org")
    english("sanne@a.example")
    page = client.get("/contacts").text
    assert "opted out" in page
    assert "email address bounced" in page
    assert "invited 34 days ago" in page
    assert f'/invitations/{tired}"' in page
    assert "planned" in page


def test_logging_a_contact_for_an_opted_out_address_says_no_invitation_follows(
    app, client, english, staff
):
    with app.app_context():
        suppress_address(staff["org_a"], "fatima@korenaar.example", SuppressionKind.OPTED_OUT,
                         utcnow())  # fmt: skip
        db.session.commit()
    english("sanne@a.example")
    page = client.get("/contacts/new")
    client.post("/contacts/new", data=contact_form(page.text))
    assert "No survey invitation will be sent: opted out." in client.get("/contacts").text


def test_the_pages_speak_dutch_by_default(client, log_in, staff):
    log_in("sanne@a.example")
    assert client.get("/contacts").status_code == 200
    assert 'lang="nl"' in client.get("/contacts/new").text
