"""The MIME message of an outbox row, with its addresses built as the standard library's
address objects, so that any display name (a comma, quotes, angle brackets, 山田) is quoted or
encoded correctly instead of being read as a second address."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from survey.outbox.models import OutboundEmail
from survey.outbox.smtp import SMTP_POLICY


def one_line(text: str) -> str:
    """Header text on one line: a line break stored in a name must not start a new header."""
    visible = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(visible.split())


def mailbox(display_name: str, addr_spec: str) -> Address:
    """One address for a header; ValueError (or another parse error) for one that is no address."""
    return Address(display_name=one_line(display_name), addr_spec=addr_spec.strip())


def message_id_for(email_id: int, sender: str) -> str:
    """The Message-ID of an outbox row: the same on every attempt, unique per row."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "spiegel.localhost"
    return f"<outbox-{email_id}@{domain}>"


def build_message(email: OutboundEmail, sender: str, now: datetime) -> EmailMessage:
    """The MIME message of an outbox row: plain text and HTML, with its stored headers.

    `sender` is the configured From (`MAIL_DEFAULT_SENDER`); the row's sender name, when it has
    one, replaces the configured name.
    """
    default_name, sender_address = parseaddr(sender)
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = mailbox(email.sender_name or default_name, sender_address)
    message["To"] = mailbox("", email.recipient)
    if email.reply_to:
        message["Reply-To"] = mailbox("", email.reply_to)
    message["Subject"] = one_line(email.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = email.message_id or message_id_for(email.id, sender)
    for name, value in (email.headers or {}).items():
        message[name] = value
    # Quoted-printable: 7-bit safe for every server, whatever the language or line length.
    message.set_content(email.text_body, cte="quoted-printable")
    message.add_alternative(email.html_body, subtype="html", cte="quoted-printable")
    return message
