"""Logs an operator can read and a log collector can parse: one line per request (request id,
method, path, status, duration), as text or JSON (`LOG_FORMAT`), and no link token in any line.

Survey, unsubscribe, password and email-confirmation links carry their credential in the path:
whoever reads a log must not be able to answer a survey or choose a password with it. Every line
the app writes goes through one formatter that replaces such tokens with <token>; gunicorn's own
access and error logs use the same function (gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable

from flask import Flask, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter
from werkzeug.wsgi import ClosingIterator

# A token ends where a path segment, a query, a quote (JSON, an access log) or a bracket does.
TOKEN_IN_PATH = re.compile(
    r"(/(?:s|u|password/reset|password/choose|account/email)/)[^/?#\s\]\"'<>,;\\]+"
)
# Any other long opaque path segment, in case a new kind of link forgets to be listed above.
OPAQUE_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.]{40,}")
MASK = "<token>"

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_KEY = "spiegel.request_id"
# What proxies and load balancers send (nginx's $request_id: 32 hex digits; UUIDs); anything
# else (too long, spaces, line breaks that would forge a log line) is replaced by our own.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
PATH_LENGTH = 500

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
_HANDLER_NAME = "spiegel"

requests_log = logging.getLogger("survey.requests")


def redact_tokens(text: str) -> str:
    """The text with every link token in a path replaced by <token>."""
    return OPAQUE_SEGMENT.sub(MASK, TOKEN_IN_PATH.sub(rf"\1{MASK}", text))


class RedactTokens(logging.Filter):
    """For a logger whose records other handlers write too (gunicorn's, Flask's development
    server's, a test's): the message loses its tokens before any handler sees it. A logger's
    filter does not apply to its children's records; the formatters below cover those."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call; logging reports it itself
            return True
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # The whole line, traceback included: an exception's message may quote a path.
        return redact_tokens(super().format(record))


class TextFormatter(_Redacting):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)


class JsonLineFormatter(_Redacting, JsonFormatter):
    """One JSON object per line: time, level, logger, message, and the request's fields."""

    def __init__(self) -> None:
        JsonFormatter.__init__(
            self,
            JSON_FIELDS,
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601 in UTC
        )


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "text": TextFormatter,
    "json": JsonLineFormatter,
}


def current_request_id() -> str | None:
    if has_request_context():
        return request.environ.get(REQUEST_ID_KEY)
    return None


class AddRequestId(logging.Filter):
    """Every line written during a request names it, so an error's traceback can be found from
    the request id a user or the proxy reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


def log_handler(log_format: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(FORMATTERS[log_format]())
    handler.addFilter(AddRequestId())
    return handler


def _add_filter_once(logger: logging.Logger) -> None:
    if not any(isinstance(each, RedactTokens) for each in logger.filters):
        logger.addFilter(RedactTokens())


def configure_logging(app: Flask) -> None:
    """Standard error gets every line of the app (gunicorn and systemd's journal collect it).

    Under the tests, pytest collects the records instead, and only the token filters are set.
    """
    _add_filter_once(logging.getLogger(app.name))  # Flask's "Exception on /s/..." lines
    _add_filter_once(logging.getLogger("werkzeug"))  # the development server's request lines
    if app.testing:
        return
    root = logging.getLogger()
    for handler in [each for each in root.handlers if each.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)  # a second create_app in one process replaces the first's
    root.addHandler(log_handler(app.config["LOG_FORMAT"]))
    level = logging.getLevelName(app.config["LOG_LEVEL"])
    # Libraries (APScheduler, SQLAlchemy) speak from a warning up; the app at the level asked.
    root.setLevel(max(level, logging.WARNING))
    app.logger.setLevel(level)
    app.logger.removeHandler(default_handler)  # the root's handler writes its lines


def request_id_from(header: str | None) -> str:
    """The proxy's request id when it is one, else a new one."""
    if header and _VALID_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def loggable_path(environ: dict) -> str:
    """The path as requested, without query string, control characters or tokens."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = raw.encode("latin-1", "replace").decode("utf-8", "replace")  # WSGI's str of bytes
    path = _CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", path)
    return redact_tokens(path[:PATH_LENGTH])


class RequestLog:
    """WSGI middleware: sets the request id (in the environ and the response's X-Request-ID) and
    writes one line per request once its body has been sent, so a streamed export's duration is
    its whole duration."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        environ[REQUEST_ID_KEY] = request_id
        status: list[str] = []

        def start_with_request_id(code: str, headers: list, exc_info=None):
            status[:] = [code]
            headers = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(code, headers, exc_info)

        def write_line() -> None:
            code = int(status[0].split()[0]) if status else 500
            log_request(environ, request_id, code, time.perf_counter() - started)

        try:
            body = self.wsgi_app(environ, start_with_request_id)
        except BaseException:
            write_line()
            raise
        return ClosingIterator(body, write_line)


def log_request(environ: dict, request_id: str, status: int, seconds: float) -> None:
    method = _CONTROL_CHARACTERS.sub("", environ.get("REQUEST_METHOD", "-"))[:16]
    path = loggable_path(environ)
    duration_ms = round(seconds * 1000, 1)
    requests_log.log(
        logging.WARNING if status >= 500 else logging.INFO,
        "%s %s %s %sms",
        method,
        path,
        status,
        duration_ms,
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        },
    )


def log_requests(app: Flask) -> None:
    app.wsgi_app = RequestLog(app.wsgi_app)
