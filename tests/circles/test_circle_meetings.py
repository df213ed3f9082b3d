"""Circle meetings: an event's organiser names the circle in the event form (only a circle the
organisation shares its figures with), and the circle's page shows each meeting's evaluations
and the year's, as figures only and only from the event minimum on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.accounts.models import Role
from survey.analysis.report import event_min_group_size
from survey.events.models import Event
from survey.extensions import db
from tests import factories
from tests.circles.factories import circle, join, municipality
from tests.conftest import csrf_token_in
from tests.events.test_event_pages import event_form
from tests.events.test_results import evaluate, workshop_answers

REMARK = "De koffie was koud bij de kringbijeenkomst"


@pytest.fixture
def world(app):
    """Gemeente Aa shares with Kring Noord (with Gemeente Bee) and Kring Oost, and is a member of
    Kring Zuid without consent; Gemeente Cee is in none of them."""
    with app.app_context():
        aa, bee = municipality("Gemeente Aa"), municipality("Gemeente Bee")
        coco = factories.user(aa, Role.COORDINATOR, email="coco@aa.example", name="Coco Aa")
        factories.user(bee, Role.ADMIN, email="admin@bee.example")
        noord = circle(aa, bee, name="Kring Noord")
        oost = circle(aa, name="Kring Oost")
        zuid = circle(bee, name="Kring Zuid")
        join(zuid, aa, consented=False)
        factories.workshop_version()
        db.session.commit()
        return {"coco": coco.id, "noord": noord.id, "oost": oost.id, "zuid": zuid.id}


def create(client, world, **changes):
    page = client.get("/events/new")
    assert page.status_code == 200, page.text
    data = event_form(page.text, world["coco"], kind="circle_meeting", series="") | changes
    return client.post("/events/new", data=data)


def meeting(title: str) -> Event:
    return db.session.scalar(select(Event).where(Event.title == title))


def test_the_form_offers_only_the_circles_the_organisation_shares_with(app, client, log_in, world):
    log_in("coco@aa.example")
    client.get("/language/en")
    page = client.get("/events/new").text
    assert "Kring Noord" in page and "Kring Oost" in page
    assert "Kring Zuid" not in page
    assert "For a circle meeting: the comparison circle it is for." in page

    refused = create(client, world, circle=str(world["zuid"]))
    assert refused.status_code == 422
    assert "Not a valid choice" in refused.text
    with app.app_context():
        assert meeting("Klantarena vergunningen") is None


def test_a_meeting_names_its_circle_and_keeps_it_until_changed(app, client, log_in, world):
    log_in("coco@aa.example")
    client.get("/language/en")
    response = create(client, world, circle=str(world["noord"]))
    assert response.status_code == 302
    assert "Kring Noord" in client.get(response.location).text
    with app.app_context():
        event_id = meeting("Klantarena vergunningen").id
        assert meeting("Klantarena vergunningen").circle_id == world["noord"]

    page = client.get(f"/events/{event_id}/edit")
    form = event_form(page.text, world["coco"], kind="circle_meeting", series="")
    moved = client.post(f"/events/{event_id}/edit", data=form | {"circle": str(world["oost"])})
    assert moved.status_code == 302
    with app.app_context():
        assert meeting("Klantarena vergunningen").circle_id == world["oost"]


def test_the_circle_page_shows_each_meeting_and_the_year_from_the_minimum_on(
    app, client, log_in, world
):
    log_in("coco@aa.example")
    client.get("/language/en")
    noord = str(world["noord"])
    assert create(client, world, title="Kringdag maart", circle=noord).status_code == 302
    assert create(client, world, title="Kringdag juni", day="2030-06-12", circle=noord).status_code
    with app.app_context():
        march, june = meeting("Kringdag maart"), meeting("Kringdag juni")
        minimum = event_min_group_size(march.organisation)
        for number in range(minimum):
            evaluate(march, workshop_answers(8, remark=REMARK if number == 0 else None))
        for _ in range(minimum - 1):
            evaluate(june, workshop_answers(3))
        db.session.commit()

    # Seen by another member of the circle: figures, never the remarks.
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/events").text)})
    log_in("admin@bee.example")
    client.get("/language/en")
    page = client.get(f"/circles/{world['noord']}")
    assert page.status_code == 200, page.text
    text = page.text
    section = text[text.index("Circle meetings") :]
    assert section.index("Kringdag juni") < section.index("Kringdag maart")  # newest first
    june_row = section[section.index("Kringdag juni") : section.index("Kringdag maart")]
    assert "Gemeente Aa" in june_row and f"<td>{minimum - 1}</td>" in june_row
    assert "too few responses" in june_row and "3.0" not in june_row
    march_row = section[section.index("Kringdag maart") : section.index("The year")]
    assert f"<td>{minimum}</td>" in march_row
    assert f"8.0 (n = {minimum})" in march_row
    year_row = section[section.index("The year: 2 meetings") :]
    # The year pools the meeting shown only: the withheld one cannot be worked out from it.
    assert f"8.0 (n = {minimum})" in year_row and "3.0" not in year_row
    assert REMARK not in text


def test_another_circles_page_does_not_list_the_meeting(app, client, log_in, world):
    log_in("coco@aa.example")
    assert create(client, world, title="Kringdag maart", circle=str(world["noord"])).status_code
    page = client.get(f"/circles/{world['oost']}")
    assert page.status_code == 200
    assert "Kringdag maart" not in page.text
    assert "Kringdag maart" in client.get(f"/circles/{world['noord']}").text
