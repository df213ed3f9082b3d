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
import weakref
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Dialect, Engine, Select, bindparam, select
from sqlalchemy.orm import with_expression
from sqlalchemy.orm.attributes import set_committed_value

from survey.accounts.models import Organisation, User
from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState, OccasionKind, link_expired
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


def glance_at_link(token: str) -> LinkGlance | None:
    """What a genuine, current survey token's invitation shows on its page, in one statement
    without a transaction (nothing is written, nothing else is read); None where
    open_survey_link would find nothing."""
    named = _named_by(token)
    if named is None:
        return None
    engine = db.engine
    row = _glance_read(engine).one_row(engine, {"invitation_id": named[0]})
    if row is None:
        return None
    *columns, nonce = row
    return LinkGlance(*columns) if nonce_matches(nonce, named[1]) else None


# Per engine (an app has one), without keeping a disposed app's engine and pool alive.
_glance_reads: weakref.WeakKeyDictionary[Engine, DriverRead] = weakref.WeakKeyDictionary()


def _glance_read(engine: Engine) -> DriverRead:
    read = _glance_reads.get(engine)
    if read is None:
        read = _glance_reads[engine] = DriverRead(_glance_query(), engine.dialect)
    return read


class DriverRead:
    """A one-row read that SQLAlchemy compiles once (and says how to read each column of), run
    on a pooled connection by the driver itself.

    SQLAlchemy's execution around a statement (its result objects, its compiled-statement cache)
    costs several times what the driver does to run it; for the one read every respondent waits
    on, that was a third of the request. The pool still hands out and checks the connection,
    and the engine's cursor events still see the statement (tests count statements with them).
    """

    def __init__(self, statement: Select, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions = compiled.positiontup if compiled.positional else None
        self.readers = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        # A read alone needs no transaction: PostgreSQL would get a BEGIN and a ROLLBACK for it.
        self.autocommit = dialect.name == "postgresql"

    def one_row(self, engine: Engine, parameters: dict) -> tuple | None:
        values = parameters if self.positions is None else [parameters[p] for p in self.positions]
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            if self.autocommit:
                driver.autocommit = True
            try:
                cursor = driver.cursor()
                if engine.dispatch.before_cursor_execute:
                    engine.dispatch.before_cursor_execute(
                        connection, cursor, self.sql, values, None, False
                    )
                cursor.execute(self.sql, values)
                row = cursor.fetchone()
                cursor.close()
            finally:
                if self.autocommit:
                    driver.autocommit = False
        if row is None:
            return None
        return tuple(
            value if read is None else read(value)
            for value, read in zip(row, self.readers, strict=True)
        )
