"""Administrators manage the staff of their own organisation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.accounts.forms import EditUserForm, NewUserForm
from survey.accounts.models import Role, User
from survey.accounts.staff import StaffError, create_user, update_user
from survey.clock import utcnow
from survey.extensions import db
from survey.security import get_scoped_or_404, roles_required, scoped

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    users = db.session.scalars(scoped(select(User), User).order_by(User.active.desc(), User.name))
    return render_template("accounts/users.html", users=list(users))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user.organisation,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                now=utcnow(),
                actor=current_user,
            )
        except StaffError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s can log in now. Give them their initial password in person or by "
                    "phone; they can change it under My account.",
                    name=user.name,
                ),
                "info",
            )
            return redirect(url_for(".index"))
    return render_template("accounts/user_form.html", form=form, user=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int):
    user = get_scoped_or_404(User, user_id)
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
    return render_template("accounts/user_form.html", form=form, user=user), (
        422 if form.errors else 200
    )
