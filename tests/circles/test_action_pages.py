"""The improvement action pages: recording and changing an action, its measured effect, sharing
it as a good practice; who may see what (roles, tenancy, circles), and odd parameters."""

from __future__ import annotations

from datetime import date

import pytest

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.circles.models import GoodPractice, ImprovementAction
from survey.extensions import db
from tests import factories
from tests.circles.action_factories import HIGH, LOW, action, circle, months_of_answers
from tests.conftest import csrf_token_in

START = date(2026, 5, 1)


@pytest.fixture
def municipality(app):
    """A coordinator and an account manager of a municipality with an action on speed."""
    with app.app_context():
        factories.contact_version()  # the catalogue, as `flask db upgrade` loads it
        org = factories.organisation("Gemeente Eigen")
        coordinator = factories.user(org, Role.COORDINATOR, email="coordinator@eigen.example")
        manager = factories.user(org, Role.ACCOUNT_MANAGER, email="am@eigen.example")
        made = action(org, START, title="Terugbelbelofte", contact_person=coordinator)
        db.session.commit()
        return {"org": org.id, "action": made.id, "manager": manager.id, "staff": coordinator.id}


def test_a_coordinator_records_an_action_and_sees_it_listed(client, log_in, municipality, app):
    log_in("coordinator@eigen.example")
    page = client.get("/circles/actions/new")
    assert page.status_code == 200
    assert "Mijn vraag werd snel opgepakt." in page.text  # the rated questions, in Dutch

    posted = client.post(
        "/circles/actions/new",
        data={
            "csrf_token": csrf_token_in(page.text),
            "title": "Vaste contactpersoon",
            "description": "Elke ondernemer krijgt één aanspreekpunt.",
            "starts": "2026-09",
            "question_codes": ["reachability", "overall"],
            "managers": [str(municipality["manager"])],
            "contact_person": str(municipality["staff"]),
        },
    )

    assert posted.status_code == 302
    with app.app_context():
        made = db.session.scalar(
            db.select(ImprovementAction).where(ImprovementAction.title == "Vaste contactpersoon")
        )
        assert made.starts_on == date(2026, 9, 1)
        assert made.question_codes == ["reachability", "overall"]
        assert made.account_manager_ids == [municipality["manager"]]
    listing = client.get("/circles/actions")
    assert "Vaste contactpersoon" in listing.text and "september 2026" in listing.text
    with app.app_context():
        logged = db.session.scalars(db.select(AuditEvent.action)).all()
    assert Action.IMPROVEMENT_ACTION_RECORDED in logged  # who recorded it, in the activity log


def test_a_form_with_problems_says_what_to_fix(client, log_in, municipality):
    log_in("coordinator@eigen.example")
    page = client.get("/circles/actions/new")

    posted = client.post(
        "/circles/actions/new",
        data={"csrf_token": csrf_token_in(page.text), "title": "", "starts": "2026-13"},
    )

    assert posted.status_code == 422
    assert "Vul de titel van de actie in." in posted.text
    assert "Kies ten minste één vraag." in posted.text
    assert "2026-03" in posted.text  # how to write a month


def test_an_action_can_be_changed(client, log_in, municipality, app):
    log_in("coordinator@eigen.example")
    url = f"/circles/actions/{municipality['action']}/edit"
    page = client.get(url)
    assert 'value="2026-05"' in page.text

    posted = client.post(
        url,
        data={
            "csrf_token": csrf_token_in(page.text),
            "title": "Terugbelbelofte binnen een dag",
            "starts": "2026-06",
            "question_codes": ["speed"],
            "contact_person": "",
        },
    )

    assert posted.status_code == 302
    with app.app_context():
        changed = db.session.get(ImprovementAction, municipality["action"])
        assert (changed.title, changed.starts_on) == (
            "Terugbelbelofte binnen een dag",
            date(2026, 6, 1),
        )
        assert changed.contact_person_id is None and changed.account_manager_ids == []


def test_the_action_page_shows_the_effect_in_plain_words(client, log_in, municipality, app):
    with app.app_context():
        org = db.session.get(type(factories.organisation()), municipality["org"])
        manager = db.session.get(factories.User, municipality["manager"])
        months_of_answers(org, manager, [date(2026, 3, 1), date(2026, 4, 1)], LOW)
        months_of_answers(org, manager, [date(2026, 5, 1), date(2026, 6, 1)], HIGH)
        db.session.commit()
    log_in("coordinator@eigen.example")

    page = client.get(f"/circles/actions/{municipality['action']}?months=2")

    assert page.status_code == 200
    assert "steeg van 3,0 naar 4,0" in page.text
    assert "maart 2026" in page.text and "juni 2026" in page.text
    assert "deelt haar cijfers niet in een kring" in page.text
    three = client.get(f"/circles/actions/{municipality['action']}?months=3")
    assert "Te weinig antwoorden voor of na (ten minste 5 aan elke kant)" not in page.text
    assert "steeg van 3,0 naar 4,0" in three.text  # the empty months add nothing


@pytest.mark.parametrize("months", ["0", "13", "abc", "-1", "1.5", "99999999999999"])
def test_an_odd_number_of_months_is_refused_with_a_message(client, log_in, municipality, months):
    log_in("coordinator@eigen.example")

    page = client.get(f"/circles/actions/{municipality['action']}?months={months}")

    assert page.status_code == 400
    assert "Kies een aantal maanden van 1 tot en met 12." in page.text


def test_an_account_manager_may_not_see_actions(client, log_in, municipality):
    log_in("am@eigen.example")
    for url in (
        "/circles/actions",
        "/circles/actions/new",
        f"/circles/actions/{municipality['action']}",
        f"/circles/actions/{municipality['action']}/edit",
        f"/circles/actions/{municipality['action']}/share",
        "/circles/actions/practices",
    ):
        assert client.get(url).status_code == 403, url


def test_another_organisations_action_is_not_found(client, log_in, municipality, app):
    with app.app_context():
        other = factories.organisation("Gemeente Ander")
        factories.user(other, Role.ADMIN, email="admin@ander.example")
        db.session.commit()
    log_in("admin@ander.example")
    action_id = municipality["action"]

    for url in (
        f"/circles/actions/{action_id}",
        f"/circles/actions/{action_id}/edit",
        f"/circles/actions/{action_id}/share",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/circles/actions")
    assert (
        client.post(
            f"/circles/actions/{action_id}/withdraw", data={"csrf_token": csrf_token_in(page.text)}
        ).status_code
        == 404
    )
    assert "Terugbelbelofte" not in page.text


def _logged_in(app, email: str):
    """Another browser, logged in as `email`."""
    browser = app.test_client()
    page = browser.get("/login")
    browser.post(
        "/login",
        data={
            "email": email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_in(page.text),
        },
    )
    return browser


def _circle_with_practice(app, municipality):
    """The municipality shares its action in a circle; returns the ids of two outsiders."""
    with app.app_context():
        org = db.session.get(type(factories.organisation()), municipality["org"])
        neighbour = factories.organisation("Gemeente Buur")
        factories.user(neighbour, Role.COORDINATOR, email="coordinator@buur.example")
        outsider = factories.organisation("Gemeente Elders")
        factories.user(outsider, Role.COORDINATOR, email="coordinator@elders.example")
        silent = factories.organisation("Gemeente Zwijgt")
        factories.user(silent, Role.COORDINATOR, email="coordinator@zwijgt.example")
        circle(org, neighbour, name="Kring Oost")
        circle(outsider, name="Kring West")
        circle(silent, org, name="Kring Noord", consent=False)
        db.session.commit()


def test_a_shared_practice_is_seen_in_the_own_circles_only(client, log_in, municipality, app):
    _circle_with_practice(app, municipality)
    log_in("coordinator@eigen.example")
    form = client.get(f"/circles/actions/{municipality['action']}/share")
    assert form.status_code == 200
    assert "Terugbelbelofte" in form.text and "coordinator@eigen.example" in form.text

    shared = client.post(
        f"/circles/actions/{municipality['action']}/share",
        data={
            "csrf_token": csrf_token_in(form.text),
            "title": "Terugbelbelofte",
            "what_was_done": "We bellen elke vraag binnen één werkdag terug.",
            "effect": "Snelheid steeg van 3,2 naar 4,0.",
            "contact_name": "Coördinator Eigen",
            "contact_email": "coordinator@eigen.example",
        },
    )
    assert shared.status_code == 302

    neighbour = _logged_in(app, "coordinator@buur.example")
    seen = neighbour.get("/circles/actions/practices")
    assert seen.status_code == 200
    assert "We bellen elke vraag binnen één werkdag terug." in seen.text
    assert "Gemeente Eigen" in seen.text and "Kring Oost" in seen.text

    for outsider in ("coordinator@elders.example", "coordinator@zwijgt.example"):
        page = _logged_in(app, outsider).get("/circles/actions/practices")
        assert page.status_code == 200
        assert "We bellen elke vraag" not in page.text, outsider


def test_a_withdrawn_practice_is_no_longer_seen(client, log_in, municipality, app):
    _circle_with_practice(app, municipality)
    log_in("coordinator@eigen.example")
    form = client.get(f"/circles/actions/{municipality['action']}/share")
    client.post(
        f"/circles/actions/{municipality['action']}/share",
        data={
            "csrf_token": csrf_token_in(form.text),
            "title": "Terugbelbelofte",
            "what_was_done": "We bellen elke vraag binnen één werkdag terug.",
        },
    )
    detail = client.get(f"/circles/actions/{municipality['action']}")
    assert "Trek de goede praktijk in" in detail.text

    withdrawn = client.post(
        f"/circles/actions/{municipality['action']}/withdraw",
        data={"csrf_token": csrf_token_in(detail.text)},
    )

    assert withdrawn.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(GoodPractice)).withdrawn_at is not None
    neighbour = _logged_in(app, "coordinator@buur.example")
    assert "We bellen elke vraag" not in neighbour.get("/circles/actions/practices").text


def test_a_practice_with_a_wrong_address_is_refused(client, log_in, municipality, app):
    _circle_with_practice(app, municipality)
    log_in("coordinator@eigen.example")
    form = client.get(f"/circles/actions/{municipality['action']}/share")

    posted = client.post(
        f"/circles/actions/{municipality['action']}/share",
        data={
            "csrf_token": csrf_token_in(form.text),
            "title": "Terugbelbelofte",
            "what_was_done": "Terugbellen.",
            "contact_email": "geen adres",
        },
    )

    assert posted.status_code == 422
    assert "is geen geldig e-mailadres" in posted.text


def test_sharing_without_a_circle_is_not_possible(client, log_in, municipality):
    log_in("coordinator@eigen.example")
    form = client.get(f"/circles/actions/{municipality['action']}/share")
    assert "deelt haar cijfers niet in een kring" in form.text

    posted = client.post(
        f"/circles/actions/{municipality['action']}/share",
        data={
            "csrf_token": csrf_token_in(client.get("/circles/actions").text),
            "title": "X",
            "what_was_done": "Y",
        },
    )

    assert posted.status_code == 409


@pytest.mark.parametrize("year", ["1999", "2101", "twee", ""])
def test_an_odd_year_is_refused_with_a_message(client, log_in, municipality, year):
    log_in("coordinator@eigen.example")

    page = client.get(f"/circles/actions/practices?year={year}")

    assert page.status_code == 400
    assert "Kies een jaar van 2000 tot en met 2100." in page.text


@pytest.mark.parametrize(
    "odd",
    [
        {"title": "Nul\x00byte", "starts": "maart\x00"},
        {"title": "Twee\nregels", "starts": "0000-01"},
        {"title": "x" * 201, "starts": "9999-12"},
        {"title": "Goed", "starts": "2026-03", "question_codes": ["geen_vraag"]},
        {"title": "Goed", "starts": "2026-03", "managers": ["10000000000000000000"]},
        {"title": "Goed", "starts": "2026-03", "managers": ["abc"]},
        {"title": "Goed", "starts": "2026-03", "contact_person": "1e19"},
        {"title": "Goed", "starts": "2026-03", "contact_person": "999999"},
        {"title": "Goed", "starts": "2026-03", "description": "x" * 4001},
    ],
)
def test_odd_input_in_the_action_form_is_refused_with_a_message(client, log_in, municipality, odd):
    log_in("coordinator@eigen.example")
    page = client.get("/circles/actions/new")

    posted = client.post(
        "/circles/actions/new",
        data={"csrf_token": csrf_token_in(page.text), "question_codes": ["speed"], **odd},
    )

    assert posted.status_code == 422
    assert 'class="error-summary"' in posted.text


def test_a_contact_person_of_another_organisation_cannot_be_chosen(
    client, log_in, municipality, app
):
    with app.app_context():
        other = factories.organisation("Gemeente Ander")
        stranger = factories.user(other, Role.COORDINATOR).id
        db.session.commit()
    log_in("coordinator@eigen.example")
    page = client.get("/circles/actions/new")
    assert f'value="{stranger}"' not in page.text

    posted = client.post(
        "/circles/actions/new",
        data={
            "csrf_token": csrf_token_in(page.text),
            "title": "Goed",
            "starts": "2026-03",
            "question_codes": ["speed"],
            "contact_person": str(stranger),
        },
    )

    assert posted.status_code == 422


def test_the_platform_operator_sees_no_municipalitys_actions(client, log_in, municipality, app):
    with app.app_context():
        platform = factories.organisation("Platform", is_platform=True)
        factories.user(platform, Role.OPERATOR, email="operator@platform.example")
        db.session.commit()
    log_in("operator@platform.example")

    for url in (
        "/circles/actions",
        f"/circles/actions/{municipality['action']}",
        "/circles/actions/practices",
    ):
        assert client.get(url).status_code == 403, url
