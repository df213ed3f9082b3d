"""An administrator lifts an opt-out when the entrepreneur asks to be invited again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.audit.models import Action, AuditEvent
from survey.clock import utcnow
from survey.extensions import db
from survey.outbox.models import Suppression, SuppressionKind
from survey.outbox.suppressions import NotLiftable, lift_opt_out, suppress_address
from survey.responding.opting_out import has_opted_out, opt_out
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def opted_out(app):
    """Org A: an entrepreneur who opted out, and a bounced address; org B: one opted out."""
    with app.app_context():
        org, other = factories.organisation(), factories.organisation()
        factories.user(org, Role.ADMIN, email="admin@a.example")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        invitation = factories.invitation(org, email="bakker@bedrijf.example")
        suppression = opt_out(invitation, utcnow())
        bounce = suppress_address(org.id, "weg@bedrijf.example", SuppressionKind.BOUNCED, utcnow())
        elsewhere = opt_out(factories.invitation(other, email="ander@b.example"), utcnow())
        db.session.commit()
        return {
            "invitation": invitation.id,
            "suppression": suppression.id,
            "bounce": bounce.id,
            "elsewhere": elsewhere.id,
        }


def _text(page) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


def _lift(client, suppression_id: int, reason: str):
    url = f"/outbox/suppressions/{suppression_id}"
    form = client.get(url)
    return client.post(url, data={"reason": reason, "csrf_token": csrf_token_in(form.text)})


def test_an_admin_lifts_an_opt_out_with_a_reason_on_the_activity_log(
    app, client, log_in, opted_out
):
    """Seen: an administrator could not lift an opt-out at the entrepreneur's request."""
    log_in("admin@a.example")
    listing = _text(client.get("/outbox/suppressions"))
    assert "bakker@bedrijf.example" in listing and "weg@bedrijf.example" in listing
    assert "ander@b.example" not in listing  # another organisation's

    lifted = _lift(client, opted_out["suppression"], "Belde 1 december: wil weer uitnodigingen")

    assert lifted.status_code == 302
    with app.app_context():
        assert db.session.get(Suppression, opted_out["suppression"]) is None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == Action.OPT_OUT_LIFTED)
        )
        assert event.detail == {
            "email": "bakker@bedrijf.example",
            "reason": "Belde 1 december: wil weer uitnodigingen",
        }
    entry = _text(client.get("/activity", query_string={"kind": "opt_out_lifted"}))
    assert "reden: Belde 1 december: wil weer uitnodigingen" in entry
    assert "adres: bakker@bedrijf.example" in entry


def test_after_lifting_the_address_is_invited_again(ctx, opted_out):
    suppression = db.session.get(Suppression, opted_out["suppression"])
    organisation_id = suppression.organisation_id
    admin = db.session.scalar(
        select(User).where(User.organisation_id == organisation_id, User.role == Role.ADMIN)
    )
    lift_opt_out(suppression, "Op verzoek", actor=admin, now=utcnow())
    db.session.flush()
    again = factories.invitation(admin.organisation, email="Bakker@Bedrijf.example")
    assert not has_opted_out(again)


def test_a_reason_is_required_and_the_opt_out_stays_without_one(app, client, log_in, opted_out):
    log_in("admin@a.example")
    empty = _lift(client, opted_out["suppression"], "   ")
    assert empty.status_code == 422 and "Zeg waarom" in _text(empty)
    with app.app_context():
        assert db.session.get(Suppression, opted_out["suppression"]) is not None


def test_a_bounce_or_another_organisations_opt_out_is_not_lifted_here(
    app, client, log_in, opted_out
):
    log_in("admin@a.example")
    assert _lift(client, opted_out["bounce"], "Werkt weer").status_code == 422
    assert client.get(f"/outbox/suppressions/{opted_out['elsewhere']}").status_code == 404
    with app.app_context():
        bounce = db.session.get(Suppression, opted_out["bounce"])
        with pytest.raises(NotLiftable):
            lift_opt_out(bounce, "Werkt weer", actor=None, now=utcnow())
        assert db.session.get(Suppression, opted_out["elsewhere"]) is not None


def test_only_administrators_lift_opt_outs(client, log_in, opted_out):
    log_in("coord@a.example")
    assert client.get("/outbox/suppressions").status_code == 403
    assert client.get(f"/outbox/suppressions/{opted_out['suppression']}").status_code == 403
