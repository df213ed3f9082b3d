"""No staff page holds a respondent's live survey or unsubscribe link: whoever holds the link can
answer in the respondent's place, and an account manager must not rate herself (issue 9).

Each role walks every page it can reach from its menus and the links on them, with data that
has open invitations, queued and sent emails, responses and an activity log. The development
Mailbox (/dev/mailbox) is left out on purpose: it stands in for the recipients' inboxes, exists
in development only, and shows the emails as the recipients get them, links and all.
"""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from survey.accounts.models import Role
from survey.audit.models import Action
from survey.audit.trail import record
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.invitations.sending import resend_invitation
from survey.outbox.models import EmailPurpose, EmailStatus, OutboundEmail
from survey.responding.tokens import Purpose, make_token, read_token
from tests import factories

PAGES_PER_PATH = 3  # a path with query variants (filters, pages): a few of them are enough
MOST_PAGES = 400
NOT_WALKED = ("/static/", "/dev/mailbox", "/language/", "/logout")
PERSONAL_LINK = re.compile(r"/(?:s|u)/([A-Za-z0-9_\-.]+)")

# The pages each role must have reached, so that the walk cannot pass by seeing too little.
MUST_REACH = {
    "sanne@a.example": {
        "invitations.home",
        "invitations.detail",
        "responding.preview",
        "contacts.index",
        "dashboards.index",
        "accounts.account",
    },
    "coord@a.example": {"invitations.detail", "responding.preview", "dashboards.managers"},
    "admin@a.example": {
        "invitations.detail",
        "outbox.index",
        "outbox.detail",
        "users.index",
        "settings.page",
        "audit.activity",
    },
}


@pytest.fixture
def live_invitations(app):
    """An organisation whose invitations are in every state, with their emails and responses."""
    with app.app_context():
        org = factories.organisation("Gemeente Aastad")
        sanne = factories.user(org, email="sanne@a.example", name="Sanne Aa")
        admin = factories.user(org, Role.ADMIN, email="admin@a.example")
        factories.user(org, Role.COORDINATOR, email="coord@a.example")
        for state in InvitationState:
            for _ in range(2):
                invitation = factories.invitation(org, sanne, state=state)
                factories.outbound_email(invitation)
        open_one = factories.invitation(org, sanne, state=InvitationState.REMINDED)
        factories.outbound_email(open_one, EmailPurpose.REMINDER).status = EmailStatus.FAILED
        for grade in (6, 7, 8, 9, 10):
            factories.response(org, sanne, factories.rated_answers(grade))
        record(Action.EMAIL_RETRIED, utcnow(), actor=admin, subject=open_one)
        resend_invitation(open_one, utcnow())
        record(Action.INVITATION_RESENT, utcnow(), actor=sanne, subject=open_one)
        db.session.commit()
        tokens = set()
        for invitation in db.session.scalars(select(Invitation)):
            tokens |= {make_token(invitation, purpose, app.secret_key) for purpose in Purpose}
        return tokens


def walk(app, client, start: str = "/") -> dict[str, bytes]:
    """Every page reachable from `start` by following links: {url: body}."""
    pages: dict[str, bytes] = {}
    per_path: Counter[str] = Counter()
    waiting = deque([start])
    while waiting and len(pages) < MOST_PAGES:
        url = waiting.popleft()
        path = urlsplit(url).path
        if url in pages or path.startswith(NOT_WALKED) or per_path[path] >= PAGES_PER_PATH:
            continue
        if PERSONAL_LINK.match(path):  # a link to a survey is found on the page, not followed
            continue
        per_path[path] += 1
        response = client.get(url)
        pages[url] = response.data
        if response.mimetype == "text/html":
            for href in re.findall(r'href="([^"#]+)', response.text):
                target = urlsplit(urljoin(f"http://localhost{url}", html.unescape(href)))
                if target.netloc == "localhost":
                    waiting.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


def endpoint_of(app, url: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path)[0]
    except HTTPException:
        return None


def genuine(app, candidate: str) -> bool:
    with app.app_context():
        return any(
            read_token(candidate, purpose, app.secret_key, app.config["SECRET_KEY_FALLBACKS"])
            for purpose in Purpose
        )


@pytest.mark.parametrize("viewer", MUST_REACH.keys())
def test_no_staff_page_holds_a_live_survey_or_unsubscribe_link(
    app, client, log_in, live_invitations, viewer
):
    log_in(viewer)
    pages = walk(app, client)

    reached = {endpoint_of(app, url) for url in pages}
    assert MUST_REACH[viewer] <= reached, MUST_REACH[viewer] - reached
    for url, body in pages.items():
        text = body.decode("utf-8", "replace")
        leaked = [token for token in live_invitations if token in text]
        assert not leaked, f"{url} shows a personal link's token"
        found = [token for token in PERSONAL_LINK.findall(text) if genuine(app, token)]
        assert not found, f"{url} links to a live survey or unsubscribe page"


def test_the_outbox_still_shows_where_the_links_go(app, client, log_in, live_invitations):
    """The admin sees that the email has a survey and an unsubscribe link, without their keys."""
    log_in("admin@a.example")
    with app.app_context():
        email_id = db.session.scalar(select(func.min(OutboundEmail.id)))
    page = client.get(f"/outbox/{email_id}").text
    assert "http://localhost/s/…" in page and "http://localhost/u/…" in page
