"""Every staff page reflows (WCAG 1.4.10): no sideways scrolling at 320 px, the menu within
reach, and at 1280 px the data pages use the width while dates in tables stay on one line.

The pages come from the app's URL map: every GET route without a path argument, and the routes
with one through PAGE_ARGUMENTS, so a new page is visited too (or this test says it is missing).
The data is the worst seen: a 10,000-character unbroken company name and long email addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from survey.accounts.models import Role
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import InvitationState
from tests import factories
from tests.browser.conftest import log_in_through_form
from tests.devmail.emails import deliver, survey_email

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 320, 1280
LONG_NAME = "Bakkerij" + "X" * 9_992  # one word of 10,000 characters
LONG_EMAIL = "eva.de.vries.van.der.bakkerij.aan.de.lange.kade.te.ergens@" + "sub." * 8 + "example"
ADMIN_EMAIL = "beheerder.met.een.heel.lang.adres@gemeente-met-een-lange-naam.example"
MANAGER_EMAIL = "accountmanager.met.een.lang.adres@gemeente-met-een-lange-naam.example"

# Not staff pages: files, redirects, the respondents' and the logged-out pages (tested elsewhere).
NOT_STAFF_PAGES = {
    "static",
    "plotly_asset.plotly_js",
    "dashboards.export",
    "languages.switch",
    "mailbox.html",
    "accounts.login",
    "accounts.forgot_password",
    "accounts.choose_password",
    "accounts.reset_password",
    "responding.survey",
    "responding.thanks",
    "unsubscribe.page",
}


@dataclass
class Site:
    """The records whose pages have an id in their path."""

    invitations: list[int]  # answered (with its answers), planned, not invited
    email: int
    user: int
    mail_key: str


# Every staff page with a path argument: the values to visit it with.
PAGE_ARGUMENTS = {
    "invitations.detail": lambda site: [{"invitation_id": i} for i in site.invitations],
    "responding.preview": lambda site: [{"invitation_id": site.invitations[0]}],
    "outbox.detail": lambda site: [{"email_id": site.email}],
    "users.edit": lambda site: [{"user_id": site.user}],
    "mailbox.message": lambda site: [{"key": site.mail_key}],
}
# Query strings that show another face of a page.
PAGE_VARIANTS = {
    "dashboards.index": ["questionnaire=workshop-evaluation", "first=2026-13"],
    "contacts.index": [f"q={'X' * 200}"],
    "invitations.home": ["state=scheduled"],
}


def _lengthen(invitation, company_name: str = LONG_NAME) -> None:
    invitation.contact.company_name = company_name
    invitation.contact.person_name = "Eva " + "de Vries-" * 12 + "Bakker"
    email = f"{invitation.id}.{LONG_EMAIL}"
    invitation.contact.email = invitation.recipient_email = email
    invitation.contact.subject = "Vergunning" * 30


def _seed(app, smtp_server) -> Site:
    """An organisation with a long name, answers with long text, and every kind of record."""
    with app.app_context():
        org = factories.organisation("Gemeente " + "Langedorpsgemeentehuis" * 4)
        factories.user(org, Role.ADMIN, email=ADMIN_EMAIL, name="Beheerder " + "Lang" * 20)
        manager = factories.user(org, email=MANAGER_EMAIL, name="Accountmanager " + "Lang" * 20)
        for overall in (9, 8, 7, 6, 5, 8):
            improve = "Sneller" + "terugbellen" * 60
            made = factories.response(
                org, manager, {**factories.rated_answers(overall), "improve": improve}
            )
            _lengthen(made.invitation)
        answered = made.invitation
        planned = factories.invitation(org, manager, state=InvitationState.SCHEDULED)
        failed = factories.invitation(org, manager, state=InvitationState.FAILED)
        for invitation in (planned, failed):
            _lengthen(invitation)
        factories.contact(org, manager, email=LONG_EMAIL).company_name = LONG_NAME
        email = factories.outbound_email(answered, now=utcnow() - timedelta(days=2))
        email.last_error = "550 " + "mailbox-unavailable" * 20
        db.session.commit()
        site = Site([answered.id, planned.id, failed.id], email.id, manager.id, "")
    deliver(smtp_server, survey_email(subject="Hoe was uw contact? " + "Lang" * 100))
    site.mail_key = next(smtp_server.mail_dir.glob("*/*")).name
    return site


@pytest.fixture
def site(app, monkeypatch, smtp_server) -> Site:
    monkeypatch.setitem(app.config, "ENV_NAME", "development")  # the Mailbox exists only there
    monkeypatch.setitem(app.config, "DEV_MAILBOX_DIR", str(smtp_server.mail_dir))
    return _seed(app, smtp_server)


def staff_pages(app, site: Site) -> list[str]:
    """Every staff page's path: the GET routes, with their ids and their other faces."""
    paths, unlisted = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_STAFF_PAGES:
                continue
            if rule.arguments and rule.endpoint not in PAGE_ARGUMENTS:
                unlisted.append(rule.rule)
                continue
            arguments = PAGE_ARGUMENTS[rule.endpoint](site) if rule.arguments else [{}]
            paths += [url_for(rule.endpoint, **values) for values in arguments]
            base = url_for(rule.endpoint) if not rule.arguments else None
            paths += [f"{base}?{query}" for query in PAGE_VARIANTS.get(rule.endpoint, [])]
    assert not unlisted, f"add values for these staff pages to PAGE_ARGUMENTS: {unlisted}"
    return paths


# The page's width beyond the window, and what sticks out (for the failure message).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const extra = document.documentElement.scrollWidth - width;
  const out = e => e.getBoundingClientRect().right > width + 1;
  const name = e => [e.tagName.toLowerCase(), ...e.classList].join('.');
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => out(e) && !out(e.parentElement)).slice(0, 3).map(name);
  return extra > 0 ? `${extra} px too wide (${culprits.join(', ')})` : '';
}"""


def sideways_scrolling(page, paths: list[str]) -> list[str]:
    """The pages among `paths` that scroll sideways at a phone's or a desktop's width."""
    found = []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(path)
            if response.status in (403, 404):  # not this person's page
                continue
            too_wide = page.evaluate(OVERFLOW)
            if too_wide:
                found.append(f"{width} px {path}: {too_wide}")
    return found


def test_no_staff_page_scrolls_sideways_on_a_phone_or_a_desktop(app, page, site):
    paths = staff_pages(app, site)
    log_in_through_form(page, ADMIN_EMAIL)
    failures = sideways_scrolling(page, paths)
    assert not failures, "\n".join(failures)
