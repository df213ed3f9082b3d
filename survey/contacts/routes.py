"""Staff pages about contacts: the list, logging one, and the CSV import."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("contacts", __name__)
