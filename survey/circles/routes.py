"""The circle pages under /circles: the benchmark and the circle report (benchmark_views), and the
data-sharing consent of a municipality's administrator (consent_views), on one blueprint."""

from __future__ import annotations

from importlib.util import find_spec

from flask import Blueprint

bp = Blueprint("circles", __name__, url_prefix="/circles")

# The pages live in their own modules on this blueprint. The consent pages are built alongside
# the benchmark; they join the blueprint as soon as their module exists.
from survey.circles import benchmark_views  # noqa: E402, F401

if find_spec("survey.circles.consent_views") is not None:
    from survey.circles import consent_views  # noqa: F401
