"""Running Spiegel: health and readiness, the scheduler's heartbeat, request logs, `flask doctor`
and the warnings administrators see when the service is not doing its work.

Kept light at import: gunicorn.conf.py imports `survey.operations.logs` before any app exists.
"""

from __future__ import annotations

from flask import Flask


def register_operations(app: Flask) -> None:
    """Logs with a request id on every request, /healthz and /readyz, `flask doctor`, and the
    administrators' warnings for templates."""
    from survey.operations.alerts import register_alerts
    from survey.operations.doctor import doctor_command
    from survey.operations.health import bp
    from survey.operations.logs import configure_logging, log_requests

    configure_logging(app)
    log_requests(app)
    app.register_blueprint(bp)
    app.cli.add_command(doctor_command)
    register_alerts(app)
