"""What storing a response sends to the database: the records and one upsert per tally, no
savepoint; and what a refused second answer leaves behind: nothing."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from survey.analysis.models import TALLIES
from survey.analysis.recount import rebuild_tallies
from survey.clock import utcnow
from survey.extensions import db
from survey.questionnaires.cache import survey_form
from survey.responding.models import Answer, Response
from survey.responding.opening import invitation_with_page
from survey.responding.submission import AlreadyAnswered, submit_response
from tests import factories


@contextmanager
def _statements():
    """The first words of each statement sent inside the block (an executemany counts once)."""
    sent: list[str] = []

    def heard(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(re.sub(r'"', "", statement).split()[:3]))

    event.listen(db.engine, "before_cursor_execute", heard)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", heard)


def _given(version, answers: dict) -> dict:
    questions = {question.code: question for question in version.questions}
    return {questions[code]: value for code, value in answers.items()}


def _tallies() -> dict:
    return {
        tally.__name__: sorted(tuple(row) for row in db.session.execute(select(tally.__table__)))
        for tally in TALLIES
    }


def test_storing_a_response_sends_its_records_and_one_upsert_per_tally(org, manager):
    invitation_id = factories.invitation(org, manager).id
    db.session.commit()
    # As the survey page reads it: the invitation with its page, the version's form kept.
    invitation = invitation_with_page(invitation_id)
    survey_form(invitation.questionnaire_version, "nl")
    given = _given(invitation.questionnaire_version, factories.rated_answers(8))
    with _statements() as sent:
        submit_response(invitation, given, "nl", utcnow())
    # SQLite may insert the answers one by one; every other statement goes once.
    assert [head for head in sent if head != "INSERT INTO answer"] == [
        "UPDATE invitation SET",
        "INSERT INTO response",
        "INSERT INTO response_tally",
        "INSERT INTO rating_tally",
        "INSERT INTO driver_tally",
        "INSERT INTO invitation_tally",
    ]
    assert sent.index("INSERT INTO answer") == 2


def test_an_answer_refused_as_given_already_leaves_nothing_after_the_rollback(org, manager):
    """Another tab stored its response after this request read the invitation: the unique
    constraint refuses ours, and the caller's rollback leaves the records and tallies as the
    other tab left them."""
    invitation = factories.invitation(org, manager)
    version = invitation.questionnaire_version
    first = factories.invitation(org, manager)
    submit_response(first, _given(version, factories.rated_answers(9)), "nl", utcnow())
    factories.response_from_another_tab(invitation)
    db.session.commit()
    before = _tallies()
    with pytest.raises(AlreadyAnswered):
        submit_response(invitation, _given(version, factories.rated_answers(6)), "nl", utcnow())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 8
    assert _tallies() == before
    rebuild_tallies(db.session)
    assert _tallies() == before
