"""The circle benchmark pages: the viewer's circles, each circle's benchmark, its report and
the export of its aggregates."""

from __future__ import annotations

from survey.circles.routes import bp  # noqa: F401
