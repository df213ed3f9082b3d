"""axe-core finds no WCAG 2.0/2.1 A or AA violations on the public and staff pages, in Dutch
and English."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from survey.invitations.models import InvitationState
from tests.browser.conftest import log_in_through_form

pytestmark = pytest.mark.browser

LOCALES = ["nl", "en"]
WCAG_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
axe = Axe()


def assert_no_violations(page, expected_locale: str) -> None:
    assert page.locator("html").get_attribute("lang") == expected_locale
    results = axe.run(page, options=WCAG_A_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_survey_page_is_accessible(page, survey_link, locale):
    page.goto(survey_link(locale=locale).path)
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_survey_page_with_errors_is_accessible(page, survey_link, locale):
    page.goto(survey_link(locale=locale).path)
    with page.expect_navigation():
        page.locator("#survey-form button[type=submit]:not([name])").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_thank_you_page_is_accessible(page, survey_link, locale):
    link = survey_link(InvitationState.ANSWERED, locale=locale).path
    response = page.goto(f"{link}/thanks?lang={locale}")
    assert response.status == 200 and page.locator(".link-state.thanks").count() == 1
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_already_answered_page_is_accessible(page, survey_link, locale):
    response = page.goto(f"{survey_link(InvitationState.ANSWERED).path}?lang={locale}")
    assert response.status == 200 and page.locator(".link-state.answered").count() == 1
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_expired_link_page_is_accessible(page, survey_link, locale):
    response = page.goto(f"{survey_link(InvitationState.EXPIRED).path}?lang={locale}")
    assert response.status == 410
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_unknown_link_page_is_accessible(page, locale):
    response = page.goto(f"/s/not-a-real-link?lang={locale}")
    assert response.status == 404
    assert_no_violations(page, locale)


def open_login(page, locale: str) -> None:
    page.goto(f"/language/{locale}?next=/login")
    assert page.url.endswith("/login")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_login_page_is_accessible(page, locale):
    open_login(page, locale)
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_login_page_with_errors_is_accessible(page, locale):
    open_login(page, locale)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_violations(page, locale)


@pytest.fixture
def logged_in_admin(app, page):
    """An administrator of an organisation with a few invitations, logged in through the form."""
    from survey.accounts.models import Role
    from survey.extensions import db
    from tests import factories

    with app.app_context():
        org = factories.organisation()
        admin = factories.user(org, Role.ADMIN, email="admin@axe.example")
        sent = factories.invitation(org, admin)
        factories.invitation(org, admin, state=InvitationState.ANSWERED)
        factories.outbound_email(sent)
        db.session.commit()
        admin_id = admin.id
    log_in_through_form(page, "admin@axe.example")
    return admin_id


@pytest.mark.parametrize("locale", LOCALES)
def test_the_staff_pages_are_accessible(page, logged_in_admin, locale):
    page.goto(f"/language/{locale}?next=/")
    invitation_link = page.locator("td a[href^='/invitations/']").first.get_attribute("href")
    page.goto("/outbox")
    email_link = page.locator("td a[href^='/outbox/']").first.get_attribute("href")
    for path in (
        "/",
        invitation_link,
        "/users/",
        "/users/new",
        f"/users/{logged_in_admin}",
        "/account",
        "/activity",
        "/contacts",
        "/contacts/new",
        "/contacts/import",
        "/settings",
        "/outbox",
        email_link,
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert_no_violations(page, locale)


@pytest.mark.parametrize("path", ["/users/new", "/contacts/new"])
def test_staff_forms_with_errors_are_accessible(page, logged_in_admin, path):
    page.goto(path)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_violations(page, "nl")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_unsubscribe_pages_are_accessible(app, page, locale):
    from survey.extensions import db
    from survey.responding.tokens import Purpose, make_token
    from tests import factories

    with app.app_context():
        invitation = factories.invitation(factories.organisation(), locale=locale)
        db.session.commit()
        token = make_token(invitation, Purpose.UNSUBSCRIBE, "test-secret")
    page.goto(f"/u/{token}")
    assert_no_violations(page, locale)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_no_violations(page, locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", ["/events/new", "/circles/actions/new"])
def test_the_event_and_improvement_action_forms_with_errors_are_accessible(
    page, logged_in_admin, path, locale
):
    page.goto(f"/language/{locale}?next={path}")
    assert_no_violations(page, locale)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    assert_no_violations(page, locale)


@pytest.fixture
def logged_in_operator(app, page):
    """The platform operator, logged in, with an organisation (and its administrator) that is a
    member of a circle; gives the organisation's and the circle's ids."""
    from survey.accounts.models import Role
    from survey.extensions import db
    from tests import factories
    from tests.circles.factories import circle

    with app.app_context():
        platform = factories.organisation("Spiegel platform", is_platform=True)
        factories.user(platform, Role.OPERATOR, email="operator@axe.example")
        member = factories.organisation("Gemeente Aastad", size_class="m", inhabitants=31_000)
        factories.user(member, Role.ADMIN)
        made = circle(member, name="Kring Noord")
        db.session.commit()
        ids = member.id, made.id
    log_in_through_form(page, "operator@axe.example")
    return ids


@pytest.mark.parametrize("locale", LOCALES)
def test_the_platform_pages_are_accessible(page, logged_in_operator, locale):
    organisation, circle = logged_in_operator
    page.goto(f"/language/{locale}?next=/platform/")
    for path in (
        "/platform/",
        f"/platform/organisations/{organisation}",
        "/platform/circles",
        f"/platform/circles/{circle}",
    ):
        assert page.goto(path).status == 200, path
        assert_no_violations(page, locale)
    for path in ("/platform/organisations/new", "/platform/circles/new"):
        assert page.goto(path).status == 200, path
        assert_no_violations(page, locale)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator(".error-summary").is_visible(), path
        assert_no_violations(page, locale)
