"""The export of responses: one row per response, one column per question, as CSV or XLSX, in
the viewer's language (texts, labels, dates, CSV separator) or with codes for analysts."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from survey.accounts.models import Role
from survey.accounts.staff import remove_user
from survey.analysis.export import (
    ExportOptions,
    Headings,
    Separator,
    csv_chunks,
    export_filename,
    xlsx_chunks,
    xlsx_file,
)
from survey.analysis.population import Population, version_ids
from survey.audit.models import Action, AuditEvent
from survey.events.rooms import room_link_for
from survey.extensions import db
from survey.invitations.dimensions import Channel, OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.catalogue import load_definition
from survey.questionnaires.models import Purpose, QuestionType
from survey.responding.models import Answer, Response
from survey.spreadsheets import FORMULA_STARTS
from tests import factories

ZONE = "Europe/Amsterdam"
FIXED = [
    "response",
    "submitted_at",
    "month",
    "version",
    "account_manager",
    "channel",
    "company",
    "registry_number",
    "language",
]
CODES_FOR_ANALYSTS = ExportOptions("en", ZONE, headings=Headings.CODES)
TOPICS = [
    {"code": "permits", "label": {"nl": "Vergunningen", "en": "Permits"}},
    {"code": "staff", "label": {"nl": "Personeel", "en": "Staff"}},
    {"code": "tax", "label": {"nl": "Belastingen", "en": "Taxes"}},
]
HEARD = [
    {"code": "email", "label": {"nl": "Per e-mail", "en": "By email"}},
    {"code": "friend", "label": {"nl": "Via een kennis", "en": "From a friend"}},
]


def _question(code: str, type_: QuestionType, options=None) -> dict:
    return {
        "code": code,
        "theme": "t",
        "type": type_,
        "text": {"nl": f"Vraag {code}", "en": f"Question {code}"},
        "options": options or [],
        "required": False,
    }


VERSION_1 = [
    _question("speed", QuestionType.SCALE5),
    _question("overall", QuestionType.SCALE10),
    _question("heard_via", QuestionType.CHOICE, HEARD),
    _question("topics", QuestionType.MULTI, TOPICS),
    _question("improve", QuestionType.TEXT),
    _question("old_only", QuestionType.SCALE5),
]
# Version 2 reorders, drops `old_only` and adds `recommend`.
VERSION_2 = [
    _question("overall", QuestionType.SCALE10),
    _question("speed", QuestionType.SCALE5),
    _question("topics", QuestionType.MULTI, TOPICS),
    _question("heard_via", QuestionType.CHOICE, HEARD),
    _question("improve", QuestionType.TEXT),
    _question("recommend", QuestionType.NPS),
]
CODES = ["overall", "speed", "topics", "heard_via", "improve", "recommend", "old_only"]


def _definition(questions: list[dict]) -> dict:
    return {
        "key": "export-test",
        "purpose": Purpose.CONTACT,
        "title": {"nl": "Test", "en": "Test"},
        "intro": {"nl": "", "en": ""},
        "questions": questions,
    }


def _at(month: int, day: int = 10, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def survey(ctx):
    """A questionnaire of every question type in two versions, in organisation A."""
    org = factories.organisation(timezone=ZONE)
    questionnaire = load_definition(_definition(VERSION_1), organisation_id=org.id)
    first = questionnaire.latest_version
    second = load_definition(_definition(VERSION_2), organisation_id=org.id).latest_version
    return {"org": org, "questionnaire": questionnaire, "v1": first, "v2": second}


def _population(survey, **filters) -> Population:
    return Population(survey["org"].id, version_ids(db.session, survey["questionnaire"]), **filters)


def _csv(population: Population, options: ExportOptions = CODES_FOR_ANALYSTS) -> list[list[str]]:
    """The rows as Python's csv module reads them, in the file's own separator."""
    text = "".join(csv_chunks(db.session, population, options))
    assert text.startswith("\ufeff"), "the BOM makes Excel read UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=options.delimiter))


def _by_number(rows: list[list]) -> dict:
    """Data rows by response number, as {column header: cell}."""
    header, *data = rows
    return {int(row[0]): dict(zip(header, row, strict=True)) for row in data}


def _respond(org, manager, version, answers: dict, at: datetime, channel=Channel.VISIT):
    made = factories.response(
        org, manager, answers, submitted_at=at, version=version, channel=channel
    )
    made.invitation.contact.company_name = made.invitation.company_name = "Bakkerij Van Dam"
    made.invitation.contact.registry_number = made.invitation.registry_number = "12345678"
    db.session.flush()
    return made


def test_for_analysts_a_response_is_one_row_with_a_column_per_question_code(survey):
    manager = factories.user(survey["org"], name="Sanne de Boer")
    answers = {
        "speed": 4,
        "overall": 8,
        "heard_via": "friend",
        "topics": ["permits", "tax"],
        "improve": "Sneller terugbellen, graag.",
        "recommend": 9,
    }
    made = _respond(survey["org"], manager, survey["v2"], answers, _at(3, hour=23, day=31))

    header, row = _csv(_population(survey))

    assert header == FIXED + CODES
    assert row == [
        str(made.id),
        "2026-04-01 01:00",  # 23:00 UTC on 31 March is past midnight in Amsterdam (summer time)
        "2026-04",
        "2",
        "Sanne de Boer",
        "visit",
        "Bakkerij Van Dam",
        "12345678",
        "nl",
        "8",
        "4",
        "permits;tax",
        "friend",
        "Sneller terugbellen, graag.",
        "9",
        "",
    ]


def test_skipped_questions_are_empty_cells(survey):
    manager = factories.user(survey["org"])
    made = _respond(survey["org"], manager, survey["v2"], {"overall": 6}, _at(3))
    row = _by_number(_csv(_population(survey)))[made.id]
    assert row["overall"] == "6"
    assert [row[code] for code in CODES if code != "overall"] == [""] * 6


def test_two_versions_are_merged_by_question_code(survey):
    manager = factories.user(survey["org"])
    old = _respond(
        survey["org"], manager, survey["v1"], {"speed": 2, "old_only": 3, "overall": 5}, _at(2)
    )
    new = _respond(
        survey["org"], manager, survey["v2"], {"speed": 5, "recommend": 10, "overall": 9}, _at(3)
    )

    rows = _by_number(_csv(_population(survey)))

    assert list(rows) == [old.id, new.id]  # oldest response first
    assert {k: rows[old.id][k] for k in ("version", "speed", "overall")} == {
        "version": "1",
        "speed": "2",
        "overall": "5",
    }
    assert (rows[old.id]["old_only"], rows[old.id]["recommend"]) == ("3", "")
    assert (rows[new.id]["old_only"], rows[new.id]["recommend"]) == ("", "10")


def test_the_filters_of_the_population_are_respected(survey):
    org = survey["org"]
    sanne, joris = factories.user(org), factories.user(org)
    in_march = _respond(org, sanne, survey["v2"], {"overall": 8}, _at(3))
    phoned = _respond(org, sanne, survey["v2"], {"overall": 7}, _at(3), channel=Channel.PHONE)
    in_may = _respond(org, sanne, survey["v2"], {"overall": 6}, _at(5))
    by_joris = _respond(org, joris, survey["v2"], {"overall": 5}, _at(3))

    def exported(**filters) -> list[int]:
        return list(_by_number(_csv(_population(survey, **filters))))

    assert exported() == [in_march.id, phoned.id, in_may.id, by_joris.id]
    assert exported(account_manager_ids=(joris.id,)) == [by_joris.id]
    assert exported(channel="phone") == [phoned.id]
    assert exported(first_month=date(2026, 4, 1)) == [in_may.id]
    assert exported(last_month=date(2026, 3, 1), account_manager_ids=(sanne.id,)) == [
        in_march.id,
        phoned.id,
    ]


def test_another_organisations_responses_never_appear(survey):
    ours = _respond(
        survey["org"], factories.user(survey["org"]), survey["v2"], {"overall": 8}, _at(3)
    )
    # The other organisation answers the very same questionnaire version.
    other = factories.organisation()
    _respond(other, factories.user(other), survey["v2"], {"improve": "Geheim"}, _at(3))

    rows = _csv(_population(survey))

    assert list(_by_number(rows)) == [ours.id]
    assert "Geheim" not in str(rows)


def test_cells_that_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(survey):
    manager = factories.user(survey["org"], name="@Evil")
    made = _respond(
        survey["org"], manager, survey["v2"], {"improve": '=HYPERLINK("http://x.example")'}, _at(3)
    )
    made.invitation.contact.company_name = made.invitation.company_name = "+31 Bouw"
    db.session.flush()
    others = {"-1+2": "'-1+2", "\tTab": "'\tTab", "Gewoon = goed": "Gewoon = goed"}
    more = [
        _respond(survey["org"], manager, survey["v2"], {"improve": text}, _at(4)) for text in others
    ]

    rows = _by_number(_csv(_population(survey)))

    assert rows[made.id]["improve"] == '\'=HYPERLINK("http://x.example")'
    assert rows[made.id]["company"] == "'+31 Bouw"
    assert rows[made.id]["account_manager"] == "'@Evil"
    assert [rows[m.id]["improve"] for m in more] == list(others.values())


def test_every_formula_start_is_neutralised_in_the_csv_and_the_xlsx(survey):
    manager = factories.user(survey["org"])
    texts = [f"{start}1+1" for start in FORMULA_STARTS] + ["\x01=1+1"]  # a hidden start too
    made = [
        _respond(survey["org"], manager, survey["v2"], {"improve": text}, _at(3)) for text in texts
    ]
    typed = {m.id: text.lstrip("\x01") for m, text in zip(made, texts, strict=True)}

    rows = _by_number(_csv(_population(survey)))
    cells = _xlsx_cells(_population(survey))

    # CSV cannot mark a cell as text: the apostrophe OWASP advises stays.
    assert {number: row["improve"] for number, row in rows.items()} == {
        number: "'" + text for number, text in typed.items()
    }
    # XLSX: a text cell with Excel's quote prefix shows exactly what was typed, and never runs.
    assert {c["response"].value: c["improve"].value for c in cells} == typed
    assert all(c["improve"].data_type == "s" and c["improve"].quotePrefix for c in cells)


def test_an_answer_through_a_room_link_is_exported_without_a_company(survey):
    """A response without an invitation (through an event's room link) is a row of its own."""
    manager = factories.user(survey["org"])
    emailed = _respond(survey["org"], manager, survey["v2"], {"overall": 8}, _at(3))
    event = factories.event(survey["org"], manager)
    room_link = room_link_for(event, _at(3))
    room = Response(
        organisation_id=survey["org"].id,
        questionnaire_version_id=survey["v2"].id,
        submitted_at=_at(3, day=11),
        locale="nl",
        occasion_kind=OccasionKind.EVENT_PARTICIPANT,
        event_id=event.id,
        room_link_id=room_link.id,
        month=date(2026, 3, 1),
        answers=[Answer(question_id=_question_id(survey["v2"], "overall"), value=6)],
    )
    db.session.add(room)
    db.session.flush()
    rows = _by_number(_csv(_population(survey)))
    assert rows[emailed.id]["company"] == "Bakkerij Van Dam"
    assert (rows[room.id]["company"], rows[room.id]["overall"]) == ("", "6")


def _question_id(version, code: str) -> int:
    return next(question.id for question in version.questions if question.code == code)


def _xlsx_cells(population: Population, options: ExportOptions = CODES_FOR_ANALYSTS) -> list:
    """The data rows of the XLSX export as {header: cell}, as openpyxl reads the file."""
    with xlsx_file(db.session, population, options) as file:
        sheet = load_workbook(file).active
        header = [cell.value for cell in sheet[1]]
        return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def test_the_xlsx_shows_text_that_looks_like_a_formula_without_an_apostrophe(survey):
    """Seen: the XLSX showed the neutralising apostrophe as part of the text."""
    manager = factories.user(survey["org"], name="@Sanne")
    made = _respond(survey["org"], manager, survey["v2"], {"improve": "-10% wachttijd"}, _at(3))
    made.invitation.contact.company_name = made.invitation.company_name = "=Bouw BV"
    db.session.flush()

    (row,) = _xlsx_cells(_population(survey), ExportOptions("nl", ZONE))

    assert row["Bedrijf"].value == "=Bouw BV"
    assert row["Accountmanager"].value == "@Sanne"
    assert row["Vraag improve"].value == "-10% wachttijd"
    assert not any(str(cell.value).startswith("'") for cell in row.values())
    assert {row[h].data_type for h in ("Bedrijf", "Accountmanager", "Vraag improve")} == {"s"}


def test_a_dutch_viewer_reads_question_texts_labels_and_dates_in_dutch(survey):
    """Seen: headers were question codes, and the channel an English code under Dutch headers."""
    manager = factories.user(survey["org"], name="Sanne de Boer")
    answers = {"heard_via": "friend", "topics": ["permits", "tax"], "overall": 8}
    made = _respond(
        survey["org"], manager, survey["v2"], answers, _at(3, day=31, hour=23), Channel.PHONE
    )

    header, row = _csv(_population(survey), ExportOptions("nl", ZONE))

    assert header[:9] == [
        "Reactienummer",
        "Ingevuld op",
        "Maand",
        "Versie vragenlijst",
        "Accountmanager",
        "Kanaal",
        "Bedrijf",
        "KvK- of KBO-nummer",
        "Taal",
    ]
    assert header[9:] == [f"Vraag {code}" for code in CODES]
    cells = dict(zip(header, row, strict=True))
    assert cells["Reactienummer"] == str(made.id)
    assert cells["Ingevuld op"] == "01-04-2026 01:00"  # as Dutch Excel writes a date
    assert cells["Kanaal"] == "telefoongesprek"
    assert cells["Taal"] == "Nederlands"
    assert cells["Vraag heard_via"] == "Via een kennis"
    assert cells["Vraag topics"] == "Vergunningen; Belastingen"
    assert cells["Vraag overall"] == "8"


def test_an_english_viewer_reads_english_texts_and_labels(survey):
    manager = factories.user(survey["org"])
    _respond(survey["org"], manager, survey["v2"], {"heard_via": "email"}, _at(3))

    header, row = _csv(_population(survey), ExportOptions("en", ZONE))
    cells = dict(zip(header, row, strict=True))

    assert header[:2] == ["Response number", "Submitted at"]
    assert (cells["Channel"], cells["Language"]) == ("visit", "Dutch")
    assert cells["Question heard_via"] == "By email"
    assert cells["Submitted at"] == "2026-03-10 11:00"


def test_the_csv_is_separated_as_excel_in_the_viewers_language_expects(survey):
    """Seen: a comma-separated file, which Dutch Excel opens as one column."""
    manager = factories.user(survey["org"], name="Boer, Sanne de")
    _respond(survey["org"], manager, survey["v2"], {"overall": 8}, _at(3))
    population = _population(survey)

    def first_line(options: ExportOptions) -> str:
        return "".join(csv_chunks(db.session, population, options)).splitlines()[0]

    dutch = "".join(csv_chunks(db.session, population, ExportOptions("nl", ZONE)))
    assert dutch.splitlines()[0].startswith("\ufeffReactienummer;Ingevuld op;Maand;")
    assert '"Boer, Sanne de"' not in dutch and ";Boer, Sanne de;" in dutch
    assert first_line(ExportOptions("en", ZONE)).startswith("\ufeffResponse number,Submitted at,")
    # The other separator, when asked for.
    comma = ExportOptions("nl", ZONE, separator=Separator.COMMA)
    assert first_line(comma).startswith("\ufeffReactienummer,Ingevuld op,")
    semicolon = ExportOptions("en", ZONE, separator=Separator.SEMICOLON)
    assert first_line(semicolon).startswith("\ufeffResponse number;Submitted at;")
    rows = _csv(population, ExportOptions("nl", ZONE))
    assert len(rows) == 2 and all(len(row) == len(rows[0]) for row in rows)


def test_an_export_without_responses_is_only_the_header(survey):
    assert _csv(_population(survey)) == [FIXED + CODES]
    with xlsx_file(db.session, _population(survey), CODES_FOR_ANALYSTS) as file:
        sheet = load_workbook(file).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [FIXED + CODES]


def test_the_xlsx_holds_the_same_cells_with_numbers_as_numbers(survey):
    manager = factories.user(survey["org"], name="Sanne de Boer")
    answers = {"speed": 4, "topics": ["staff"], "improve": "=1+1", "recommend": 0}
    made = _respond(survey["org"], manager, survey["v2"], answers, _at(3, hour=9))
    skipped = _respond(survey["org"], manager, survey["v1"], {"old_only": 1}, _at(3, hour=10))
    population = _population(survey)

    with xlsx_file(db.session, population, CODES_FOR_ANALYSTS) as file:
        sheet = load_workbook(file, read_only=True).active
        # Write-only sheets record no dimensions: read as wide as the header.
        rows = sheet.iter_rows(values_only=True, max_col=len(FIXED + CODES))
        header, *data = [list(row) for row in rows]
        bold = [cell.font.b for cell in next(sheet.iter_rows())]

    assert header == FIXED + CODES and all(bold)
    assert data[0] == [
        made.id,
        datetime(2026, 3, 10, 10, 0),  # local time, as a spreadsheet date
        "2026-03",
        2,
        "Sanne de Boer",
        "visit",
        "Bakkerij Van Dam",
        "12345678",
        "nl",
        None,
        4,
        "staff",
        None,
        "=1+1",  # shown as typed; the CSV adds an apostrophe
        0,
        None,
    ]
    assert data[1][0] == skipped.id and data[1][3] == 1 and data[1][-1] == 1
    as_text = [_as_csv_text(cell) for cell in data[0]]
    assert as_text[:13] + ["'=1+1"] + as_text[14:] == _csv(population)[1]


def _as_csv_text(cell) -> str:
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M}"
    return "" if cell is None else str(cell)


def test_the_xlsx_streams_as_byte_chunks_of_one_workbook(survey):
    manager = factories.user(survey["org"])
    _respond(survey["org"], manager, survey["v2"], {"overall": 8}, _at(3))
    whole = b"".join(xlsx_chunks(db.session, _population(survey), CODES_FOR_ANALYSTS))
    sheet = load_workbook(io.BytesIO(whole), read_only=True).active
    assert len(list(sheet.iter_rows())) == 2


def _bulk_responses(org, version, count: int) -> None:
    """`count` responses with an answer each, inserted in bulk (no tallies: not needed here)."""
    manager = factories.user(org)
    question = next(q for q in version.questions if q.code == "overall")
    invitation_ids = db.session.scalars(
        insert(Invitation).returning(Invitation.id, sort_by_parameter_order=True),
        [
            {
                "organisation_id": org.id,
                "questionnaire_version_id": version.id,
                "staff_member_id": manager.id,
                "recipient_email": f"r{n}@example.org",
                "state": InvitationState.ANSWERED,
            }
            for n in range(count)
        ],
    ).all()
    start = _at(3)
    response_ids = db.session.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "invitation_id": invitation_id,
                "organisation_id": org.id,
                "questionnaire_version_id": version.id,
                "submitted_at": start + timedelta(minutes=n),
                "locale": "nl",
                "account_manager_id": manager.id,
                "month": date(2026, 3, 1),
            }
            for n, invitation_id in enumerate(invitation_ids)
        ],
    ).all()
    db.session.execute(
        insert(Answer),
        [{"response_id": r, "question_id": question.id, "value": 7} for r in response_ids],
    )


def test_a_large_csv_export_comes_in_chunks_of_a_thousand_rows(survey):
    _bulk_responses(survey["org"], survey["v2"], 5000)
    chunks = csv_chunks(db.session, _population(survey), CODES_FOR_ANALYSTS)

    header = next(chunks)
    first = next(chunks)  # arrives while the rest is still unread
    rest = list(chunks)

    assert header.count("\r\n") == 1
    assert first.count("\r\n") == 1000
    assert len(rest) == 4 and all(chunk.count("\r\n") == 1000 for chunk in rest)
    rows = list(csv.reader(io.StringIO(first + "".join(rest))))
    assert len(rows) == 5000 and {row[9] for row in rows} == {"7"}


def test_the_file_name_is_plain_words_and_one_date(survey):
    """Seen: the file name held three dates."""
    now = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    name = "Gemeente Demodam"
    assert export_filename(name, "csv", "nl", now) == "antwoorden-gemeente-demodam-2026-12-01.csv"
    assert export_filename(name, "xlsx", "en", now) == "answers-gemeente-demodam-2026-12-01.xlsx"
    assert (
        export_filename("Stad Ëde & Co", "csv", "nl", now)
        == "antwoorden-stad-ede-co-2026-12-01.csv"
    )


def test_a_dutch_coordinator_downloads_a_semicolon_csv_and_the_log_says_what(app, client, log_in):
    """Seen: Dutch Excel opened the CSV as one column; the log named no filter or format."""
    with app.app_context():
        org = factories.organisation("Gemeente Demodam", timezone=ZONE)
        sanne = factories.user(org, name="Sanne de Boer")
        admin = factories.user(org, Role.ADMIN, email="admin@demodam.example")
        for _ in range(3):
            factories.response(org, sanne, factories.rated_answers(8), submitted_at=_at(3))
        db.session.commit()
        sanne_id, admin_id = sanne.id, admin.id
    log_in("admin@demodam.example")
    period = {"first": "2026-01", "last": "2026-06", "manager": sanne_id, "channel": "visit"}

    def download(extension: str, **options):
        with client.get(
            f"/dashboard/export.{extension}", query_string={**period, **options}
        ) as got:
            return got.status_code, got.headers, got.data  # streamed: read before the next

    _, headers, data = download("csv")
    _, _, other = download("csv", separator="comma")
    codes, _, _ = download("xlsx", headings="codes")
    odd, _, odd_page = download("csv", separator="tab")

    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 4 and rows[0][:2] == ["Reactienummer", "Ingevuld op"]
    assert {row[5] for row in rows[1:]} == {"bezoek"} and rows[1][4] == "Sanne de Boer"
    name = re.search(r'filename="([^"]+)"', headers["Content-Disposition"])[1]
    assert re.fullmatch(r"antwoorden-gemeente-demodam-\d+-\d{4}-\d{2}-\d{2}\.csv", name)
    assert other.decode("utf-8-sig").startswith("Reactienummer,Ingevuld op,")
    assert codes == 200 and odd == 400  # an unknown separator is named, not a missing page
    assert "separator" in odd_page.decode()
    with app.app_context():
        exports = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == Action.RESPONSES_EXPORTED)
            .order_by(AuditEvent.id)
        ).all()
        assert [e.detail["format"] for e in exports] == ["csv", "csv", "xlsx"]
        assert [e.detail["separator"] for e in exports] == [";", ",", None]
        assert exports[2].detail["headings"] == "codes"
        assert {e.detail["rows"] for e in exports} == {3}
        assert all(e.actor_id == admin_id for e in exports)


def test_a_removed_account_managers_responses_stay_under_former_staff_member(survey):
    manager = factories.user(survey["org"], name="Sanne de Boer")
    admin = factories.user(survey["org"], Role.ADMIN)
    made = _respond(survey["org"], manager, survey["v2"], {"overall": 8}, _at(3))
    remove_user(manager, actor=admin, now=_at(5))

    rows = _by_number(_csv(_population(survey), ExportOptions("nl", ZONE)))

    assert rows[made.id]["Accountmanager"] == "voormalig medewerker"
