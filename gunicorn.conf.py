"""Gunicorn's settings for Spiegel: `gunicorn -c gunicorn.conf.py wsgi:app`.

Read by gunicorn before the app exists, so the server's own knobs come from the environment here
(`GUNICORN_*`); the app's settings stay in config.py. docs/operations.md explains the numbers.
"""

import logging
import os
import sys

from gunicorn.glogging import Logger

from config import ConfigurationError, load_config
from survey.operations.logs import RedactTokens, redact_tokens

# Refuse a weak SECRET_KEY (and the rest of config.py's rules) in the master, once, in one line,
# before any worker starts: a worker that fails to boot would only be started again.
try:
    load_config()
except ConfigurationError as error:
    sys.exit(f"Spiegel will not start: {error}")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# The slowest request: an XLSX export of 100,000 responses takes ~15 s before its first byte and
# a CSV import (at most 2 MB, 1,000 rows) a few seconds; 120 s leaves room for larger exports.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On a restart a worker finishes the request it has (an export under way) before it stops.
graceful_timeout = 60
keepalive = 5
# A fresh process now and then keeps slow memory growth from adding up.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-Proto is believed from these addresses (the reverse proxy on this machine); the
# client's address for the login limits comes from the app's TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Gunicorn's control socket sits at one path per user ($HOME/.gunicorn): a second instance on the
# machine would take it over. Spiegel does not use it; restarts go through signals (HUP, TERM).
control_socket_disable = True

# The app writes one line per request itself (survey/operations/logs.py: request id, method, path
# without tokens, status, duration; LOG_FORMAT=json for a log collector), so gunicorn's access log
# is off unless asked for with GUNICORN_ACCESS_LOG (a path, or - for standard output). When on, it
# shows the path without query string, and never the request line or the referrer.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class TokenRedactingLogger(Logger):
    """Gunicorn's logger, whose access log writes paths without their tokens (in every atom, so a
    changed format that names the request line, the referrer or RAW_URI cannot show them)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact_tokens(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


logger_class = TokenRedactingLogger
# Gunicorn's "Error handling request /s/<the token>" and Flask's "Exception on /s/<the token>".
for name in ("gunicorn.error", "survey"):
    logging.getLogger(name).addFilter(RedactTokens())
