"""The built-in privacy statement, public, in Dutch and English: one per organisation (found by
its slug, as every survey page and email links to it) and a general one for a link that
names no organisation."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.accounts.staff import SLUG_PATTERN
from survey.extensions import db
from survey.languages import supported, use_locale
from survey.responding.privacy import answers_audience, privacy_statement_url

bp = Blueprint("privacy", __name__)
SLUG_LENGTH = 80  # the column's
bp.add_app_template_global(privacy_statement_url)
bp.add_app_template_global(answers_audience)


def _use_language(organisation: Organisation | None) -> None:
    """The language asked for, else the organisation's, else the default."""
    asked = supported(request.args.get("lang"))
    fallback = organisation.locale if organisation is not None else None
    use_locale(asked or supported(fallback) or current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.get("/privacy")
def general():
    _use_language(None)
    return render_template("responding/privacy.html", organisation=None)


@bp.get("/privacy/<slug>")
def statement(slug: str):
    organisation = None
    if len(slug) <= SLUG_LENGTH and SLUG_PATTERN.match(slug):
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    _use_language(organisation)
    return render_template("responding/privacy.html", organisation=organisation)
