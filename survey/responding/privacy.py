"""Who sees a respondent's answers, decided once: the staff pages hide answers by this rule, and
the survey page, the email and the privacy statement tell the respondent the same."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _

from survey.accounts.models import Organisation, User


def sees_individual_answers(user: User) -> bool:
    """Coordinators and administrators see each response; an account manager sees those of
    their own contacts only when the organisation chose so (otherwise totals and remarks
    without names)."""
    return user.role.sees_whole_organisation or user.organisation.account_managers_see_answers


def answers_audience(organisation: Organisation) -> str:
    """The sentence telling a respondent who will see their answers, in the current language."""
    if organisation.account_managers_see_answers:
        return _(
            "Your answers are seen with your name by your account manager and by the "
            "coordinators and administrators of %(name)s. Reports only show totals of at least "
            "%(number)s responses.",
            name=organisation.name,
            number=organisation.min_group_size,
        )
    return _(
        "Your answers are seen with your name only by the coordinators and administrators of "
        "%(name)s. Your account manager sees only totals of at least %(number)s responses, and "
        "remarks without your name, your company or the day you answered.",
        name=organisation.name,
        number=organisation.min_group_size,
    )


def privacy_statement_url(organisation: Organisation | None, locale: str | None = None) -> str:
    """The organisation's own privacy statement when it has one, otherwise the built-in page
    (absolute, for emails too); without an organisation, the general built-in page."""
    if organisation is not None and organisation.privacy_url:
        return organisation.privacy_url
    build = current_app.url_map.bind("").build
    if organisation is None:
        path = build("privacy.general", {})
    else:
        path = build("privacy.statement", {"slug": organisation.slug})
    query = f"?{urlencode({'lang': locale})}" if locale else ""
    return current_app.config["BASE_URL"] + path + query
