"""The organisation's settings page (admins): invitation rules and reporting threshold."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("settings", __name__)
