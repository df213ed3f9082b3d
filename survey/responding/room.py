"""The public pages of an event's room link (/r/<code>, shown as a QR code in the room): the
questionnaire for anyone there, answered anonymously and once per browser.

A GET stores nothing; it only gives the browser its random cookie, by which a second answer from
the same browser is recognised. The POST needs that cookie, which is SameSite=Lax: a form posted
from another site arrives without it and stores nothing, so the cookie also does what a CSRF
token would, without expiring on a phone left on the page.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from survey.clock import utcnow
from survey.extensions import csrf, db, limiter
from survey.languages import supported, use_locale, use_timezone
from survey.questionnaires.cache import survey_form
from survey.questionnaires.forms import answers_from_form
from survey.responding.questions import blank_questions_of
from survey.responding.room_links import RoomLink, RoomState, browser_key, room_link_by_code
from survey.responding.submission import AlreadyAnswered, submit_room_response

bp = Blueprint("room", __name__)

BROWSER_COOKIE = "spiegel_room"
COOKIE_PATH = "/r/"
# A whole room shares one Wi-Fi address: generous per address, still a brake on a script.
DEFAULT_ANSWER_LIMIT = "60 per 10 minutes"
# What secrets.token_urlsafe(32) gives; anything else was not set by this site.
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_\-]{40,64}")

STATE_PAGES = {
    RoomState.NOT_YET_OPEN: "responding/room_not_open.html",
    RoomState.CLOSED: "responding/room_closed.html",
}


def _answer_limit() -> str:
    return current_app.config.get("ROOM_ANSWER_LIMIT_PER_ADDRESS", DEFAULT_ANSWER_LIMIT)


def _locale(link: RoomLink | None, *requested: str | None) -> str:
    for code in requested:
        if supported(code):
            return code
    if link is not None and supported(link.locale):
        return link.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _open(code: str, *requested_locales: str | None) -> tuple[RoomLink | None, str]:
    """The room link of this code, with the request set to the visitor's language and zone."""
    link = room_link_by_code(code)
    locale = _locale(link, *requested_locales)
    use_locale(locale)
    if link is not None:
        use_timezone(link.organisation.timezone)
    return link, locale


def _unknown():
    return render_template("responding/room_unknown.html"), 404


def _state_page(link: RoomLink, state: RoomState, refused: bool):
    """Not open yet (a GET may look; answers are refused) or closed (gone for good)."""
    status = 410 if state is RoomState.CLOSED else (409 if refused else 200)
    page = render_template(STATE_PAGES[state], link=link, organisation=link.organisation)
    return page, status


def _room_page(link: RoomLink, form, locale: str, status: int = 200, **notices):
    return render_template(
        "responding/room.html",
        link=link,
        organisation=link.organisation,
        version=link.questionnaire_version,
        form=form,
        blank_questions=blank_questions_of(link.questionnaire_version, form, locale),
        locale=locale,
        **notices,
    ), status


def _browser_cookie() -> str | None:
    value = request.cookies.get(BROWSER_COOKIE, "")
    return value if _COOKIE_VALUE.fullmatch(value) else None


def _with_browser_cookie(page, link: RoomLink, now: datetime):
    """The page, giving the browser its cookie (kept if it has one) for as long as this link
    takes answers, and a day more."""
    response = current_app.make_response(page)
    value = _browser_cookie() or secrets.token_urlsafe(32)
    lifetime = max(link.closed_at - now, timedelta(0)) + timedelta(days=1)
    response.set_cookie(
        BROWSER_COOKIE,
        value,
        max_age=int(lifetime.total_seconds()),
        path=COOKIE_PATH,
        # As the session cookie: HTTPS-only wherever the site runs on HTTPS (production).
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/r/<code>")
def page(code: str):
    link, locale = _open(code, request.args.get("lang"))
    if link is None:
        return _unknown()
    now = utcnow()
    state = link.state_at(now)
    if state is not RoomState.OPEN:
        return _state_page(link, state, refused=False)
    form = survey_form(link.questionnaire_version, locale)(formdata=None)
    return _with_browser_cookie(_room_page(link, form, locale), link, now)


@bp.post("/r/<code>")
@csrf.exempt  # the SameSite=Lax browser cookie is required instead; see the module's docstring
@limiter.limit(_answer_limit, methods=["POST"])
def submit(code: str):
    switch_to = request.form.get("switch_locale")
    link, locale = _open(code, switch_to, request.form.get("locale"))
    if link is None:
        return _unknown()
    now = utcnow()
    state = link.state_at(now)
    if state is not RoomState.OPEN:
        return _state_page(link, state, refused=True)
    form = survey_form(link.questionnaire_version, locale)()
    if switch_to:
        # Same answers, other language: nothing is validated or stored.
        return _with_browser_cookie(_room_page(link, form, locale), link, now)
    cookie = _browser_cookie()
    if cookie is None:
        # Nothing stored; the answers stay on the page and the browser is offered a cookie, so
        # sending again works wherever cookies are allowed.
        page = _room_page(link, form, locale, 400, cookie_notice=True)
        return _with_browser_cookie(page, link, now)
    if not form.validate():
        return _room_page(link, form, locale, status=422)
    browser = browser_key(cookie, current_app.secret_key)
    try:
        submit_room_response(link, answers_from_form(form), locale, now, browser)
        db.session.commit()
    except AlreadyAnswered:
        db.session.rollback()
        return render_template(
            "responding/room_answered.html", link=link, organisation=link.organisation
        )
    return redirect(url_for(".thanks", code=link.shown_code, lang=locale), 303)


@bp.get("/r/<code>/thanks")
def thanks(code: str):
    link, _locale_shown = _open(code, request.args.get("lang"))
    if link is None:
        return _unknown()
    return render_template("responding/room_thanks.html", link=link, organisation=link.organisation)


@bp.errorhandler(429)
def too_many_answers(error):
    """Many answers from one address in a short time: the room's page, in the visitor's
    language, asking to wait a moment."""
    link = room_link_by_code((request.view_args or {}).get("code", ""))
    locale = _locale(link, request.form.get("locale"))
    use_locale(locale)
    organisation = link.organisation if link is not None else None
    return render_template("responding/room_busy.html", link=link, organisation=organisation), 429
