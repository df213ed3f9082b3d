"""Administrators manage the staff of their own organisation: add, change, change an email
address (confirmed by its owner), and remove someone who left."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.email_change import request_email_change
from survey.accounts.forms import EditUserForm, EmailChangeForm, NewUserForm
from survey.accounts.models import Role, User
from survey.accounts.password_emails import link_lifetime, send_password_link
from survey.accounts.password_links import LinkKind
from survey.accounts.staff import StaffError, create_user, remove_user, update_user
from survey.clock import utcnow
from survey.extensions import db
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    users = db.session.scalars(
        scoped(select(User), User)
        .where(User.removed_at.is_(None))
        .order_by(User.active.desc(), User.name)
    )
    return render_template("accounts/users.html", users=list(users))


def _staff_member_or_404(user_id: int) -> User:
    """A user of one's own organisation who has not been removed."""
    user = get_scoped_or_404(User, user_id)
    if user.removed_at is not None:
        abort(404)
    return user


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = create_user(
                current_user.organisation,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=None if form.sends_link else form.password.data,
                now=now,
                actor=current_user,
            )
        except StaffError as error:
            form.email.errors.append(str(error))
        else:
            if form.sends_link:
                send_password_link(user, LinkKind.SETUP, now, actor=current_user)
            db.session.commit()
            flash(_added_message(user, form.sends_link), "info")
            return redirect(url_for(".index"))
    return render_template("accounts/user_form.html", form=form, user=None), (
        422 if form.errors else 200
    )


def _added_message(user: User, link_sent: bool) -> str:
    if not link_sent:
        return _(
            "%(name)s can log in now. Give them their initial password in person or by "
            "phone; they can change it under My account.",
            name=user.name,
        )
    return _link_sent_message(user)


def _link_sent_message(user: User) -> str:
    return ngettext(
        "An email with a link to choose a password is on its way to %(email)s. "
        "The link works for %(num)s hour.",
        "An email with a link to choose a password is on its way to %(email)s. "
        "The link works for %(num)s hours.",
        int(link_lifetime(LinkKind.SETUP).total_seconds() // 3600),
        email=user.email,
    )


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int):
    user = _staff_member_or_404(user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                name=form.name.data,
                role=Role(form.role.data),
                active=form.active.data,
                actor=current_user,
                now=utcnow(),
            )
        except StaffError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The changes to %(name)s have been saved.", name=user.name), "info")
            return redirect(url_for(".index"))
    return _edit_page(user, form)


def _edit_page(user: User, form=None, email_form=None):
    email_form = email_form or EmailChangeForm(prefix="change")
    page = render_template(
        "accounts/user_form.html",
        form=form or EditUserForm(obj=user),
        user=user,
        email_form=email_form,
    )
    return page, 422 if (form and form.errors) or email_form.errors else 200


@bp.post("/<int:user_id>/email")
@roles_required(Role.ADMIN)
def change_email(user_id: int):
    """The new address gets a link; the change happens when its owner confirms."""
    user = _staff_member_or_404(user_id)
    form = EmailChangeForm(prefix="change")
    if form.validate_on_submit():
        try:
            address = request_email_change(user, form.email.data, actor=current_user, now=utcnow())
        except StaffError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "An email with a link to confirm is on its way to %(email)s. The address "
                    "of %(name)s changes when they open it and confirm.",
                    email=address,
                    name=user.name,
                ),
                "info",
            )
            return redirect(url_for(".edit", user_id=user.id))
    return _edit_page(user, email_form=form)


@bp.post("/<int:user_id>/remove")
@roles_required(Role.ADMIN)
def remove(user_id: int):
    """Someone who left: their login goes, their figures stay under "former staff member"."""
    user = _staff_member_or_404(user_id)
    name = user.name
    try:
        remove_user(user, actor=current_user, now=utcnow())
    except StaffError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".edit", user_id=user.id))
    db.session.commit()
    flash(
        _(
            "%(name)s has been removed: they can no longer log in, and their figures are "
            "shown as those of a former staff member.",
            name=name,
        ),
        "info",
    )
    return redirect(url_for(".index"))


@bp.post("/<int:user_id>/password-link")
@roles_required(Role.ADMIN)
def send_password_link_to(user_id: int):
    """A link to choose a password, instead of an administrator choosing one for them."""
    user = _staff_member_or_404(user_id)
    if not user.active:
        flash(_("%(name)s is blocked; make them active first.", name=user.name), "error")
        return redirect(url_for(".edit", user_id=user.id))
    send_password_link(user, LinkKind.SETUP, utcnow(), actor=current_user)
    db.session.commit()
    flash(_link_sent_message(user), "info")
    return redirect(url_for(".edit", user_id=user.id))
