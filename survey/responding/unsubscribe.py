"""The unsubscribe link: a confirmation page on GET, the opt-out on POST (RFC 8058 one-click)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from survey.clock import utcnow
from survey.extensions import csrf, db
from survey.invitations.models import Invitation
from survey.languages import supported, use_locale, use_timezone
from survey.responding.opting_out import has_opted_out, masked_address, opt_out
from survey.responding.tokens import Purpose, read_token

bp = Blueprint("unsubscribe", __name__)


def _open(token: str) -> Invitation | None:
    """The link's invitation, with this request in the recipient's language and zone."""
    invitation = read_token(
        token,
        Purpose.UNSUBSCRIBE,
        current_app.secret_key,
        current_app.config["SECRET_KEY_FALLBACKS"],
    )
    requested = request.form.get("lang") or request.args.get("lang")
    locale = supported(requested) or (invitation and supported(invitation.locale))
    use_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"])
    if invitation is not None:
        use_timezone(invitation.organisation.timezone)
    return invitation


@bp.route("/u/<token>", methods=["GET", "POST"])
# The signed link is the credential, and mail clients post the one-click opt-out (RFC 8058)
# with neither a cookie nor a form token.
@csrf.exempt
def page(token: str):
    invitation = _open(token)
    if invitation is None:
        return render_template("responding/unknown.html", invitation=None, token=token), 404
    if request.method == "POST":
        # Any POST opts out: the confirmation form and the one-click body
        # "List-Unsubscribe=One-Click" alike, whatever their content type.
        opt_out(invitation, utcnow())
        db.session.commit()
    elif not has_opted_out(invitation):
        # Opening is not answering: scanners open this link before the person does.
        return render_template(
            "responding/unsubscribe.html",
            invitation=invitation,
            token=token,
            address=masked_address(invitation.recipient_email),
        )
    return render_template("responding/unsubscribed.html", invitation=invitation)
