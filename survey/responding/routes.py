"""The public survey pages behind a personal link. GET never changes anything."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from survey.clock import utcnow
from survey.extensions import csrf, db
from survey.invitations.models import Invitation
from survey.languages import supported, use_locale, use_timezone
from survey.questionnaires.forms import answers_from_form, build_survey_form
from survey.responding.links import LinkState, link_state
from survey.responding.submission import AlreadyAnswered, submit_response
from survey.responding.tokens import Purpose, read_token

bp = Blueprint("responding", __name__)

LINK_PAGES = {
    LinkState.UNKNOWN: ("responding/unknown.html", 404),
    LinkState.EXPIRED: ("responding/expired.html", 410),
    LinkState.ANSWERED: ("responding/answered.html", 200),
}


def _invitation(token: str) -> Invitation | None:
    return read_token(
        token, Purpose.SURVEY, current_app.secret_key, current_app.config["SECRET_KEY_FALLBACKS"]
    )


def _respondent_locale(invitation: Invitation | None, *requested: str | None) -> str:
    for code in requested:
        if supported(code):
            return code
    if invitation is not None and supported(invitation.locale):
        return invitation.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _open(token: str, *requested_locales: str | None) -> tuple[Invitation | None, str]:
    """The link's invitation, with this request set to the respondent's language and zone."""
    invitation = _invitation(token)
    locale = _respondent_locale(invitation, *requested_locales)
    use_locale(locale)
    if invitation is not None:
        use_timezone(invitation.organisation.timezone)
    return invitation, locale


def _link_page(state: LinkState, invitation: Invitation | None, token: str):
    template, status = LINK_PAGES[state]
    if state is LinkState.UNKNOWN:
        invitation = None  # a link that never worked says nothing about whose it was
    return render_template(template, invitation=invitation, token=token), status


def _survey_page(invitation: Invitation, token: str, form, locale: str, status: int = 200):
    return render_template(
        "responding/survey.html",
        invitation=invitation,
        version=invitation.questionnaire_version,
        form=form,
        token=token,
        locale=locale,
    ), status


@bp.get("/s/<token>")
def survey(token: str):
    invitation, locale = _open(token, request.args.get("lang"))
    state = link_state(invitation, utcnow())
    if state is not LinkState.OPEN:
        return _link_page(state, invitation, token)
    form = build_survey_form(invitation.questionnaire_version, locale)(formdata=None)
    return _survey_page(invitation, token, form, locale)


@bp.post("/s/<token>")
@csrf.exempt  # the signed link is the credential; see SurveyForm.Meta
def submit(token: str):
    switch_to = request.form.get("switch_locale")
    invitation, locale = _open(token, switch_to, request.form.get("locale"))
    now = utcnow()
    state = link_state(invitation, now)
    if state is not LinkState.OPEN:
        return _link_page(state, invitation, token)
    form = build_survey_form(invitation.questionnaire_version, locale)()
    if switch_to:
        # Same answers, other language: nothing is validated or stored.
        return _survey_page(invitation, token, form, locale)
    if not form.validate():
        return _survey_page(invitation, token, form, locale, status=422)
    try:
        submit_response(invitation, answers_from_form(form), locale, now)
        db.session.commit()
    except AlreadyAnswered:
        db.session.rollback()
        return _link_page(LinkState.ANSWERED, invitation, token)
    return redirect(url_for(".thanks", token=token, lang=locale), 303)


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    invitation, _ = _open(token, request.args.get("lang"))
    state = link_state(invitation, utcnow())
    if state is LinkState.OPEN:
        return redirect(url_for(".survey", token=token))
    if state is LinkState.ANSWERED:
        return render_template("responding/thanks.html", invitation=invitation, token=token)
    return _link_page(state, invitation, token)
