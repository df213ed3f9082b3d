"""Opening a personal link: the invitation its token names, with everything its page shows, in
one query.

The survey page is the one page everyone waits for at once (a mailing goes out, a room of
participants answers), so a link costs one round trip to the database: the invitation, its
organisation, staff member, questionnaire version (with whether it is frozen, which decides
whether its built form may be reused) and questionnaire. The token check stays that read: a link
is only as valid as the database says now.

An open link whose page was drawn before needs less: `glance_at_link` reads the few plain columns
its page is filled from, without the ORM and without a transaction (see page_frames.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Connection, Select, bindparam, select
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value

from survey.accounts.models import Organisation, User
from survey.driver import batched, driver_statement
from survey.extensions import db
from survey.invitations.dimensions import Channel
from survey.invitations.models import Invitation, InvitationState, OccasionKind, link_expired
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.responding.submission import Answering
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


def _named_by(token: str) -> tuple[int, str] | None:
    """The invitation id and nonce a genuine survey token names, under any current key."""
    return token_payload(
        token, Purpose.SURVEY, current_app.secret_key, current_app.config["SECRET_KEY_FALLBACKS"]
    )


def open_survey_link(token: str, *, read_only: bool = False) -> Invitation | None:
    """The invitation a genuine, current survey token names, ready for its page; None for a
    forged, altered or outdated token, or one whose invitation is gone."""
    named = _named_by(token)
    if named is None:
        return None
    invitation = invitation_with_page(named[0], read_only=read_only)
    if invitation is None or not nonce_matches(invitation.nonce, named[1]):
        return None
    return invitation


@dataclass(frozen=True, slots=True)
class LinkGlance:
    """What an open link's page is filled from, read as plain columns (see glance_at_link)."""

    invitation_id: int
    state: InvitationState
    expires_at: datetime | None
    locale: str
    occasion_kind: OccasionKind
    occasion_on: date | None
    event_id: int | None
    staff_member_id: int | None
    channel: Channel | None
    staff_stored_name: str | None
    staff_removed_at: datetime | None
    # What the page's frame depends on (page_frames.FrameKey):
    version_id: int
    version_created_at: datetime
    version_frozen: bool
    questionnaire_title: dict[str, str]  # per language
    organisation_id: int
    organisation_name: str
    organisation_slug: str
    timezone: str
    privacy_url: str | None
    min_group_size: int
    account_managers_see_answers: bool

    def is_expired_at(self, now: datetime) -> bool:
        return link_expired(self.state, self.expires_at, now)

    @classmethod
    def of_invitation(cls, invitation: Invitation) -> LinkGlance:
        """The same glance from an invitation loaded with its page (invitation_with_page)."""
        version, organisation = invitation.questionnaire_version, invitation.organisation
        staff = invitation.staff_member
        return cls(
            invitation.id,
            invitation.state,
            invitation.expires_at,
            invitation.locale,
            invitation.occasion_kind,
            invitation.occasion_on,
            invitation.event_id,
            invitation.staff_member_id,
            invitation.channel,
            staff.stored_name if staff else None,
            staff.removed_at if staff else None,
            version.id,
            version.created_at,
            version.is_frozen(),
            version.questionnaire.title,
            organisation.id,
            organisation.name,
            organisation.slug,
            organisation.timezone,
            organisation.privacy_url,
            organisation.min_group_size,
            organisation.account_managers_see_answers,
        )

    def answering(self) -> Answering:
        """What a response to this link copies from its invitation."""
        return Answering(
            self.invitation_id,
            self.organisation_id,
            self.version_id,
            self.occasion_kind,
            self.event_id,
            self.staff_member_id,
            self.channel,
            self.timezone,
        )

    @property
    def staff_name(self) -> str | None:
        """As every page shows it (in this request's language): a removed one's is not."""
        if self.staff_stored_name is None:
            return None
        return User.shown_name(self.staff_stored_name, self.staff_removed_at)


@functools.cache
def _glance_query() -> Select:
    version = QuestionnaireVersion
    return (
        select(
            Invitation.id,
            Invitation.state,
            Invitation.expires_at,
            Invitation.locale,
            Invitation.occasion_kind,
            Invitation.occasion_on,
            Invitation.event_id,
            Invitation.staff_member_id,
            Invitation.channel,
            User.stored_name,
            User.removed_at,
            version.id,
            version.created_at,
            version.answered(),
            Questionnaire.title,
            Organisation.id,
            Organisation.name,
            Organisation.slug,
            Organisation.timezone,
            Organisation.privacy_url,
            Organisation.min_group_size,
            Organisation.account_managers_see_answers,
            Invitation.nonce,
        )
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .join(version, version.id == Invitation.questionnaire_version_id)
        .join(Questionnaire, Questionnaire.id == version.questionnaire_id)
        .outerjoin(User, User.id == Invitation.staff_member_id)
        .where(Invitation.id == bindparam("invitation_id"))
    )


def glance_at_link(token: str, connection: Connection | None = None) -> LinkGlance | None:
    """What a genuine, current survey token's invitation shows on its page, in one statement;
    None where open_survey_link would find nothing.

    Read in `connection`'s transaction when one is given (the answers' POST reads and writes on
    one pooled connection), else alone, without a transaction (nothing is written, nothing else
    is read)."""
    named = _named_by(token)
    if named is None:
        return None
    engine = db.engine
    read = driver_statement(engine.dialect, _glance_query)
    wanted = {"invitation_id": named[0]}
    if connection is None:
        row = read.one_row_alone(engine, wanted)
    else:
        with batched(connection):  # with the transaction's BEGIN: one round trip
            row = next(iter(read.rows(connection, wanted)), None)
    if row is None:
        return None
    *columns, nonce = row
    return LinkGlance(*columns) if nonce_matches(nonce, named[1]) else None
