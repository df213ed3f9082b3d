"""The unsubscribe link: a confirmation page on GET, the opt-out on POST (RFC 8058 one-click)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("unsubscribe", __name__)
