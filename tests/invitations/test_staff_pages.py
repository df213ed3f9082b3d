"""Staff see the invitations that are theirs to see, and nothing of another organisation."""

import re
from datetime import date

import pytest

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.outbox.models import SuppressionKind
from survey.outbox.suppressions import suppress_address
from tests import factories
from tests.circles import factories as circles
from tests.circles.action_factories import action as improvement_action

OPTED_OUT = SuppressionKind.OPTED_OUT
PUBLIC_ENDPOINTS = {
    "static",
    "accounts.login",
    # "Forgot password?" and the emailed links to choose one: before a login by nature.
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.choose_password",
    # The emailed link to confirm a new address: opened by its owner, logged in or not.
    "accounts.confirm_email",
    "languages.switch",
    "responding.survey",
    "responding.submit",
    "responding.thanks",
    # An event's room link: public on purpose, shown on the projector.
    "room.page",
    "room.submit",
    "room.thanks",
    "unsubscribe.page",
    # The privacy statement: respondents read it without an account.
    "privacy.general",
    "privacy.statement",
    "plotly_asset.plotly_js",
    # For load balancers and monitoring: no login, nothing personal.
    "health.healthz",
    "health.readyz",
}


@pytest.fixture
def two_organisations(app):
    """Org A with two account managers and a coordinator; org B with a coordinator."""
    with app.app_context():
        org_a, org_b = (
            factories.organisation("Gemeente Aastad"),
            factories.organisation("Gemeente Beedorp"),
        )
        sanne = factories.user(org_a, email="sanne@a.example", name="Sanne Aa")
        factories.user(org_a, Role.ADMIN, email="admin@a.example")
        joris = factories.user(org_a, email="joris@a.example", name="Joris Aa")
        factories.user(org_a, Role.COORDINATOR, email="coord@a.example")
        factories.user(org_b, Role.COORDINATOR, email="coord@b.example")
        b_admin = factories.user(org_b, Role.ADMIN, email="admin@b.example")
        ids = {
            "a_organisation": org_a.id,
            "b_organisation": org_b.id,
            "sanne": sanne.id,
            "b_admin": b_admin.id,
            "sanne_sent": factories.invitation(org_a, sanne, email="klant1@x.example").id,
            "sanne_answered": factories.invitation(
                org_a, sanne, state=InvitationState.ANSWERED, email="klant2@x.example"
            ).id,
            "joris_sent": factories.invitation(org_a, joris, email="klant3@x.example").id,
            "b_sent": factories.invitation(org_b, email="klant4@x.example").id,
        }
        ids["a_email"] = factories.outbound_email(db.session.get(Invitation, ids["sanne_sent"])).id
        ids["b_email"] = factories.outbound_email(db.session.get(Invitation, ids["b_sent"])).id
        ids["a_contact"] = db.session.get(Invitation, ids["sanne_sent"]).contact_id
        ids["b_contact"] = db.session.get(Invitation, ids["b_sent"]).contact_id
        ids["a_opt_out"] = suppress_address(org_a.id, "weg@x.example", OPTED_OUT, utcnow()).id
        ids["b_opt_out"] = suppress_address(org_b.id, "weg@x.example", OPTED_OUT, utcnow()).id
        for org, key in ((org_a, "a"), (org_b, "b")):
            event = factories.event(org, series_title="Lerend netwerk")
            participant = factories.participant(event)
            ids[f"{key}_event"], ids[f"{key}_series"] = event.id, event.series_id
            ids[f"{key}_participant"] = participant.id
            ids[f"{key}_circle"] = circles.circle(org, name=f"Kring {key}").id
            ids[f"{key}_action"] = improvement_action(org, date(2026, 5, 1)).id
        ids["a_export"] = factories.export_job(sanne).id
        ids["b_export"] = factories.export_job(b_admin).id
        db.session.commit()
        return ids


def test_an_account_manager_sees_the_invitations_sent_in_their_name(
    client, log_in, two_organisations
):
    log_in("sanne@a.example")
    home = client.get("/").text
    assert "klant1@x.example" not in home  # names are shown, not addresses
    assert f"/invitations/{two_organisations['sanne_sent']}" in home
    assert f"/invitations/{two_organisations['sanne_answered']}" in home
    assert f"/invitations/{two_organisations['joris_sent']}" not in home
    assert client.get(f"/invitations/{two_organisations['joris_sent']}").status_code == 404


def test_a_coordinator_sees_the_whole_organisation_and_nothing_else(
    client, log_in, two_organisations
):
    log_in("coord@a.example")
    home = client.get("/").text
    for key in ("sanne_sent", "sanne_answered", "joris_sent"):
        assert f"/invitations/{two_organisations[key]}" in home
    assert f"/invitations/{two_organisations['b_sent']}" not in home
    assert "Sanne Aa" in home and "Joris Aa" in home


def test_the_home_page_filters_by_state_and_offers_previews_not_survey_links(
    client, log_in, two_organisations
):
    log_in("coord@a.example")
    answered = client.get("/?state=answered").text
    assert f"/invitations/{two_organisations['sanne_answered']}" in answered
    assert f"/invitations/{two_organisations['sanne_sent']}" not in answered
    assert client.get("/?state=nonsense").status_code == 400
    everything = client.get("/").text
    assert "/s/" not in everything
    previews = re.findall(r'href="/invitations/(\d+)/preview"', everything)
    # One for each of the organisation's invitations: three contact surveys, one evaluation.
    assert len(previews) == 4


def test_the_invitation_page_shows_state_and_a_preview_not_the_link(
    client, log_in, two_organisations
):
    log_in("sanne@a.example")
    page = client.get(f"/invitations/{two_organisations['sanne_sent']}")
    assert page.status_code == 200
    assert "klant1@x.example" in page.text
    assert "/s/" not in page.text
    assert f'href="/invitations/{two_organisations["sanne_sent"]}/preview"' in page.text


def _staff_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and "GET" in rule.methods
        # Development only and 404 unless switched on; tests/devmail checks its login and absence.
        and not rule.endpoint.startswith("mailbox.")
    ]


def _records(ids: dict, org: str) -> dict:
    """URL values naming records of org "a" or org "b"."""
    if org == "a":
        return {
            "invitation_id": ids["sanne_sent"],
            "user_id": ids["sanne"],
            "email_id": ids["a_email"],
            "contact_id": ids["a_contact"],
            "suppression_id": ids["a_opt_out"],
            "extension": "csv",
            "event_id": ids["a_event"],
            "series_id": ids["a_series"],
            "participant_id": ids["a_participant"],
            "circle_id": ids["a_circle"],
            "action_id": ids["a_action"],
            "organisation_id": ids["a_organisation"],
            "job_id": ids["a_export"],
        }
    return {
        "invitation_id": ids["b_sent"],
        "user_id": ids["b_admin"],
        "email_id": ids["b_email"],
        "contact_id": ids["b_contact"],
        "suppression_id": ids["b_opt_out"],
        "extension": "csv",
        "event_id": ids["b_event"],
        "series_id": ids["b_series"],
        "participant_id": ids["b_participant"],
        "circle_id": ids["b_circle"],
        "action_id": ids["b_action"],
        "organisation_id": ids["b_organisation"],
        "job_id": ids["b_export"],
    }


def _url(rule, values: dict) -> str:
    missing = rule.arguments - values.keys()
    assert not missing, f"add a record for {rule.rule} ({missing}) to this test"
    return rule.build(values, append_unknown=False)[1]


def test_every_staff_page_needs_a_login(app, client, two_organisations):
    for rule in _staff_rules(app):
        url = _url(rule, _records(two_organisations, "a"))
        assert client.get(url).status_code == 302, url


@pytest.mark.parametrize("outsider", ["coord@b.example", "admin@b.example"])
def test_every_staff_url_with_a_record_of_another_organisation_is_404(
    app, client, log_in, two_organisations, outsider
):
    """Every rule with an id in it, filled with org A's records, asked for by org B.

    A page the outsider's role may not open at all is 403 whatever the record; otherwise a
    record of another organisation is 404, exactly as if it did not exist.
    """
    log_in(outsider)
    checked = 0
    for rule in _staff_rules(app):
        if not rule.arguments:
            continue
        own = client.get(_url(rule, _records(two_organisations, "b"))).status_code
        other_url = _url(rule, _records(two_organisations, "a"))
        expected = 403 if own == 403 else 404
        assert client.get(other_url).status_code == expected, other_url
        checked += own != 403
    assert checked >= 1


def test_the_lists_say_how_long_ago_a_recently_invited_person_was_invited(
    app, client, log_in, two_organisations
):
    from datetime import timedelta

    from survey.clock import utcnow
    from survey.invitations.models import SuppressionReason

    with app.app_context():
        org = db.session.get(Invitation, two_organisations["sanne_sent"]).organisation
        suppressed = factories.invitation(org, state=InvitationState.SCHEDULED)
        suppressed.suppress(
            SuppressionReason.RECENTLY_INVITED, previously_invited_at=utcnow() - timedelta(days=34)
        )
        db.session.commit()
        suppressed_id = suppressed.id
    log_in("coord@a.example")
    assert "34 dagen geleden uitgenodigd" in client.get("/?state=suppressed").text
    assert "34 dagen geleden uitgenodigd" in client.get(f"/invitations/{suppressed_id}").text
