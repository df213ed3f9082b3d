"""Security headers, role checks, and the organisation scope that every staff query goes through."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort, request
from flask_login import current_user, login_required
from sqlalchemy import Select

from survey.accounts.models import Role
from survey.extensions import db
from survey.request_input import local_path

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Assets that hold nothing personal; plotly.js is versioned in its URL and kept for a year.
CACHEABLE_ENDPOINTS = frozenset({"static", "plotly_asset.plotly_js"})

Model = TypeVar("Model")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Survey and unsubscribe links carry tokens: never hand them to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            # Staff pages, exports and survey pages show names, addresses and answers: no shared
            # cache, no back-button copy for the next person at the same computer.
            headers["Cache-Control"] = "no-store"
        return response


def local_path_or(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback`: a `next=` cannot send people away.

    The rule (control characters, backslashes, encoded and look-alike slashes) is local_path's.
    """
    return local_path(target) or fallback


def roles_required(*roles: Role) -> Callable:
    """Staff view decorator: logged in, and one of `roles`.

    Without roles, any of a municipality's roles: the platform operator runs the service but
    sees no municipality's responses, contacts, invitations or staff, so a page must name the
    operator to let them in (the platform pages and the circles' aggregates do).
    """
    allowed = roles or Role.municipal()

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def operator_required(view: Callable) -> Callable:
    """The platform pages: a platform operator of the platform organisation, nobody else."""

    @wraps(view)
    @roles_required(Role.OPERATOR)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.organisation.is_platform:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def home_endpoint(role: Role) -> str:
    """Where a staff member starts: the operator on the platform pages, the others at home."""
    return "platform.index" if role is Role.OPERATOR else "invitations.home"


def scoped(statement: Select, model: type) -> Select:
    """Limit a staff query to the current user's organisation, and an account manager to theirs.

    A model names the column that says whose a record is in `owner_column` (optional).
    """
    statement = statement.where(model.organisation_id == current_user.organisation_id)
    owner_column = getattr(model, "owner_column", None)
    if owner_column is not None and not current_user.role.sees_whole_organisation:
        statement = statement.where(getattr(model, owner_column) == current_user.id)
    return statement


def get_scoped_or_404(model: type[Model], record_id: int) -> Model:
    """The record if the current user may see it; 404 otherwise, so ids reveal nothing."""
    record = db.session.scalar(scoped(db.select(model), model).where(model.id == record_id))
    if record is None:
        abort(404)
    return record
