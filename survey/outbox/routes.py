"""The admins' Outbox page: every email with its state, attempts and last error."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("outbox", __name__)
