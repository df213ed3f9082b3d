"""The organisation's settings page (admins): invitation rules and reporting threshold."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.models import Role
from survey.accounts.organisation_settings import (
    InvalidSettings,
    settings_errors,
    update_settings,
)
from survey.accounts.settings_forms import SettingsForm
from survey.clock import utcnow
from survey.extensions import db
from survey.security import roles_required

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def page():
    organisation = current_user.organisation
    form = SettingsForm(obj=organisation)
    if form.validate_on_submit():
        try:
            changes = update_settings(
                organisation, current_user, utcnow(), request.remote_addr, **form.values()
            )
        except InvalidSettings as invalid:
            form.add_errors(invalid.errors)
        else:
            db.session.commit()
            flash(
                _("The settings have been saved.") if changes else _("Nothing was changed."),
                "info",
            )
            return redirect(url_for(".page"))
    elif form.errors:
        # Name the values out of range as well as the unreadable ones, all in one go.
        form.add_errors(settings_errors(organisation, **form.values()))
    return render_template("accounts/settings.html", form=form, organisation=organisation), (
        422 if form.errors else 200
    )
