"""Gunicorn's settings for Spiegel: `gunicorn -c gunicorn.conf.py wsgi:app`.

Read by gunicorn before the app exists, so the server's own knobs come from the environment here
(`GUNICORN_*`); the app's settings stay in config.py. docs/operations.md explains the numbers.
"""

import logging
import os
import re
import sys

from gunicorn.glogging import Logger

from config import ConfigurationError, load_config

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

# Survey, unsubscribe and password links carry their credential in the path: the access log shows
# the path with the token replaced, and never the query string, the request line or the referrer.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

TOKEN_IN_PATH = re.compile(r"(/(?:s|u|password/reset|password/choose|account/email)/)[^/?\s\]]+")
# Any other long opaque path segment, in case a new kind of link forgets to be listed above.
OPAQUE_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.]{40,}")


def redact_tokens(text: str) -> str:
    """The text with every link token in a path replaced by <token>."""
    return OPAQUE_SEGMENT.sub("<token>", TOKEN_IN_PATH.sub(r"\1<token>", text))


class TokenRedactingLogger(Logger):
    """Gunicorn's logger, whose access log writes paths without their tokens (in every atom, so a
    changed format that names the request line, the referrer or RAW_URI cannot show them)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact_tokens(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }


class RedactTokens(logging.Filter):
    """Flask logs "Exception on /s/<the token> [POST]" on an error: keep the token out of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_tokens(record.getMessage())
        record.args = ()
        return True


logger_class = TokenRedactingLogger
logging.getLogger("survey").addFilter(RedactTokens())
