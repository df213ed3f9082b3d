"""Login and logout of staff, one's own account, and choosing a password or confirming a new
email address through a link."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from survey.accounts.email_change import confirm_email_change
from survey.accounts.forms import (
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PasswordForm,
)
from survey.accounts.login import end_session, start_session
from survey.accounts.password_emails import link_lifetime, request_password_reset, signing_keys
from survey.accounts.password_links import (
    LinkKind,
    LinkState,
    read_password_token,
    set_password_through_link,
)
from survey.accounts.sessions import end_all_sessions
from survey.accounts.staff import StaffError, authenticate, change_password
from survey.accounts.throttle import AccountThrottle, ThrottleLimits
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db, limiter
from survey.security import home_endpoint, local_path_or

bp = Blueprint("accounts", __name__)


def _throttle() -> AccountThrottle:
    limits = ThrottleLimits.from_config(current_app.config)
    return AccountThrottle(limiter.limiter, limits, current_app.config.get("RATELIMIT_KEY_PREFIX"))


def _client_address() -> str:
    return request.remote_addr or "-"


def _too_many_attempts(template: str, form, seconds: int):
    """The form again, saying how long to wait; Retry-After says it to programs."""
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=False)
    page = render_template(template, form=form, wait=wait)
    return page, 429, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user.role)))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form), 422 if form.errors else 200
    throttle, address = _throttle(), _client_address()
    if wait := throttle.login_wait(form.email.data, address):
        return _too_many_attempts("accounts/login.html", form, wait)
    user = authenticate(form.email.data, form.password.data, utcnow(), request.remote_addr)
    db.session.commit()  # the attempt is on the audit trail either way
    if user is None:
        throttle.login_failed(form.email.data, address)  # only failures count
        form.password.errors.append(_("The email address or password is not correct."))
        return render_template("accounts/login.html", form=form), 401
    start_session(user)
    return redirect(local_path_or(request.args.get("next"), url_for(home_endpoint(user.role))))


@bp.post("/logout")
@login_required
def logout():
    now = utcnow()
    record(
        Action.LOGOUT,
        now,
        actor=current_user,
        subject=current_user,
        remote_addr=request.remote_addr,
    )
    end_all_sessions(current_user)  # a copy of the cookie, or another device, is out too
    db.session.commit()
    end_session()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("accounts.login"))


def _account_page(password_form=None, language_form=None, status=200):
    language_form = language_form or LanguageForm(locale=current_user.locale or str(get_locale()))
    return render_template(
        "accounts/account.html",
        password_form=password_form or PasswordForm(owner=current_user),
        language_form=language_form,
    ), status


@bp.get("/account")
@login_required
def account():
    """One's own page: the language of the screens and the password."""
    return _account_page()


@bp.post("/account/password")
@login_required
def change_own_password():
    form = PasswordForm(owner=current_user)
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data, utcnow())
        except StaffError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            # The other sessions ended; this one goes on, renewed.
            start_session(current_user._get_current_object())
            flash(
                _("Your password has been changed. You have been logged out everywhere else."),
                "info",
            )
            return redirect(url_for(".account"))
    return _account_page(password_form=form, status=422)


@bp.post("/account/language")
@login_required
def save_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _account_page(language_form=form, status=422)
    current_user.locale = form.locale.data
    session.pop("locale", None)  # the saved choice counts from now on
    db.session.commit()
    flash(_("Your language has been saved."), "info")
    return redirect(url_for(".account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer whether or not the address has an account, so nobody learns which do."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot_password.html", form=form), (
            422 if form.errors else 200
        )
    throttle, address = _throttle(), _client_address()
    if wait := throttle.reset_request_wait(address):
        return _too_many_attempts("accounts/forgot_password.html", form, wait)
    if throttle.reset_email_allowed(form.email.data):
        request_password_reset(form.email.data, utcnow(), request.remote_addr)
        db.session.commit()
    hours = int(link_lifetime(LinkKind.RESET).total_seconds() // 3600)
    flash(
        ngettext(
            "If %(email)s belongs to an account, an email with a link to choose a new password is "
            "on its way. The link works for %(num)s hour.",
            "If %(email)s belongs to an account, an email with a link to choose a new password is "
            "on its way. The link works for %(num)s hours.",
            hours,
            email=form.email.data.strip(),
        ),
        "info",
    )
    return redirect(url_for(".login"))


def _password_link_page(token: str, kind: LinkKind):
    """GET shows the form and changes nothing (mail scanners open links); POST sets it."""
    now = utcnow()
    state, user = read_password_token(token, kind, signing_keys(), link_lifetime(kind), now)
    if user is None:
        status = 404 if state is LinkState.INVALID else 410
        return render_template("accounts/password_link_unusable.html", state=state), status
    form = NewPasswordForm(owner=user)
    if form.validate_on_submit():
        try:
            set_password_through_link(user, kind, form.new.data, now, request.remote_addr)
        except StaffError as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            end_session()  # whoever was logged in in this browser: log in afresh
            flash(_("Your password has been saved. Log in with it now."), "info")
            return redirect(url_for(".login"))
    page = render_template("accounts/choose_password.html", form=form, user=user, kind=kind)
    return page, 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _password_link_page(token, LinkKind.RESET)


@bp.route("/password/choose/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    return _password_link_page(token, LinkKind.SETUP)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link emailed to a new address: GET asks (mail scanners open links), POST confirms."""
    now = utcnow()
    kind = LinkKind.EMAIL
    state, user = read_password_token(token, kind, signing_keys(), link_lifetime(kind), now)
    if user is None or user.pending_email is None:
        state = LinkState.USED if user is not None else state
        status = 404 if state is LinkState.INVALID else 410
        return render_template("accounts/confirm_email.html", state=state, user=None), status
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            confirm_email_change(user, now, request.remote_addr)
        except StaffError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your email address has been changed. Log in with it from now on."), "info")
            return redirect(url_for(".login"))
    return render_template("accounts/confirm_email.html", state=state, user=user, form=form)
