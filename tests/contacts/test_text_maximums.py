"""Every text field staff type into has a maximum: stated beside it, kept by the browser
(maxlength) and enforced by the server with a clear message; the subject says who reads it."""

import re

import pytest

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.contacts.logbook import ContactError, check_contact
from survey.extensions import db
from tests import factories
from tests.contacts.test_contact_pages import contact_form, today


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        factories.user(org, email="sanne@a.example", name="Sanne Aa")
        factories.user(org, Role.ADMIN, email="admin@a.example", name="Ad Aa")
        db.session.commit()


def maxlength_of(html: str, name: str) -> int | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    found = re.search(r'maxlength="(\d+)"', tag)
    return int(found.group(1)) if found else None


def test_every_text_field_of_a_contact_has_its_maximum_stated_and_kept_by_the_browser(
    client, log_in, staff
):
    log_in("sanne@a.example")
    client.get("/language/en")
    page = client.get("/contacts/new").text
    maximums = {"company_name": 200, "person_name": 200, "email": 254, "subject": 200}
    for name, maximum in (maximums | {"registry_number": 30}).items():
        assert maxlength_of(page, name) == maximum, name
    assert page.count("At most 200 characters.") >= 3  # company, person, subject
    assert "At most 254 characters." in page


def test_the_subject_field_says_the_entrepreneur_reads_it(client, log_in, staff):
    log_in("sanne@a.example")
    client.get("/language/en")
    page = client.get("/contacts/new").text
    assert "The entrepreneur reads this in the email:" in page
    assert 'aria-describedby="subject-hint"' in page


def test_a_ten_thousand_character_company_name_is_refused_with_a_clear_message(
    app, client, log_in, staff
):
    log_in("sanne@a.example")
    client.get("/language/en")
    page = client.get("/contacts/new")
    response = client.post(
        "/contacts/new",
        data=contact_form(page.text, company_name="B" * 10_000, subject="x" * 201),
    )
    assert response.status_code == 422
    assert response.text.count("Use at most 200 characters.") >= 2
    assert "B" * 10_000 not in client.get("/contacts").text


def test_the_maximums_are_the_same_for_every_way_in(app, ctx):
    """The CSV import and the API log contacts through check_contact: the same maximums."""
    org = factories.organisation()
    manager = factories.user(org)
    with pytest.raises(ContactError) as refused:
        check_contact(
            org,
            manager,
            company_name="B" * 201,
            registry_number="1" * 31,
            person_name="P" * 201,
            email="e" * 250 + "@x.nl",
            locale="nl",
            contacted_on=today(),
            channel="visit",
            subject="S" * 201,
            now=utcnow(),
        )
    problems = {field: str(message) for field, message in refused.value.problems.items()}
    assert problems == {
        "company_name": "Gebruik maximaal 200 tekens.",
        "registry_number": "Gebruik maximaal 30 tekens.",
        "person_name": "Gebruik maximaal 200 tekens.",
        "email": "Gebruik maximaal 254 tekens.",
        "subject": "Gebruik maximaal 200 tekens.",
    }


def test_staff_account_and_settings_fields_have_their_maximum(client, log_in, staff):
    login = client.get("/login").text
    assert maxlength_of(login, "email") == 254 and maxlength_of(login, "password") == 1000
    log_in("admin@a.example")
    client.get("/language/en")
    new_user = client.get("/users/new").text
    assert maxlength_of(new_user, "name") == 200 and maxlength_of(new_user, "email") == 254
    settings = client.get("/settings").text
    assert maxlength_of(settings, "contact_email") == 254
    assert maxlength_of(settings, "contact_phone") == 40
    assert "At most 40 characters." in settings
