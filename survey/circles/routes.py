"""The circle pages under /circles: the benchmark and the circle report (benchmark_views), and the
data-sharing consent of a municipality's administrator (consent_views), on one blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("circles", __name__, url_prefix="/circles")

# The pages live in their own modules on this blueprint.
from survey.circles import benchmark_views, consent_views  # noqa: E402, F401
