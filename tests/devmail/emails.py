"""An email like the ones Spiegel sends (multipart text and HTML, with List-Unsubscribe), and
its delivery over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple

SURVEY_URL = "http://localhost/s/an-opaque-token"
UNSUBSCRIBE_URL = "http://localhost/u/an-opaque-token"


class SmtpServer(NamedTuple):
    host: str
    port: int
    mail_dir: Path


def survey_email(
    subject: str = "Hoe was uw contact met Gemeente Ölst?", survey_url: str = SURVEY_URL
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Gemeente Ölst <noreply@olst.example>"
    message["To"] = "Ondernemer Één <ondernemer@bedrijf.example>"
    message["Subject"] = subject
    message["Message-ID"] = "<invitation-1@spiegel.example>"
    message["List-Unsubscribe"] = f"<{UNSUBSCRIBE_URL}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(f"Beste ondernemer,\n\nVertel ons hoe het ging: {survey_url}.\n")
    message.add_alternative(
        "<!doctype html><html><head><title>Enquête</title></head><body>"
        '<p class="intro" style="color: rgb(11, 83, 148)">Beste ondernemer,</p>'
        f'<p><a id="survey" href="{survey_url}">Vertel ons hoe het ging</a></p>'
        "<script>document.body.dataset.ran = 'yes'</script>"
        "</body></html>",
        subtype="html",
    )
    return message


def deliver(server: SmtpServer, message: EmailMessage) -> None:
    with smtplib.SMTP(server.host, server.port) as smtp:
        smtp.send_message(message)
