"""The development Mailbox page: every email the local SMTP server received."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mailbox", __name__)
