"""Reading the Maildir that the local SMTP server of `make run` fills, for the Mailbox page."""

from __future__ import annotations

import email
import mailbox
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from markupsafe import Markup

# Python's Maildir names a message "<time>.M<µs>P<pid>Q<count>.<host>" ("/" and ":" of the host
# written as \057 and \072); a key from a URL must look like that before it goes near a path.
_KEY = re.compile(r"\w[\w.\\-]*", re.ASCII)
_URL = re.compile(r"https?://[^\s<>\"']+")
# A sentence may end right after a link; its full stop or bracket is not part of the address.
_URL_TRAILER = ".,;:!?)]}"
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_HTML = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
BASE_TARGET = '<base target="_top">'


@dataclass(frozen=True)
class ReceivedEmail:
    key: str
    received_at: datetime
    sender: str
    recipients: str
    subject: str
    message_id: str


@dataclass(frozen=True)
class OpenedEmail(ReceivedEmail):
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None


def received_emails(mail_dir: str | Path) -> list[ReceivedEmail]:
    """Every email in the Maildir, the last one received first."""
    box = _maildir(mail_dir)
    if box is None:
        return []
    emails = []
    for key in list(box.iterkeys()):
        if (delivered := _delivered(box, key)) is not None:
            emails.append(_summary(key, *delivered))
    return sorted(emails, key=lambda received: (received.received_at, received.key), reverse=True)


def open_email(mail_dir: str | Path, key: str) -> OpenedEmail | None:
    """One email with all its headers, its text and its HTML part; None for an unknown key."""
    box = _maildir(mail_dir)
    if box is None or not _KEY.fullmatch(key):
        return None
    delivered = _delivered(box, key)
    if delivered is None:
        return None
    message, received_at = delivered
    summary = _summary(key, message, received_at)
    return OpenedEmail(
        **vars(summary),
        headers=[(name, str(value)) for name, value in message.items()],
        text=_body(message, "plain"),
        html=_body(message, "html"),
    )


def clear_mailbox(mail_dir: str | Path) -> int:
    """Remove every email; returns how many there were."""
    box = _maildir(mail_dir)
    if box is None:
        return 0
    removed = 0
    for key in list(box.iterkeys()):
        try:
            box.remove(key)
        except (KeyError, FileNotFoundError):
            continue  # removed by someone else in the meantime
        removed += 1
    return removed


def text_with_links(text: str) -> Markup:
    """The text, escaped, with every web address in it made a link."""
    html = Markup()
    position = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILER)
        html += text[position : match.start()]
        html += Markup('<a href="{0}">{0}</a>').format(url)
        position = match.start() + len(url)
    return html + text[position:]


def with_links_to_top(html: str) -> str:
    """The email's HTML with `<base target="_top">`, so its links open in the whole window
    rather than in the frame that shows the email."""
    if head := _HEAD.search(html):
        return html[: head.end()] + BASE_TARGET + html[head.end() :]
    if root := _HTML.search(html):
        return html[: root.end()] + f"<head>{BASE_TARGET}</head>" + html[root.end() :]
    return BASE_TARGET + html


def _maildir(mail_dir: str | Path) -> mailbox.Maildir | None:
    """The Maildir, or None while the SMTP server has not made it yet (reading creates nothing)."""
    if not all((Path(mail_dir) / part).is_dir() for part in ("cur", "new", "tmp")):
        return None
    return mailbox.Maildir(mail_dir, create=False)


def _delivered(box: mailbox.Maildir, key: str) -> tuple[EmailMessage, datetime] | None:
    """The message parsed with the modern policy (decoded headers, `get_body`), and when it came.

    The Maildir knows the delivery time only on its own message class, so the file is read twice;
    a development mailbox is small.
    """
    try:
        received_at = datetime.fromtimestamp(box.get_message(key).get_date(), UTC)
        data = box.get_bytes(key)
    except (KeyError, FileNotFoundError):
        return None  # unknown, or removed since the listing
    return email.message_from_bytes(data, policy=policy.default), received_at


def _summary(key: str, message: EmailMessage, received_at: datetime) -> ReceivedEmail:
    return ReceivedEmail(
        key=key,
        received_at=received_at,
        sender=str(message.get("From", "")),
        recipients=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        message_id=str(message.get("Message-ID", "")),
    )


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        return part.get_content()
    except LookupError:  # a charset Python does not know: show what we can
        return part.get_payload(decode=True).decode("utf-8", errors="replace")
