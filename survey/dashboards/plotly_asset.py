"""Serves the plotly.js bundle of the installed plotly package from our own origin.

The Content-Security-Policy allows scripts from 'self' only, and the bundle (5 MB) stays out of
git: the package ships it. Its version is in the URL, so browsers may keep it for a year.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, send_file, url_for
from plotly.offline import get_plotlyjs_version

bp = Blueprint("plotly_asset", __name__)

BUNDLE = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
ONE_YEAR = 365 * 24 * 60 * 60


def plotly_script_url() -> str:
    """Where templates load plotly.js from: `<script src="{{ plotly_script_url() }}" defer>`."""
    return url_for("plotly_asset.plotly_js", version=get_plotlyjs_version())


@bp.get("/assets/plotly-<version>.min.js")
def plotly_js(version: str) -> Response:
    # Only the installed version: an old URL must not be cached for a year with new content.
    if version != get_plotlyjs_version():
        abort(404)
    response = send_file(BUNDLE, mimetype="text/javascript", max_age=ONE_YEAR)
    response.cache_control.immutable = True
    return response
