"""Two scheduler processes working through the same outbox at once deliver every email exactly
once: counted by Message-ID at a real SMTP server. Runs on the suite's database (PostgreSQL in
CI, where claims use SKIP LOCKED; SQLite, where they queue behind BEGIN IMMEDIATE)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from survey.clock import utcnow
from survey.extensions import db
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail
from tests import factories
from tests.mailserver import process_environment

ROOT = Path(__file__).resolve().parents[2]
EMAILS = 1000


def test_two_scheduler_processes_send_each_of_1000_emails_exactly_once(
    app, database_url, mail_server
):
    with app.app_context():
        org = factories.organisation()
        due = utcnow() - timedelta(minutes=1)
        db.session.execute(
            insert(OutboundEmail),
            [
                {
                    "organisation_id": org.id,
                    "purpose": EmailPurpose.INVITATION,
                    "recipient": f"ondernemer{number}@bedrijf.example",
                    "sender_name": "",
                    "subject": f"Bericht {number}",
                    "text_body": "Hallo",
                    "html_body": "<p>Hallo</p>",
                    "headers": {},
                    "status": EmailStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": due,
                    "created_at": due,
                }
                for number in range(EMAILS)
            ],
        )
        db.session.commit()

    environment = process_environment(database_url, mail_server.port)
    command = [sys.executable, "-m", "flask", "jobs", "run-once"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    message_ids = Counter(message["Message-ID"] for message in mail_server.messages)
    assert len(message_ids) == EMAILS
    assert set(message_ids.values()) == {1}
    # Both really worked (neither found the outbox empty), side by side.
    assert all("sent 0," not in output for output in outputs), outputs
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboundEmail.status, func.count()).group_by(OutboundEmail.status)
            ).all()
        )
    assert statuses == {EmailStatus.SENT: EMAILS}
