"""A real local SMTP server: aiosmtpd with its Maildir handler, as `make run` starts it."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from tests.browser.conftest import browser, live_server, page  # noqa: F401  (one set of them)
from tests.devmail.emails import SmtpServer


def _free_port() -> int:
    # aiosmtpd's Controller checks it is up by connecting to its port, so it cannot take port 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path):
    mail_dir = tmp_path / "mailbox"
    controller = Controller(Mailbox(mail_dir), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield SmtpServer(controller.hostname, controller.port, mail_dir)
    controller.stop()
