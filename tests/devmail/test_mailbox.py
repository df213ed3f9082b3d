"""Reading the local SMTP server's Maildir: what arrived, newest first, decoded for reading."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from survey.devmail.mailbox import (
    clear_mailbox,
    open_email,
    received_emails,
    text_with_links,
    with_links_to_top,
)
from tests.devmail.emails import SURVEY_URL, UNSUBSCRIBE_URL, deliver, survey_email


def test_a_delivered_email_is_listed_with_its_sender_recipient_subject_and_message_id(
    smtp_server,
):
    before = datetime.now(UTC).replace(microsecond=0)
    deliver(smtp_server, survey_email())

    [received] = received_emails(smtp_server.mail_dir)
    assert received.sender == "Gemeente Ölst <noreply@olst.example>"
    assert received.recipients == "Ondernemer Één <ondernemer@bedrijf.example>"
    assert received.subject == "Hoe was uw contact met Gemeente Ölst?"
    assert received.message_id == "<invitation-1@spiegel.example>"
    assert before <= received.received_at <= datetime.now(UTC)


def test_the_last_email_received_is_listed_first(smtp_server):
    deliver(smtp_server, survey_email("Eerste"))
    deliver(smtp_server, survey_email("Tweede"))
    # Deliveries within one clock tick would tie; date the first one an hour back.
    first = next(e for e in received_emails(smtp_server.mail_dir) if e.subject == "Eerste")
    [path] = (smtp_server.mail_dir / "new").glob(f"{first.key}*")
    an_hour_ago = datetime.now(UTC).timestamp() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))

    assert [e.subject for e in received_emails(smtp_server.mail_dir)] == ["Tweede", "Eerste"]


def test_an_opened_email_has_its_text_its_html_and_every_header_decoded(smtp_server):
    deliver(smtp_server, survey_email())
    [received] = received_emails(smtp_server.mail_dir)

    opened = open_email(smtp_server.mail_dir, received.key)

    assert opened.subject == "Hoe was uw contact met Gemeente Ölst?"
    assert f"Vertel ons hoe het ging: {SURVEY_URL}." in opened.text
    assert f'href="{SURVEY_URL}"' in opened.html
    headers = dict(opened.headers)
    assert headers["List-Unsubscribe"] == f"<{UNSUBSCRIBE_URL}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Subject"] == "Hoe was uw contact met Gemeente Ölst?"
    assert "X-RcptTo" in headers  # what the SMTP server added on receipt


def test_an_email_without_html_has_only_its_text(smtp_server):
    message = survey_email()
    message.clear_content()
    message.set_content("Alleen tekst.")
    deliver(smtp_server, message)
    [received] = received_emails(smtp_server.mail_dir)

    opened = open_email(smtp_server.mail_dir, received.key)
    assert (opened.text, opened.html) == ("Alleen tekst.\n", None)


def test_an_unknown_or_malformed_key_opens_nothing(smtp_server):
    deliver(smtp_server, survey_email())
    for key in ("1700000000.M1P1Q1.elsewhere", "../spiegel.db", ".hidden", "", "a/b"):
        assert open_email(smtp_server.mail_dir, key) is None


def test_a_maildir_that_does_not_exist_yet_is_an_empty_mailbox_and_stays_absent(tmp_path):
    missing = tmp_path / "mailbox"
    assert received_emails(missing) == []
    assert open_email(missing, "1700000000.M1P1Q1.host") is None
    assert clear_mailbox(missing) == 0
    assert not missing.exists()


def test_emptying_the_mailbox_removes_every_email(smtp_server):
    deliver(smtp_server, survey_email("Eerste"))
    deliver(smtp_server, survey_email("Tweede"))

    assert clear_mailbox(smtp_server.mail_dir) == 2
    assert received_emails(smtp_server.mail_dir) == []
    deliver(smtp_server, survey_email("Na het legen"))
    assert [e.subject for e in received_emails(smtp_server.mail_dir)] == ["Na het legen"]


def test_web_addresses_in_a_text_become_links_and_everything_else_is_escaped():
    html = text_with_links(
        "Vul in: https://spiegel.example/s/abc?x=1&y=2. Of <script>niet</script> "
        "(zie http://localhost:5000/u/def), <mailto:stop@example>"
    )
    assert html == (
        'Vul in: <a href="https://spiegel.example/s/abc?x=1&amp;y=2">'
        "https://spiegel.example/s/abc?x=1&amp;y=2</a>. Of &lt;script&gt;niet&lt;/script&gt; "
        '(zie <a href="http://localhost:5000/u/def">http://localhost:5000/u/def</a>), '
        "&lt;mailto:stop@example&gt;"
    )


def test_a_link_in_the_email_html_opens_in_the_whole_window():
    base = '<base target="_top">'
    assert with_links_to_top('<html lang="nl"><HEAD><title>x</title></HEAD><body>') == (
        f'<html lang="nl"><HEAD>{base}<title>x</title></HEAD><body>'
    )
    assert with_links_to_top("<html><header>x</header>") == (
        f"<html><head>{base}</head><header>x</header>"
    )
    assert with_links_to_top("<p>Hallo</p>") == f"{base}<p>Hallo</p>"
