"""The retention periods on the settings page: explained in plain words, held to their ranges."""

from __future__ import annotations

from survey.accounts.models import Organisation, Role
from survey.audit.models import Action, AuditEvent
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


def _admin(app) -> tuple[str, int]:
    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN, locale="en")
        db.session.commit()
        return admin.email, org.id


# The rest of the form as a new organisation has it.
THE_REST = {
    "send_delay_days": "1",
    "send_hour": "9",
    "reminder_after_days": "5",
    "link_expiry_days": "21",
    "fatigue_days": "90",
    "min_group_size": "5",
    "timezone": "Europe/Amsterdam",
    "locale": "nl",
}


def _save(client, **retention):
    page = client.get("/settings")
    data = {"csrf_token": csrf_token_in(page.text), **THE_REST, **retention}
    return client.post("/settings", data=data)


def test_the_settings_page_says_how_long_personal_data_is_kept(app, client, log_in):
    email, _org = _admin(app)
    log_in(email)
    page = client.get("/settings?lang=en").text
    assert "names and email addresses are erased 24 months after the contact or event" in page
    assert "the text of sent emails after 90 days" in page and "after 5 years" in page
    assert 'href="/privacy-requests/"' in page


def test_an_admin_changes_a_retention_period_and_it_is_audited(app, client, log_in):
    email, org_id = _admin(app)
    log_in(email)
    assert _save(client, retention_personal_months="36").status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, org_id).retention_personal_months == 36
        entry = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == Action.SETTINGS_CHANGED)
        ).one()
        assert entry.detail["changes"] == {"retention_personal_months": [24, 36]}


def test_a_period_out_of_range_or_empty_is_refused_beside_its_box(app, client, log_in):
    email, org_id = _admin(app)
    log_in(email)
    too_short = _save(client, retention_personal_months="3")
    assert too_short.status_code == 422
    assert "Choose a whole number from 12 to 120." in too_short.text
    assert _save(client, retention_email_days="").status_code == 422
    with app.app_context():
        organisation = db.session.get(Organisation, org_id)
        assert organisation.retention_personal_months == 24
        assert organisation.retention_email_days == 90
