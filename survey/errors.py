"""Error pages: each failure a person can meet gets its own message, in their language."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something went wrong with this request"), _l("Please go back and try again.")),
    403: (
        _l("You do not have access to this page"),
        _l("Your role does not allow this. Ask an administrator of your organisation."),
    ),
    404: (
        _l("Page not found"),
        _l(
            "This page does not exist (any more). Check the address, "
            "or start again from the home page."
        ),
    ),
    405: (_l("Something went wrong with this request"), _l("Please go back and try again.")),
    413: (
        _l("The file is too large"),
        _l("Files of up to 2 MB can be uploaded. Split the file and try again."),
    ),
    429: (
        _l("Too many attempts"),
        _l("For your security, please wait a few minutes before you try again."),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("We have been notified. Please try again in a moment."),
    ),
}
CSRF_MESSAGE = (
    _l("This form has expired"),
    _l(
        "For your security, forms are only valid for a limited time. "
        "Please go back, reload the page and try again."
    ),
)


def render_error(status: int, title, message):
    return render_template("errors/error.html", title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        log.info("CSRF refusal on %s: %s", request.path, error.description)
        return render_error(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        title, message = MESSAGES.get(status, MESSAGES[400])
        return render_error(status, title, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if app.testing:
            raise error
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500, *MESSAGES[500])
