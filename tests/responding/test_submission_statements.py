"""What storing a response sends to the database: the records and one upsert per tally, each
once, no savepoint; what it stores: the same as the records' recount; and what a refused second
answer leaves behind: nothing."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from survey.analysis.models import TALLIES
from survey.analysis.recount import rebuild_tallies
from survey.clock import utcnow
from survey.extensions import db
from survey.invitations.models import InvitationState
from survey.questionnaires.cache import built_version
from survey.responding.models import Answer, Response
from survey.responding.opening import invitation_with_page
from survey.responding.submission import (
    AlreadyAnswered,
    Answering,
    store_response,
    submit_response,
)
from tests import factories

# What storing a rated answer sends, after the link's read: each statement once.
WRITES_OF_AN_ANSWER = [
    "UPDATE invitation SET",
    "INSERT INTO response",
    "INSERT INTO answer",
    "INSERT INTO response_tally",
    "INSERT INTO rating_tally",
    "INSERT INTO driver_tally",
    "INSERT INTO invitation_tally",
]


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
    # As the survey page has it: the link's glance, the version's form kept.
    invitation = invitation_with_page(invitation_id)
    built = built_version(invitation.questionnaire_version)
    given = _given(invitation.questionnaire_version, factories.rated_answers(8))
    answering = Answering.of_invitation(invitation)
    connection = db.session.connection()
    with _statements() as sent:
        store_response(connection, answering, given, built.overall_question_id, "nl", utcnow())
    assert sent == WRITES_OF_AN_ANSWER


WORKSHOP_ANSWER = {
    "relevance": 4,
    "usefulness": 5,
    "overall": 9,
    "heard_via": "newsletter",
    "next_topics": ["financing", "digital"],
    "remarks": "Meer tijd voor vragen.",
}


def test_stored_responses_and_their_tallies_equal_what_the_records_recount_to(org, manager):
    """Rated answers with and without the overall question, an option, several options and
    text: what is stored is what was given, the invitation says answered, and the tallies
    counted on the way are the ones a recount from the records makes."""
    contact, workshop = factories.contact_version(), factories.workshop_version()
    answers = [
        (contact, factories.rated_answers(8)),
        (contact, {**factories.rated_answers(3, 2), "improve": "Sneller terugbellen."}),
        (contact, {"speed": 2, "clarity": 5}),  # no overall answer: no driver pairs
        (workshop, WORKSHOP_ANSWER),
        (workshop, {**WORKSHOP_ANSWER, "next_topics": ["staff"], "overall": 4}),
    ]
    for version, given in answers:
        made = factories.invitation(org, manager, version=version)
        stored = submit_response(made, _given(version, given), "nl", utcnow())
        assert made.state is InvitationState.ANSWERED and made.answered_at is not None
        assert _as_given(stored) == given
    db.session.commit()
    counted = _tallies()
    assert counted["DriverTally"] and counted["OptionTally"]
    rebuild_tallies(db.session)
    assert _tallies() == counted


def _as_given(response: Response) -> dict:
    given: dict = {}
    for answer in sorted(response.answers, key=lambda a: a.id):
        code = answer.question.code
        if answer.option is not None and answer.question.type.value == "multi":
            given.setdefault(code, []).append(answer.option)
        else:
            given[code] = next(v for v in (answer.value, answer.option, answer.text) if v)
    return given


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
