"""The participant import's pages: paste or upload a list, choose unclear columns, check the
preview, confirm, download the rows with problems; who may, and what a bad list gets."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.events.models import Event, Participant
from survey.extensions import db
from survey.imports.models import ColumnMapping
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def event_id(app, client, log_in):
    """An event of a coordinator's organisation, the coordinator logged in, reading English."""
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        coordinator = factories.user(org, Role.COORDINATOR, email="coord@a.example", name="Coco")
        factories.user(org, email="sanne@a.example", name="Sanne")
        event = factories.event(org, coordinator, send_at=utcnow() + timedelta(hours=2))
        factories.participant(event, "kees@example.org")
        db.session.commit()
        event_id = event.id
    log_in("coord@a.example")
    client.get("/language/en")
    return event_id


def page_of(event_id: int, step: str = "") -> str:
    return f"/events/{event_id}/participants/import{step}"


def send_list(client, event_id, pasted="", file=None):
    page = client.get(page_of(event_id))
    form = {"csrf_token": csrf_token_in(page.text), "pasted": pasted}
    if file is not None:
        form["file"] = (io.BytesIO(file), "deelnemers.csv")
    return client.post(page_of(event_id), data=form, content_type="multipart/form-data")


def hidden_fields(html: str, action: str) -> dict:
    form = re.search(rf'<form method="post" action="{action}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))


def participants(app, event_id) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Participant.email)
                .where(Participant.event_id == event_id)
                .order_by(Participant.email)
            )
        )


TYPED = (
    "Anna de Vries, anna@example.org, Bakkerij De Korf\r\n"
    "Piet, piet@, Gemeente Aastad\r\n"
    "Kees, kees@example.org, \r\n"
    "Els Bakker, els@example.org, Slagerij Bakker\r\n"
)


def test_a_pasted_list_is_previewed_then_added_with_a_count_on_the_event_page(
    app, client, event_id
):
    page = client.get(page_of(event_id))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert "<textarea" in page.text and 'type="file"' in page.text

    preview = send_list(client, event_id, pasted=TYPED)
    assert preview.status_code == 200
    assert "The list has no line naming its columns; they were recognised by their values." in (
        preview.text
    )
    problems = re.search(r'<table class="import-problems">(.*?)</table>', preview.text, re.S)
    assert re.findall(r'<th scope="row">(\d+)</th>', problems.group(1)) == ["2"]
    assert "piet@ is not a valid email address." in problems.group(1)
    assert "taking part already" in preview.text  # Kees
    assert "Add 2 participants" in preview.text
    assert participants(app, event_id) == ["kees@example.org"]  # nothing written yet

    action = page_of(event_id, "/confirm")
    done = client.post(action, data=hidden_fields(preview.text, action))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/events/{event_id}")
    assert participants(app, event_id) == [
        "anna@example.org",
        "els@example.org",
        "kees@example.org",
    ]
    event_page = client.get(done.headers["Location"])
    assert (
        "Import finished: 2 participants added, 1 skipped (taking part already, or twice in the "
        "list), 1 not added because of problems."
    ) in event_page.text
    with app.app_context():
        audit = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.PARTICIPANTS_IMPORTED)
        )
        assert audit.subject_id == event_id
        assert audit.detail == {"imported": 2, "skipped": 1, "rejected": 1}

    again = client.post(action, data=hidden_fields(preview.text, action))  # a second click
    assert again.status_code == 302
    assert len(participants(app, event_id)) == 3


def test_an_uploaded_file_with_a_dutch_header_and_its_rows_with_problems(app, client, event_id):
    data = "Naam;E-mailadres;Organisatie;Taal\r\nZoë;zoe@example.org;Café Zoë;Engels\r\n"
    data += "Joris;joris@example.org;;fr\r\n"
    preview = send_list(client, event_id, file=data.encode("cp1252"))
    assert preview.status_code == 200
    assert "The columns were recognised by their names." in preview.text
    assert "Café Zoë" in preview.text and "English" in preview.text

    action = page_of(event_id, "/rejected")
    download = client.post(action, data=hidden_fields(preview.text, page_of(event_id, "/confirm")))
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "deelnemers-problems.csv" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Naam", "E-mailadres", "Organisatie", "Taal", "problems"],
        ["Joris", "joris@example.org", "", "fr", "Language: fr is not a language: use nl or en."],
    ]


def test_unclear_columns_are_chosen_and_remembered_for_the_next_participant_list(
    app, client, event_id
):
    data = b"Wie;Waar;Adres\r\nAnna;De Korf;anna@example.org\r\n"
    columns = send_list(client, event_id, file=data)
    assert columns.status_code == 200
    assert "Which column holds what?" in columns.text
    assert "No column was recognised for: Email address." in columns.text

    action = page_of(event_id, "/columns")
    chosen = hidden_fields(columns.text, action)
    wrong = chosen | {"columns-0": "name", "columns-1": "name", "columns-2": ""}
    refused = client.post(action, data=wrong)
    assert refused.status_code == 422
    assert "Choose the column that holds: Email address." in refused.text

    right = chosen | {"columns-0": "name", "columns-1": "organisation_name", "columns-2": "email"}
    preview = client.post(action, data=right)
    assert preview.status_code == 200 and "Add 1 participant" in preview.text
    confirm = page_of(event_id, "/confirm")
    assert client.post(confirm, data=hidden_fields(preview.text, confirm)).status_code == 302
    assert "anna@example.org" in participants(app, event_id)
    with app.app_context():
        assert db.session.scalar(select(func.count(ColumnMapping.id))) == 1

    next_list = send_list(client, event_id, file=b"Adres;Wie;Waar\r\npiet@example.org;Piet;\r\n")
    assert next_list.status_code == 200
    assert "Using the column mapping saved on" in next_list.text


@pytest.mark.parametrize(
    "pasted, file, message",
    [
        ("", None, "Paste a list or choose a file."),
        ("anna@example.org", b"anna@example.org", "Paste a list or choose a file, not both."),
        ("", b"PK\x03\x04workbook", "This is an Excel workbook, not a CSV file."),
        ("Naam;E-mail", None, "The list has a header line but no participants."),
        ("", b"x" * (2 * 1024 * 1024 + 1), "The file is larger than 2 MB."),
    ],
    ids=["nothing", "both", "a workbook", "a header alone", "too large"],
)
def test_a_list_that_cannot_be_read_is_refused_with_the_reason(
    client, event_id, pasted, file, message
):
    refused = send_list(client, event_id, pasted=pasted, file=file)
    assert refused.status_code == 422
    assert message in refused.text
    assert 'class="error-summary"' in refused.text


def test_a_lost_list_sends_the_person_back_to_the_upload(client, event_id):
    page = client.get(page_of(event_id))
    lost = client.post(
        page_of(event_id, "/confirm"),
        data={"csrf_token": csrf_token_in(page.text), "payload": "not a packed list"},
    )
    assert lost.status_code == 302
    assert lost.headers["Location"].endswith(page_of(event_id))
    assert "The uploaded file was lost on the way" in client.get(page_of(event_id)).text


def test_an_account_manager_may_not_import_participants(client, log_in, event_id):
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get(page_of(event_id)).text)})
    log_in("sanne@a.example")
    assert client.get(page_of(event_id)).status_code == 403
    for step in ("", "/columns", "/confirm", "/rejected"):
        assert client.post(page_of(event_id, step)).status_code in (400, 403)


def test_another_organisations_event_is_not_found(app, client, event_id):
    with app.app_context():
        elsewhere = factories.event(factories.organisation("Gemeente Elders"))
        db.session.commit()
        other = elsewhere.id
    assert client.get(page_of(other)).status_code == 404
    preview = send_list(client, event_id, pasted="anna@example.org")
    confirm = page_of(event_id, "/confirm")
    posted = client.post(page_of(other, "/confirm"), data=hidden_fields(preview.text, confirm))
    assert posted.status_code == 404
    with app.app_context():
        assert db.session.get(Event, other).participants == []
