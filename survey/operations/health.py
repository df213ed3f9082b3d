"""/healthz (the process answers) and /readyz (the service does its work), for load balancers,
monitoring and deploy scripts: JSON, no login, no cookie, no personal data, never rate-limited.

/readyz answers 200 when every check passes and 503 (which load balancers and monitors read as
"not ready") when one fails, with each check's result.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from survey.clock import utcnow
from survey.extensions import limiter
from survey.operations.checks import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Touches nothing outside this process: a restart, not a failover, cures what it reports."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = readiness(current_app._get_current_object(), utcnow())
    ready = all(check.ok for check in checks)
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {check.name: check.public() for check in checks},
    }
    return jsonify(body), 200 if ready else 503
