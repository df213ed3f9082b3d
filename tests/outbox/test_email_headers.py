"""From, To and Reply-To as mail programs read them: whatever a staff member's name holds, the
raw message carries exactly one sender with that name, and no header more than we wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.jobs.tasks import send_outbox
from survey.outbox.models import EmailPurpose, OutboundEmail
from survey.outbox.queue import build_message
from survey.outbox.smtp import SMTP_POLICY
from tests import factories

NOW = datetime(2026, 11, 25, 8, tzinfo=UTC)
SENDER = "Spiegel <noreply@spiegel.example>"

AWKWARD_NAMES = [
    "Jansen, Piet (EZ) – Gemeente Demodam",
    'Piet "de Baas" Jansen',
    "Piet (Economische Zaken) Jansen",
    "<script>alert(1)</script>",
    "Jansen <piet@elders.example>",
    "Łukasz Wiśniewski",
    "Ğül Yılmaz",
    "山田太郎",
    "Sanne 🌷 de Vries",
    "Back\\slash; semi: colon @ at",
    ("Anna-Łucja van den Berg, " * 8).strip() + ".",  # 200 characters
]


def email_from(sender_name: str, **fields) -> OutboundEmail:
    fields.setdefault("recipient", "eva@bakkerij.example")
    return OutboundEmail(
        purpose=EmailPurpose.INVITATION,
        sender_name=sender_name,
        subject=fields.pop("subject", "Hoe was uw contact?"),
        text_body="Hallo",
        html_body="<p>Hallo</p>",
        message_id="<outbox-1@spiegel.example>",
        headers={"List-Unsubscribe": "<http://localhost/unsubscribe/abc>"},
        **fields,
    )


def over_the_wire(email: OutboundEmail):
    """The message as SMTP carries it, read back the way a mail program reads it."""
    raw = build_message(email, SENDER, NOW).as_bytes(policy=SMTP_POLICY)
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_any_staff_name_reads_back_as_one_sender_with_that_name(name):
    received = over_the_wire(email_from(name, reply_to="piet@demodam.example"))

    (sender,) = received["From"].addresses
    assert sender.display_name == name
    assert sender.addr_spec == "noreply@spiegel.example"
    (recipient,) = received["To"].addresses
    assert recipient.addr_spec == "eva@bakkerij.example"
    (reply_to,) = received["Reply-To"].addresses
    assert reply_to.addr_spec == "piet@demodam.example"


def test_without_a_sender_name_the_configured_sender_is_used():
    (sender,) = over_the_wire(email_from(""))["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Spiegel", "noreply@spiegel.example")


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\u2028"])
def test_a_line_break_stored_in_a_name_adds_no_header(line_break):
    name = f"Piet Jansen{line_break}Bcc: everyone@elders.example"
    received = over_the_wire(email_from(name, subject=f"Hoe was uw contact met {name}?"))

    (sender,) = received["From"].addresses
    assert sender.display_name == "Piet Jansen Bcc: everyone@elders.example"
    assert received["Bcc"] is None
    assert received["Subject"] == "Hoe was uw contact met Piet Jansen Bcc: everyone@elders.example?"


def test_a_staff_name_with_a_comma_arrives_as_one_sender(app, mail_server):
    with app.app_context():
        org = factories.organisation("Gemeente Demodam")
        piet = factories.user(org, name="Jansen, Piet (EZ)")
        invitation = factories.invitation(org, piet, state=InvitationState.SCHEDULED)
        factories.outbound_email(invitation, now=NOW)
        organisation = org.name
        db.session.commit()
        send_outbox(lambda: NOW)

    (received,) = mail_server.received
    message = BytesParser(policy=policy.default).parsebytes(received.raw)
    (sender,) = message["From"].addresses
    assert sender.display_name == f"Jansen, Piet (EZ) – {organisation}"
    assert received.sender == sender.addr_spec
    assert message["Subject"] == f"Hoe was uw contact met Jansen, Piet (EZ) van {organisation}?"


def test_the_longest_names_still_make_an_email_that_is_sent(app, mail_server):
    """A staff name and an organisation name of 200 characters each: the sender and subject are
    shortened to fit their columns (PostgreSQL refuses longer ones), and the email goes out."""
    with app.app_context():
        org = factories.organisation("Gemeente " + "Langedorp" * 20)
        long_name = ("Anna-Łucja van den Berg, " * 8).strip() + "."
        invitation = factories.invitation(
            org, factories.user(org, name=long_name), state=InvitationState.SCHEDULED
        )
        email = factories.outbound_email(invitation, now=NOW)
        db.session.commit()
        assert len(email.sender_name) <= 200 and email.sender_name.endswith("…")
        assert len(email.subject) <= 300
        send_outbox(lambda: NOW)

    (received,) = mail_server.received
    message = BytesParser(policy=policy.default).parsebytes(received.raw)
    (sender,) = message["From"].addresses
    assert sender.display_name.startswith("Anna-Łucja van den Berg, Anna-Łucja")
