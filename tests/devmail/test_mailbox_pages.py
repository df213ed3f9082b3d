"""The development Mailbox pages: a logged-in developer reads what the app sent, in the browser."""

from __future__ import annotations

import re

import pytest

from survey.devmail.routes import mailbox_enabled
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in
from tests.devmail.emails import SURVEY_URL, UNSUBSCRIBE_URL, deliver, survey_email


@pytest.fixture
def mailbox(app, monkeypatch, smtp_server):
    """The Mailbox switched on, reading the SMTP server's Maildir, with a staff user to log in."""
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    with app.app_context():
        factories.user(factories.organisation(), email="dev@testdorp.example")
        db.session.commit()
    return smtp_server


def first_key(client) -> str:
    match = re.search(r'href="/dev/mailbox/([^"/]+)"', client.get("/dev/mailbox").text)
    assert match, "the mailbox lists no email"
    return match.group(1)


def test_the_mailbox_lists_a_received_email(client, log_in, mailbox):
    deliver(mailbox, survey_email())
    log_in("dev@testdorp.example")

    page = client.get("/dev/mailbox")

    assert page.status_code == 200
    assert "Hoe was uw contact met Gemeente Ölst?" in page.text
    assert "Ondernemer Één &lt;ondernemer@bedrijf.example&gt;" in page.text


def test_an_empty_mailbox_explains_how_email_gets_there(client, log_in, mailbox):
    log_in("dev@testdorp.example")

    page = client.get("/dev/mailbox").text

    assert "make run" in page
    assert str(mailbox.mail_dir) in page
    assert "<table" not in page


def test_an_email_shows_its_headers_its_text_with_links_and_its_html_in_a_frame(
    client, log_in, mailbox
):
    deliver(mailbox, survey_email())
    log_in("dev@testdorp.example")
    key = first_key(client)

    page = client.get(f"/dev/mailbox/{key}").text

    assert f'<a href="{SURVEY_URL}">{SURVEY_URL}</a>.' in page  # in the text version
    assert f'&lt;<a href="{UNSUBSCRIBE_URL}">{UNSUBSCRIBE_URL}</a>&gt;' in page  # a header
    assert '<th scope="row">List-Unsubscribe-Post</th>' in page
    frame = re.search(r"<iframe[^>]*>", page).group()
    assert f'src="/dev/mailbox/{key}/html"' in frame
    assert 'title="' in frame


def test_the_html_version_keeps_its_styles_runs_no_script_and_opens_links_in_the_window(
    client, log_in, mailbox
):
    deliver(mailbox, survey_email())
    log_in("dev@testdorp.example")

    response = client.get(f"/dev/mailbox/{first_key(client)}/html")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '<head><base target="_top"><title>' in response.text
    assert f'href="{SURVEY_URL}"' in response.text


def test_emptying_the_mailbox_needs_the_form_and_then_removes_every_email(client, log_in, mailbox):
    deliver(mailbox, survey_email("Eerste"))
    deliver(mailbox, survey_email("Tweede"))
    log_in("dev@testdorp.example")

    assert client.post("/dev/mailbox/clear").status_code == 400  # no CSRF token
    page = client.get("/dev/mailbox").text
    assert "Eerste" in page and "Tweede" in page

    emptied = client.post(
        "/dev/mailbox/clear", data={"csrf_token": csrf_token_in(page)}, follow_redirects=True
    )
    assert emptied.request.path == "/dev/mailbox"
    assert "2 e-mails verwijderd." in emptied.text
    assert "Eerste" not in emptied.text
    assert list((mailbox.mail_dir / "new").iterdir()) == []


def test_an_unknown_email_is_not_found(client, log_in, mailbox):
    deliver(mailbox, survey_email())
    log_in("dev@testdorp.example")

    for path in ("/dev/mailbox/1700000000.M1P1Q1.nowhere", "/dev/mailbox/..%2Fspiegel.db/html"):
        assert client.get(path).status_code == 404


def test_the_mailbox_asks_for_a_login(client, mailbox):
    deliver(mailbox, survey_email())

    for path in ("/dev/mailbox", "/dev/mailbox/any", "/dev/mailbox/any/html"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("setting", ["unset", "production", "test"])
def test_the_mailbox_does_not_exist_without_a_maildir_or_outside_development(
    app, client, log_in, mailbox, monkeypatch, setting
):
    deliver(mailbox, survey_email())
    log_in("dev@testdorp.example")
    key = first_key(client)
    token = csrf_token_in(client.get("/dev/mailbox").text)
    if setting == "unset":
        monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", None)
    else:
        monkeypatch.setitem(app.config, "ENV_NAME", setting)

    for path in ("/dev/mailbox", f"/dev/mailbox/{key}", f"/dev/mailbox/{key}/html"):
        assert client.get(path).status_code == 404
    assert 'href="/dev/mailbox"' not in client.get("/").text  # no menu link either
    for action in ("clear", "send-now"):
        response = client.post(f"/dev/mailbox/{action}", data={"csrf_token": token})
        assert response.status_code == 404
    assert len(list((mailbox.mail_dir / "new").iterdir())) == 1
    assert app.test_client().get("/dev/mailbox").status_code == 404  # not even a login prompt


def test_only_development_with_a_maildir_has_a_mailbox():
    assert mailbox_enabled({"DEV_MAILBOX_DIR": "instance/mailbox", "ENV_NAME": "development"})
    assert not mailbox_enabled({"DEV_MAILBOX_DIR": None, "ENV_NAME": "development"})
    assert not mailbox_enabled({"DEV_MAILBOX_DIR": "instance/mailbox", "ENV_NAME": "production"})
    assert not mailbox_enabled({"DEV_MAILBOX_DIR": "instance/mailbox", "ENV_NAME": "test"})
    assert not mailbox_enabled({"DEV_MAILBOX_DIR": "instance/mailbox"})


def test_the_mailbox_link_is_in_the_menu_in_development(client, log_in, mailbox):
    log_in("dev@testdorp.example")
    assert 'href="/dev/mailbox"' in client.get("/").text


def test_send_planned_now_brings_the_invitation_of_a_new_contact_into_the_mailbox(
    app, client, log_in, smtp_server, monkeypatch
):
    from datetime import timedelta

    from survey.clock import utcnow
    from survey.invitations.rules import invite_for_contact

    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    with app.app_context():
        org = factories.organisation()
        manager = factories.user(org, email="sanne@nu.example")
        today = utcnow()
        contact = factories.contact(org, manager, contacted_on=today.date())
        invitation = invite_for_contact(contact, org, today)
        assert invitation.scheduled_at > today + timedelta(hours=1)
        db.session.commit()
    log_in("sanne@nu.example")
    page = client.get("/dev/mailbox")
    done = client.post(
        "/dev/mailbox/send-now",
        data={"csrf_token": csrf_token_in(page.text)},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "eva@bakkerij.example" in done.text


def test_send_planned_now_leaves_the_invitations_of_other_organisations_planned(
    app, client, log_in, smtp_server, monkeypatch
):
    from survey.clock import utcnow
    from survey.invitations.models import Invitation, InvitationState
    from survey.invitations.rules import invite_for_contact

    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    today = utcnow()
    with app.app_context():
        planned = {}
        for name, email in (("Ons", "sanne@ons.example"), ("Ander", "piet@ander.example")):
            org = factories.organisation(name=f"Gemeente {name}")
            manager = factories.user(org, email=email)
            contact = factories.contact(org, manager, contacted_on=today.date())
            invitation = invite_for_contact(contact, org, today)
            db.session.flush()
            planned[name] = (invitation.id, invitation.scheduled_at)
        db.session.commit()
    log_in("sanne@ons.example")
    page = client.get("/dev/mailbox")
    client.post("/dev/mailbox/send-now", data={"csrf_token": csrf_token_in(page.text)})

    with app.app_context():
        ours = db.session.get(Invitation, planned["Ons"][0])
        theirs = db.session.get(Invitation, planned["Ander"][0])
        assert ours.state == InvitationState.SENT
        assert theirs.state == InvitationState.SCHEDULED
        assert theirs.scheduled_at == planned["Ander"][1]
