"""The public survey pages behind a personal link, and the staff's preview of the same page.
GET never changes anything; the preview never stores anything."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from survey.clock import utcnow
from survey.driver import batched
from survey.extensions import csrf, db, limiter
from survey.invitations.models import Invitation
from survey.languages import supported, use_locale, use_timezone
from survey.questionnaires.cache import built_version, kept_version, survey_form
from survey.questionnaires.forms import answers_from_form
from survey.responding.links import LinkState, link_state, without_personal_links
from survey.responding.opening import (
    LinkGlance,
    glance_at_link,
    invitation_with_page,
    open_survey_link,
)
from survey.responding.page_frames import occasion_paragraph, survey_page
from survey.responding.questions import blank_questions_of
from survey.responding.submission import AlreadyAnswered, store_response
from survey.security import get_scoped_or_404, roles_required

bp = Blueprint("responding", __name__)
bp.add_app_template_filter(without_personal_links)

LINK_PAGES = {
    LinkState.UNKNOWN: ("responding/unknown.html", 404),
    LinkState.EXPIRED: ("responding/expired.html", 410),
    LinkState.ANSWERED: ("responding/answered.html", 200),
}


def _respondent_locale(invitation: Invitation | LinkGlance | None, *requested: str | None) -> str:
    for code in requested:
        if supported(code):
            return code
    if invitation is not None and supported(invitation.locale):
        return invitation.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _open(
    token: str, *requested_locales: str | None, read_only: bool = False
) -> tuple[Invitation | None, str]:
    """The link's invitation, with this request set to the respondent's language and zone;
    `read_only` for a GET, which stores nothing."""
    invitation = open_survey_link(token, read_only=read_only)
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


def _draw_survey_page(invitation: Invitation, token: str | None, form, locale: str, **more) -> str:
    version = invitation.questionnaire_version
    more.setdefault("occasion", occasion_paragraph(LinkGlance.of_invitation(invitation)))
    return render_template(
        "responding/survey.html",
        invitation=invitation,
        version=version,
        form=form,
        blank_questions=blank_questions_of(version, form, locale),
        token=token,
        locale=locale,
        **more,
    )


def _survey_page(
    invitation: Invitation, token: str | None, form, locale: str, status: int = 200, **preview
):
    return _draw_survey_page(invitation, token, form, locale, **preview), status


# Opening a link is never rate-limited, not even by configured default limits: its token is the
# credential, a page changes nothing, and a mail scanner opens a whole mailing from one address.
@bp.get("/s/<token>")
@limiter.exempt
def survey(token: str):
    requested = request.args.get("lang")
    glance = glance_at_link(token)
    if link_state(glance, utcnow()) is not LinkState.OPEN:
        # The answered and expired pages show more of the invitation than a glance holds.
        invitation, _locale = _open(token, requested, read_only=True)
        return _link_page(link_state(invitation, utcnow()), invitation, token)
    locale = _respondent_locale(glance, requested)
    use_locale(locale)
    use_timezone(glance.timezone)

    def draw(token_shown: str, occasion) -> str:
        invitation = _invitation_of(glance, token, read_only=True)
        form = survey_form(invitation.questionnaire_version, locale)(formdata=None)
        return _draw_survey_page(invitation, token_shown, form, locale, occasion=occasion)

    return survey_page(glance, locale, token, draw)


@bp.post("/s/<token>")
@csrf.exempt  # the signed link is the credential; see SurveyForm.Meta
def submit(token: str):
    switch_to = request.form.get("switch_locale")
    now = utcnow()
    connection = db.session.connection()
    glance = glance_at_link(token, connection)
    if link_state(glance, now) is not LinkState.OPEN:
        invitation, _locale = _open(token, switch_to, request.form.get("locale"), read_only=True)
        return _link_page(link_state(invitation, now), invitation, token)
    locale = _respondent_locale(glance, switch_to, request.form.get("locale"))
    use_locale(locale)
    use_timezone(glance.timezone)
    # The invitation is loaded only to draw a page, or to build a version not kept yet.
    invitation = None
    built = kept_version(glance.version_id, glance.version_created_at)
    if built is None or not glance.version_frozen:
        invitation = _invitation_of(glance, token)
        built = built_version(invitation.questionnaire_version)
    form = built.form_class(locale)()
    if switch_to or not form.validate():
        # Same answers, other language, or answers to correct: nothing is stored.
        invitation = invitation or _invitation_of(glance, token)
        return _survey_page(invitation, token, form, locale, status=200 if switch_to else 422)
    answers = answers_from_form(form)
    try:
        with batched(connection):
            store_response(
                connection, glance.answering(), answers, built.overall_question_id, locale, now
            )
            db.session.commit()
    except AlreadyAnswered:
        db.session.rollback()
        invitation, _locale = _open(token, locale, read_only=True)
        return _link_page(LinkState.ANSWERED, invitation, token)
    return redirect(url_for(".thanks", token=token, lang=locale), 303)


def _invitation_of(glance: LinkGlance, token: str, read_only: bool = False) -> Invitation:
    """The glanced invitation loaded with its page, to draw it; the unknown link's page when it
    was erased between the two reads."""
    invitation = invitation_with_page(glance.invitation_id, read_only=read_only)
    if invitation is None:
        abort(make_response(*_link_page(LinkState.UNKNOWN, None, token)))
    return invitation


@bp.get("/s/<token>/thanks")
def thanks(token: str):
    invitation, _ = _open(token, request.args.get("lang"), read_only=True)
    state = link_state(invitation, utcnow())
    if state is LinkState.OPEN:
        return redirect(url_for(".survey", token=token))
    if state is LinkState.ANSWERED:
        return render_template("responding/thanks.html", invitation=invitation, token=token)
    return _link_page(state, invitation, token)


def _open_preview(invitation_id: int, *requested_locales: str | None) -> tuple[Invitation, str]:
    """The invitation as the staff member may see it (404 otherwise), in the respondent's
    language unless another was asked for."""
    invitation = invitation_with_page(get_scoped_or_404(Invitation, invitation_id).id)
    locale = _respondent_locale(invitation, *requested_locales)
    use_locale(locale)
    use_timezone(invitation.organisation.timezone)
    return invitation, locale


# The preview is the survey page itself, so the two cannot drift apart; only the door differs:
# a login and the staff scope instead of the respondent's token, which staff never hold.
@bp.get("/invitations/<int:invitation_id>/preview")
@roles_required()
def preview(invitation_id: int):
    invitation, locale = _open_preview(invitation_id, request.args.get("lang"))
    form = survey_form(invitation.questionnaire_version, locale)(formdata=None)
    return _survey_page(invitation, None, form, locale, preview=True)


@bp.post("/invitations/<int:invitation_id>/preview")
@roles_required()
def preview_submit(invitation_id: int):
    """Validates like the real page, then says that nothing was stored."""
    switch_to = request.form.get("switch_locale")
    invitation, locale = _open_preview(invitation_id, switch_to, request.form.get("locale"))
    form = survey_form(invitation.questionnaire_version, locale)()
    if switch_to:
        return _survey_page(invitation, None, form, locale, preview=True)
    if not form.validate():
        return _survey_page(invitation, None, form, locale, 422, preview=True)
    notice = _("This was a preview: your answers were not saved.")
    return _survey_page(invitation, None, form, locale, preview=True, preview_notice=notice)
