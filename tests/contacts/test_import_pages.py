"""The CSV import over HTTP: upload, preview (nothing written), confirm, rejected rows."""

import codecs
import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.contacts.models import Contact, Source
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


def day(offset: int) -> str:
    moment = utcnow().astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(days=offset)
    return moment.date().strftime("%d-%m-%Y")


def spreadsheet(separator=";", encoding="utf-8") -> bytes:
    """Two good rows, two bad ones and an empty line, as Excel saves it."""
    rows = [
        ["Bedrijfsnaam", "KvK", "Contactpersoon", "E-mail", "Taal", "Datum", "Kanaal"],
        ["Café Zoë", "12345678", "Zoë Martín", "zoe@cafe.example", "", day(-1), "bezoek"],
        ["Bakkerij", "", "Piet", "piet@", "nl", day(-1), "telefoon"],
        [],
        ["Slagerij", "", "Els", "els@slagerij.example", "", day(1), "balie"],
        ["Drukkerij", "", "Anna", "anna@drukkerij.example", "en", day(-2), "e-mail"],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def staff(app):
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne Aa")
        joris = factories.user(org, email="joris@a.example", name="Joris Aa")
        factories.user(org, Role.COORDINATOR, email="coord@a.example", name="Coco Aa")
        db.session.commit()
        return {"sanne": sanne.id, "joris": joris.id}


@pytest.fixture
def english(client, log_in):
    def log_in_english(email):
        log_in(email)
        client.get("/language/en")

    return log_in_english


def upload(client, data: bytes, filename="contacten.csv", **fields):
    page = client.get("/contacts/import")
    form = {"csrf_token": csrf_token_in(page.text), "file": (io.BytesIO(data), filename)}
    return client.post("/contacts/import", data=form | fields, content_type="multipart/form-data")


def hidden_fields(html: str, action: str) -> dict:
    form = re.search(rf'<form method="post" action="{action}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1)))


def contacts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Contact.id)))


@pytest.mark.parametrize(
    "separator, encoding", [(";", "utf-8"), (",", "utf-8-sig"), (";", "cp1252")]
)
def test_upload_preview_confirm_and_download_the_rejected_rows(
    app, client, english, staff, separator, encoding
):
    english("sanne@a.example")
    page = client.get("/contacts/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'name="account_manager"' not in page.text  # an account manager imports their own

    preview = upload(client, spreadsheet(separator, encoding))
    assert preview.status_code == 200
    assert "Café Zoë" in preview.text
    problems = re.search(r'<table class="import-problems">(.*?)</table>', preview.text, re.S)
    lines = re.findall(r'<th scope="row">(\d+)</th>', problems.group(1))
    assert lines == ["3", "5"]  # by the spreadsheet's line numbers; line 4 is empty
    assert "piet@ is not a valid email address." in problems.group(1)
    assert "The date of the contact is in the future." in problems.group(1)
    assert "Import 2 contacts" in preview.text
    assert contacts(app) == 0  # nothing is written before the confirmation

    confirm = hidden_fields(preview.text, "/contacts/import/confirm")
    done = client.post("/contacts/import/confirm", data=confirm)
    assert done.status_code == 200
    assert "Import finished: 2 imported, 0 skipped, 2 not imported because of problems." in (
        done.text
    )
    with app.app_context():
        imported = db.session.scalars(select(Contact).order_by(Contact.id)).all()
        assert [c.company_name for c in imported] == ["Café Zoë", "Drukkerij"]
        assert {c.source for c in imported} == {Source.CSV}
        assert {c.account_manager_id for c in imported} == {staff["sanne"]}

    download = client.post(
        "/contacts/import/rejected", data=hidden_fields(done.text, "/contacts/import/rejected")
    )
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "contacten-problems.csv" in download.headers["Content-Disposition"]
    assert download.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=separator))
    assert rows[0][-1] == "problems" and rows[0][0] == "Bedrijfsnaam"
    assert [row[0] for row in rows[1:]] == ["Bakkerij", "Slagerij"]
    assert "piet@ is not a valid email address." in rows[1][-1]


def test_the_same_file_twice_makes_no_duplicates(app, client, english, staff):
    english("sanne@a.example")
    first = upload(client, spreadsheet())
    client.post(
        "/contacts/import/confirm", data=hidden_fields(first.text, "/contacts/import/confirm")
    )
    assert contacts(app) == 2
    second = upload(client, spreadsheet())
    assert second.text.count("already imported") == 2
    assert "Import 2 contacts" not in second.text
    assert "There is nothing to import from this file." in second.text
    # Confirming again anyway (a double click, the back button) adds nothing either.
    again = client.post(
        "/contacts/import/confirm", data=hidden_fields(first.text, "/contacts/import/confirm")
    )
    assert "Import finished: 0 imported, 2 skipped" in again.text
    assert contacts(app) == 2


def test_a_file_without_problems_goes_back_to_the_list(app, client, english, staff):
    english("sanne@a.example")
    good = "Bedrijf,Naam,Email,Date,Channel\r\nCafé Zoë,Zoë,zoe@cafe.example,{},visit\r\n"
    preview = upload(client, good.format(day(0)).encode())
    done = client.post(
        "/contacts/import/confirm", data=hidden_fields(preview.text, "/contacts/import/confirm")
    )
    assert done.status_code == 302 and done.location == "/contacts"
    listing = client.get("/contacts").text
    assert "Import finished: 1 imported, 0 skipped, 0 not imported" in listing
    assert "Café Zoë" in listing


def test_a_coordinator_chooses_the_account_manager_for_rows_without_one(
    app, client, english, staff
):
    english("coord@a.example")
    data = (
        "Bedrijf;Naam;E-mail;Datum;Kanaal;Accountmanager\r\n"
        f"Een;Een;een@x.example;{day(0)};bezoek;sanne@a.example\r\n"
        f"Twee;Twee;twee@x.example;{day(0)};bezoek;\r\n"
    ).encode()
    preview = upload(client, data, account_manager=str(staff["joris"]))
    assert "Sanne Aa" in preview.text and "Joris Aa" in preview.text
    client.post(
        "/contacts/import/confirm", data=hidden_fields(preview.text, "/contacts/import/confirm")
    )
    with app.app_context():
        owners = db.session.scalars(select(Contact.account_manager_id).order_by(Contact.id))
        assert list(owners) == [staff["sanne"], staff["joris"]]


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(app, client, english, staff):
    english("sanne@a.example")
    too_large = upload(client, b"x" * (2 * 1024 * 1024 + 10))
    assert too_large.status_code == 422
    assert "The file is larger than 2 MB" in too_large.text
    missing = client.post(
        "/contacts/import",
        data={"csrf_token": csrf_token_in(client.get("/contacts/import").text)},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and "Please choose a CSV file." in missing.text
    assert contacts(app) == 0


def test_a_damaged_confirmation_asks_for_the_file_again(app, client, english, staff):
    english("sanne@a.example")
    preview = upload(client, spreadsheet())
    confirm = hidden_fields(preview.text, "/contacts/import/confirm")
    for payload in ("not base64!", "", "AAAA"):
        response = client.post("/contacts/import/confirm", data=confirm | {"payload": payload})
        assert response.status_code == 302 and response.location == "/contacts/import"
    flashed = client.get("/contacts/import").text
    assert "The uploaded file was lost on the way; please upload it again." in flashed
    assert contacts(app) == 0


def select_values(html: str) -> dict:
    """The select boxes of the column step, by name, with the option selected in each."""
    selects = re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    chosen = {}
    for name, options in selects:
        selected = re.search(r'<option selected value="([^"]*)"', options)
        chosen[name] = selected.group(1) if selected else ""
    return chosen


def column_step(html: str) -> dict:
    return hidden_fields(html, "/contacts/import/columns") | select_values(html)


CRM_EXPORT = (
    "Klant;Contact;Mail;Dag;Wijze\r\n"
    "Café Zoë;Zoë Martín;zoe@cafe.example;{yesterday};bezoek\r\n"
    "Bakkerij;Piet;piet@bakkerij.example;{yesterday};telefoon\r\n"
)


def test_a_date_column_with_an_extra_word_is_read_without_asking(app, client, english, staff):
    english("sanne@a.example")
    data = (
        "Bedrijfsnaam;Contactpersoon;E-mail;Datum contact;Kanaal\r\n"
        f"Een;Een;een@x.example;{day(-1)};bezoek\r\n"
    )
    preview = upload(client, data.encode())
    assert preview.status_code == 200
    assert "Import 1 contact" in preview.text
    assert "Datum contact → Date" in preview.text


def test_unrecognised_columns_are_chosen_and_remembered_for_the_next_file(
    app, client, english, staff
):
    english("sanne@a.example")
    page = upload(client, CRM_EXPORT.format(yesterday=day(-1)).encode())
    assert page.status_code == 200
    assert "The file has these columns: Klant, Contact, Mail, Dag, Wijze." in page.text
    assert "No column was recognised for: Date, Channel." in page.text
    assert '<label for="columns-3">Column 4: Dag</label>' in page.text
    assert "Café Zoë · Bakkerij" in page.text  # the first values of each column
    form = column_step(page.text)
    assert [form[f"columns-{n}"] for n in range(5)] == [
        "company_name", "person_name", "email", "", ""
    ]  # fmt: skip
    assert contacts(app) == 0

    preview = client.post(
        "/contacts/import/columns",
        data=form | {"columns-3": "contacted_on", "columns-4": "channel"},
    )
    assert preview.status_code == 200
    assert "Import 2 contacts" in preview.text
    done = client.post(
        "/contacts/import/confirm", data=hidden_fields(preview.text, "/contacts/import/confirm")
    )
    assert done.status_code == 302 and contacts(app) == 2

    # The next export of the same CRM, its columns in another order, imports without asking.
    reordered = "Wijze;Dag;Klant;Contact;Mail\r\nbalie;{};Slagerij;Els;els@slagerij.example\r\n"
    again = upload(client, reordered.format(day(-1)).encode())
    assert "Import 1 contact" in again.text
    assert "Using the column mapping saved on" in again.text
    change = client.post(
        "/contacts/import/columns", data=hidden_fields(again.text, "/contacts/import/confirm")
    )
    assert change.status_code == 200
    assert [column_step(change.text)[f"columns-{n}"] for n in range(5)] == [
        "channel", "contacted_on", "company_name", "person_name", "email"
    ]  # fmt: skip


def test_a_choice_of_columns_that_cannot_work_says_which_columns(app, client, english, staff):
    english("sanne@a.example")
    page = upload(client, CRM_EXPORT.format(yesterday=day(-1)).encode())
    form = column_step(page.text) | {"columns-3": "company_name", "columns-4": "channel"}
    response = client.post("/contacts/import/columns", data=form)
    assert response.status_code == 422
    assert "The columns Klant, Dag are all chosen for Company name; choose one of them." in (
        response.text
    )
    assert "Choose the column that holds: Date." in response.text
    assert 'aria-invalid="true"' in response.text
    assert contacts(app) == 0


def test_columns_are_remembered_per_organisation(app, client, english, staff, log_in):
    with app.app_context():
        other = factories.organisation("Gemeente Bestad")
        factories.user(other, email="bea@b.example", name="Bea Be")
        db.session.commit()
    english("sanne@a.example")
    page = upload(client, CRM_EXPORT.format(yesterday=day(-1)).encode())
    form = column_step(page.text) | {"columns-3": "contacted_on", "columns-4": "channel"}
    preview = client.post("/contacts/import/columns", data=form)
    client.post(
        "/contacts/import/confirm", data=hidden_fields(preview.text, "/contacts/import/confirm")
    )
    client.post("/logout", data={"csrf_token": csrf_token_in(client.get("/contacts").text)})
    english("bea@b.example")
    elsewhere = upload(client, CRM_EXPORT.format(yesterday=day(-1)).encode())
    assert "No column was recognised for: Date, Channel." in elsewhere.text


@pytest.mark.parametrize(
    "path, odd",
    [
        ("/contacts/import/columns", {"columns-0": "password_hash"}),
        ("/contacts/import/columns", {"columns-99999999999999": "email"}),
        ("/contacts/import/columns", {"columns-1": "\x00", "columns-2": "x" * 5000}),
        ("/contacts/import/columns", {"step": "\r\n"}),
        ("/contacts/import/columns", {"step": "", "choices": "email,email"}),
        ("/contacts/import/confirm", {"choices": "company_name,,,"}),
        ("/contacts/import/confirm", {"choices": "," * 5000}),
        ("/contacts/import/rejected", {"choices": "email,unknown,,,"}),
    ],
)
def test_odd_column_choices_are_answered_with_the_column_step(
    app, client, english, staff, path, odd
):
    english("sanne@a.example")
    page = upload(client, CRM_EXPORT.format(yesterday=day(-1)).encode())
    response = client.post(path, data=column_step(page.text) | odd)
    assert response.status_code in (200, 302, 422)
    if response.status_code != 302:
        assert "Which column holds what?" in response.text
    assert contacts(app) == 0
