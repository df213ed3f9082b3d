"""Opening a personal link: the invitation its token names, with everything its page shows, in
one query.

The survey page is the one page everyone waits for at once (a mailing goes out, a room of
participants answers), so a link costs one round trip to the database: the invitation, its
organisation, staff member, questionnaire version (with whether it is frozen, which decides
whether its built form may be reused) and questionnaire. The token check stays that read: a link
is only as valid as the database says now.
"""

from __future__ import annotations

import functools

from flask import current_app
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value

from survey.accounts.models import Organisation, User
from survey.extensions import db
from survey.invitations.models import Invitation
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.responding.tokens import Purpose, nonce_matches, token_payload


@functools.cache
def _page_query() -> Select:
    # Built once: the statement is the same for every link, only the id differs.
    return (
        select(Invitation, Organisation, QuestionnaireVersion, Questionnaire, User)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Invitation.questionnaire_version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .outerjoin(User, User.id == Invitation.staff_member_id)
        .where(Invitation.id == bindparam("invitation_id"))
        .options(
            with_expression(
                QuestionnaireVersion.answered_when_loaded, QuestionnaireVersion.answered()
            )
        )
    )


def invitation_with_page(invitation_id: int, *, read_only: bool = False) -> Invitation | None:
    """The invitation with its organisation, staff member, questionnaire version and
    questionnaire set as its relationships, as loaded: nothing to flush, no further queries.

    `read_only` when this is the request's first and only query (a link opened, not answered):
    one statement needs no transaction around it, which saves a BEGIN and a ROLLBACK."""
    if read_only and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    row = db.session.execute(_page_query(), {"invitation_id": invitation_id}).one_or_none()
    if row is None:
        return None
    invitation, organisation, version, questionnaire, staff_member = row
    set_committed_value(invitation, "organisation", organisation)
    set_committed_value(invitation, "questionnaire_version", version)
    set_committed_value(invitation, "staff_member", staff_member)
    set_committed_value(version, "questionnaire", questionnaire)
    return invitation


def open_survey_link(token: str, *, read_only: bool = False) -> Invitation | None:
    """The invitation a genuine, current survey token names, ready for its page; None for a
    forged, altered or outdated token, or one whose invitation is gone."""
    named = token_payload(
        token, Purpose.SURVEY, current_app.secret_key, current_app.config["SECRET_KEY_FALLBACKS"]
    )
    if named is None:
        return None
    invitation = invitation_with_page(named[0], read_only=read_only)
    if invitation is None or not nonce_matches(invitation, named[1]):
        return None
    return invitation
