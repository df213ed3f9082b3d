"""The privacy-request pages and commands: administrators only, their own organisation only;
the lookup, the download and the erasure after a confirmation."""

from __future__ import annotations

import io
import zipfile

import pytest

from survey.accounts.models import Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in
from tests.privacy.people import EVA, everything_stored, person_with_everything

PAGE = "/privacy-requests/"


@pytest.fixture
def eva(app):
    """An organisation holding Eva's data, its administrator, and another organisation's
    administrator."""
    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN)
        person_with_everything(org, factories.user(org))
        other = factories.organisation()
        outsider = factories.user(other, Role.ADMIN)
        db.session.commit()
        return {"admin": admin.email, "outsider": outsider.email, "org": org.id}


def _post(client, path: str, **data):
    token = csrf_token_in(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **data})


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ACCOUNT_MANAGER])
def test_only_administrators_handle_privacy_requests(app, client, log_in, role):
    with app.app_context():
        staff = factories.user(factories.organisation(), role)
        db.session.commit()
        email = staff.email
    log_in(email)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"person": EVA}).status_code in (400, 403)


def test_the_lookup_shows_every_record_and_offers_download_and_erasure(client, log_in, eva):
    log_in(eva["admin"])
    page = _post(client, PAGE, person=EVA)
    assert page.status_code == 200
    assert "Ondernemerscafé" in page.text and "Eva de Vries" in page.text
    assert "Sneller" not in page.text  # answers only in the download
    assert "/privacy-requests/export" in page.text and "/privacy-requests/erase" in page.text


def test_another_organisations_person_is_not_found(client, log_in, eva):
    log_in(eva["outsider"])
    page = _post(client, PAGE, person=EVA)
    assert page.status_code == 200
    assert "Ondernemerscafé" not in page.text and "Eva de Vries" not in page.text


def test_what_is_not_a_person_is_refused_with_a_message(client, log_in, eva):
    log_in(eva["admin"])
    page = _post(client, PAGE, person="not an address")
    assert page.status_code == 422
    assert "not an address" in page.text


def test_the_download_is_a_zip_and_on_the_activity_log(app, client, log_in, eva):
    log_in(eva["admin"])
    download = _post(client, PAGE + "export", person=EVA)
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert EVA not in download.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert "person.json" in names and "responses.csv" in names
    with app.app_context():
        entry = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == Action.PERSONAL_DATA_EXPORTED)
        ).one()
        assert entry.detail["asked_about"] == EVA and entry.detail["responses"] == 1


def test_erasure_needs_a_confirmation_and_then_leaves_no_trace(app, client, log_in, eva):
    log_in(eva["admin"])
    unconfirmed = _post(client, PAGE + "erase", person=EVA, responses="keep")
    assert unconfirmed.status_code == 422
    assert "Eva de Vries" in unconfirmed.text  # the preview again, with the message
    with app.app_context():
        assert EVA in everything_stored()
    erased = _post(client, PAGE + "erase", person=EVA, responses="keep", confirm="y")
    assert erased.status_code == 302
    with app.app_context():
        assert EVA not in everything_stored()
    after = _post(client, PAGE, person=EVA)
    assert "Eva de Vries" not in after.text


def test_an_odd_response_choice_is_refused(client, log_in, eva):
    log_in(eva["admin"])
    page = _post(client, PAGE + "erase", person=EVA, responses="shred", confirm="y")
    assert page.status_code == 422


def test_the_commands_work_in_an_administrators_name(app, eva, tmp_path):
    runner = app.test_cli_runner()
    found = runner.invoke(args=["privacy", "lookup", EVA, "--as", eva["admin"]])
    assert found.exit_code == 0 and '"contacts": 1' in found.output
    elsewhere = runner.invoke(args=["privacy", "lookup", EVA, "--as", eva["outsider"]])
    assert '"contacts": 0' in elsewhere.output
    target = tmp_path / "eva.zip"
    exported = runner.invoke(
        args=["privacy", "export", EVA, "--as", eva["admin"], "--output", str(target)]
    )
    assert exported.exit_code == 0 and zipfile.is_zipfile(target)
    erased = runner.invoke(
        args=["privacy", "erase", EVA, "--as", eva["admin"], "--responses", "remove", "--yes"]
    )
    assert erased.exit_code == 0, erased.output
    with app.app_context():
        assert EVA not in everything_stored()
    retention = runner.invoke(args=["privacy", "apply-retention"])
    assert retention.exit_code == 0, retention.output


def test_a_command_for_someone_who_is_not_an_administrator_is_refused(app, eva):
    result = app.test_cli_runner().invoke(args=["privacy", "lookup", EVA, "--as", "x@y.example"])
    assert result.exit_code != 0 and "not an active administrator" in result.output


@pytest.mark.parametrize("path", ["export", "erase"])
def test_a_download_or_erasure_without_a_person_is_refused_with_a_message(
    client, log_in, eva, path
):
    log_in(eva["admin"])
    page = _post(client, PAGE + path)
    assert page.status_code == 422
    assert "Vul een e-mailadres of een KvK/KBO-nummer in." in page.text  # Dutch by default
