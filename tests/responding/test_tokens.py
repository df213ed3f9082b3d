"""Signed survey links: opaque, tamper-proof, per purpose, and surviving a key rotation."""

import base64
import json

from survey.responding.tokens import Purpose, make_token, read_token
from tests import factories


def _payload(token: str):
    encoded = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_a_genuine_token_names_its_invitation(ctx):
    invitation = factories.invitation(factories.organisation())
    token = make_token(invitation, Purpose.SURVEY, "key")
    assert read_token(token, Purpose.SURVEY, "key") is invitation


def test_the_token_holds_only_opaque_ids(ctx):
    invitation = factories.invitation(factories.organisation(), email="piet@bakkerij.example")
    token = make_token(invitation, Purpose.SURVEY, "key")
    assert _payload(token) == [invitation.id, invitation.nonce]
    assert "piet" not in token and "bakkerij" not in json.dumps(_payload(token))


def test_a_tampered_token_is_refused(ctx):
    invitation = factories.invitation(factories.organisation())
    token = make_token(invitation, Purpose.SURVEY, "key")
    other_id = (
        base64.urlsafe_b64encode(json.dumps([invitation.id + 1, invitation.nonce]).encode())
        .rstrip(b"=")
        .decode()
    )
    assert read_token(other_id + "." + token.split(".")[1], Purpose.SURVEY, "key") is None
    assert (
        read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), Purpose.SURVEY, "key")
        is None
    )
    assert read_token("not-a-token", Purpose.SURVEY, "key") is None


def test_a_token_for_another_purpose_is_refused(ctx):
    invitation = factories.invitation(factories.organisation())
    unsubscribe = make_token(invitation, Purpose.UNSUBSCRIBE, "key")
    assert read_token(unsubscribe, Purpose.SURVEY, "key") is None
    assert read_token(unsubscribe, Purpose.UNSUBSCRIBE, "key") is invitation


def test_old_links_keep_working_after_a_key_rotation(ctx):
    invitation = factories.invitation(factories.organisation())
    old = make_token(invitation, Purpose.SURVEY, "old-key")
    assert read_token(old, Purpose.SURVEY, "new-key", fallbacks=["old-key"]) is invitation
    assert read_token(old, Purpose.SURVEY, "new-key") is None
    # New links are signed with the new key.
    new = make_token(invitation, Purpose.SURVEY, "new-key")
    assert read_token(new, Purpose.SURVEY, "new-key", fallbacks=["old-key"]) is invitation


def test_a_token_whose_nonce_was_replaced_no_longer_works(ctx):
    invitation = factories.invitation(factories.organisation())
    token = make_token(invitation, Purpose.SURVEY, "key")
    invitation.nonce = "reissued-nonce"
    assert read_token(token, Purpose.SURVEY, "key") is None


def test_a_token_for_an_invitation_that_is_gone_is_refused(ctx):
    invitation = factories.invitation(factories.organisation())
    token = make_token(invitation, Purpose.SURVEY, "key")
    from survey.extensions import db

    db.session.delete(invitation)
    db.session.flush()
    assert read_token(token, Purpose.SURVEY, "key") is None
