"""Login and logout of staff."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey.accounts.forms import LanguageForm, LoginForm, PasswordForm
from survey.accounts.staff import StaffError, authenticate, change_password
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db, limiter
from survey.security import local_path_or

bp = Blueprint("accounts", __name__)


def _submitted_email() -> str:
    return request.form.get("email", "").strip().lower() or "-"


def _login_failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful login costs nothing.
    return bool(g.get("login_failed"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_submitted_email,
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_login_failed,
    scope="login-address",
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("invitations.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data, utcnow(), request.remote_addr)
        db.session.commit()  # the attempt is on the audit trail either way
        if user is not None:
            login_user(user)
            return redirect(local_path_or(request.args.get("next"), url_for("invitations.home")))
        g.login_failed = True
        form.password.errors.append(_("The email address or password is not correct."))
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    record(
        Action.LOGOUT,
        utcnow(),
        actor=current_user,
        subject=current_user,
        remote_addr=request.remote_addr,
    )
    db.session.commit()
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("accounts.login"))


def _account_page(password_form=None, language_form=None, status=200):
    language_form = language_form or LanguageForm(locale=current_user.locale or str(get_locale()))
    return render_template(
        "accounts/account.html",
        password_form=password_form or PasswordForm(),
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
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data, form.new.data, utcnow())
        except StaffError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your password has been changed."), "info")
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
