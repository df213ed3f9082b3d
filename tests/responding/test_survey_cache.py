"""The survey page builds a frozen version's form once per process, and never shows a draft, a
new version or a renamed questionnaire out of date."""

from __future__ import annotations

from sqlalchemy import delete, event, select

from survey.extensions import db
from survey.questionnaires.cache import forget_built_versions, survey_form
from survey.questionnaires.catalogue import add_version, catalogue_questionnaire, load_catalogue
from survey.questionnaires.models import Question, QuestionnaireVersion, QuestionType
from survey.responding.models import Answer, Response
from tests import factories
from tests.responding.test_submission_statements import WRITES_OF_AN_ANSWER

OVERALL = {"nl": "Welk rapportcijfer geeft u dit contact met de gemeente?"}


def _question(text: str, code: str = "overall") -> dict:
    return {
        "code": code,
        "theme": "overall",
        "type": QuestionType.SCALE10,
        "text": {"nl": text, "en": text},
        "options": {"low": {"nl": "slecht", "en": "poor"}, "high": {"nl": "top", "en": "great"}},
        "is_overall": True,
    }


def _draft(text: str) -> QuestionnaireVersion:
    """A new version of the contact survey, with one question and no responses yet."""
    load_catalogue()
    return add_version(catalogue_questionnaire("contact-survey"), {}, [_question(text)])


def _open_link(app, version_of=None) -> tuple[int, str]:
    """An open invitation to the version `version_of()` makes (the catalogue's by default)."""
    with app.app_context():
        org = factories.organisation()
        version = version_of() if version_of else None
        invitation = factories.invitation(org, version=version)
        db.session.commit()
        return invitation.questionnaire_version_id, factories.survey_token(invitation)


def _freeze(app, version_id: int, overall: int = 7) -> None:
    """A response to the version, after which it can no longer change."""
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        org = factories.organisation()
        factories.response(org, factories.user(org), {"overall": overall}, version=version)
        db.session.commit()


def _set_question_text(app, version_id: int, text: str) -> None:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.version_id == version_id))
        question.text = {"nl": text, "en": text}
        db.session.commit()


class _Queries:
    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self.statements

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, connection, cursor, statement, *args):
        self.statements.append(statement)


def test_an_edited_draft_shows_its_new_wording_at_once(app, client):
    version_id, token = _open_link(app, lambda: _draft("Hoe was het?"))
    assert "Hoe was het?" in client.get(f"/s/{token}").text
    _set_question_text(app, version_id, "Hoe beviel het?")
    page = client.get(f"/s/{token}").text
    assert "Hoe beviel het?" in page and "Hoe was het?" not in page


def test_a_new_version_shows_its_own_questions_not_the_kept_ones(app, client):
    version_id, old_link = _open_link(app)
    _freeze(app, version_id)
    assert OVERALL["nl"] in client.get(f"/s/{old_link}").text  # kept from now on
    new_version_id, new_link = _open_link(app, lambda: _draft("Nieuwe vraag van versie twee"))
    assert new_version_id != version_id
    page = client.get(f"/s/{new_link}").text
    assert "Nieuwe vraag van versie twee" in page and OVERALL["nl"] not in page
    assert OVERALL["nl"] in client.get(f"/s/{old_link}").text


def test_a_renamed_questionnaire_shows_its_new_title_on_a_frozen_version(app, client):
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    client.get(f"/s/{token}")
    with app.app_context():
        catalogue_questionnaire("contact-survey").title = {"nl": "Uw mening telt", "en": "Yours"}
        db.session.commit()
    assert "<h1>Uw mening telt</h1>" in client.get(f"/s/{token}").text


def test_a_frozen_version_gets_its_form_built_once_per_language(app, client):
    version_id, _ = _open_link(app)
    _freeze(app, version_id)
    with app.test_request_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        dutch = survey_form(version, "nl")
        assert survey_form(version, "nl") is dutch
        assert survey_form(version, "en") is not dutch
        english = survey_form(version, "en")(formdata=None)
        assert english.q_overall.label.text == (
            "Overall, how would you rate this contact with the municipality?"
        )


def test_a_draft_gets_its_form_built_for_each_request(app):
    with app.test_request_context():
        version = _draft("Hoe was het?")
        assert survey_form(version, "nl") is not survey_form(version, "nl")


def test_a_version_id_used_again_after_a_deletion_is_a_different_version(app, client):
    """SQLite hands out a deleted row's id again (the tests' clean-up does it all the time): a
    version made later under a kept version's id is told apart by its creation time."""
    version_id, first_link = _open_link(app, lambda: _draft("Eerste versie"))
    _freeze(app, version_id)
    assert "Eerste versie" in client.get(f"/s/{first_link}").text
    with app.app_context():
        db.session.execute(delete(Answer))
        db.session.execute(delete(Response))
        version = db.session.get(QuestionnaireVersion, version_id)
        version.questions[0].text = {"nl": "Tweede versie", "en": "Second version"}
        version.created_at = version.created_at.replace(year=version.created_at.year + 1)
        db.session.commit()
    _freeze(app, version_id)
    page = client.get(f"/s/{first_link}").text
    assert "Tweede versie" in page and "Eerste versie" not in page


def test_the_open_survey_page_of_a_frozen_version_reads_the_database_once(app, client):
    """The token's invitation with everything its page shows, in one query."""
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    client.get(f"/s/{token}")
    with _Queries(app) as statements:
        page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert len(statements) == 1, statements


def test_the_kept_questions_are_the_page_as_drawn_afresh_in_each_language(app, client):
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    for locale, wording in (("nl", OVERALL["nl"]), ("en", "Overall, how would you rate")):
        forget_built_versions()
        drawn = client.get(f"/s/{token}?lang={locale}").text  # drawn, then kept
        assert wording in drawn
        assert client.get(f"/s/{token}?lang={locale}").text == drawn
    english = client.get(f"/s/{token}?lang=en").text
    assert OVERALL["nl"] not in english


def test_posted_answers_are_drawn_with_the_page_not_the_kept_blank_questions(app, client):
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    client.get(f"/s/{token}")  # keeps the blank questions
    refused = client.post(f"/s/{token}", data={"locale": "nl", "q_recommend": "8"})
    assert refused.status_code == 422
    assert 'value="8"\n        checked' in refused.text
    assert "Kies een antwoord" in refused.text
    switched = client.post(
        f"/s/{token}", data={"locale": "nl", "switch_locale": "en", "q_recommend": "8"}
    )
    assert 'value="8"\n        checked' in switched.text and "How likely" in switched.text
    assert "checked" not in client.get(f"/s/{token}").text


def test_a_kept_form_validates_and_stores_like_a_new_one(app, client):
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    forget_built_versions()
    client.get(f"/s/{token}?lang=en")  # builds and keeps the English form
    refused = client.post(f"/s/{token}", data={"locale": "en", "q_recommend": "11"})
    assert refused.status_code == 422
    assert "Choose one of the options given." in refused.text
    assert "Please choose an answer to this question." in refused.text
    dutch = client.post(f"/s/{token}", data={"locale": "nl", "q_recommend": "8"})
    assert dutch.status_code == 422 and "Kies een antwoord" in dutch.text
    answers = {**factories.CONTACT_FORM_ANSWERS, "locale": "en"}
    assert client.post(f"/s/{token}", data=answers).status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(Response).order_by(Response.id.desc())).first()
        assert factories.stored_answers(stored) == factories.CONTACT_STORED_ANSWERS


def test_a_first_response_that_rolls_back_leaves_a_draft_that_shows_its_edits(app, client):
    """Storing a response counts it in the tallies, which need the overall question: asking
    for it must not keep the version as if it were frozen, for the response may not stay."""
    version_id, token = _open_link(app, lambda: _draft("Hoe was het?"))
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        org = factories.organisation()
        factories.response(org, factories.user(org), {"overall": 8}, version=version)
        db.session.flush()  # the tallies are written here
        db.session.rollback()
    _set_question_text(app, version_id, "Hoe beviel het?")
    page = client.get(f"/s/{token}").text
    assert "Hoe beviel het?" in page and "Hoe was het?" not in page


def test_answers_to_a_kept_version_are_one_read_and_the_writes_without_the_orm(app, client):
    """The link's glance, then the invitation's move, the response, its answers and one upsert
    per tally: no loading of the invitation, its version or its questions."""
    version_id, token = _open_link(app)
    _freeze(app, version_id)
    client.get(f"/s/{token}")  # keeps the version's form
    with _Queries(app) as statements:
        answered = client.post(f"/s/{token}", data=factories.CONTACT_FORM_ANSWERS)
    assert answered.status_code == 303
    heads = [" ".join(statement.replace('"', "").split()[:3]) for statement in statements]
    assert heads[0].startswith("SELECT invitation.id, invitation.state")
    assert heads[1:] == WRITES_OF_AN_ANSWER


def test_the_first_answer_to_a_draft_is_stored_and_freezes_it(app, client):
    version_id, token = _open_link(app, lambda: _draft("Hoe was het?"))
    forget_built_versions()
    answered = client.post(f"/s/{token}", data={"locale": "nl", "q_overall": "9"})
    assert answered.status_code == 303
    with app.app_context():
        stored = db.session.scalars(select(Answer.value)).all()
        assert stored == [9]
        assert db.session.get(QuestionnaireVersion, version_id).is_frozen()
