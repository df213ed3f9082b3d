"""The bulk demo: two years of feedback for several municipalities, so the dashboards have
something real to show (drivers, trends, an improvement that worked)."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select

from survey.accounts.models import Organisation, User
from survey.analysis.models import TALLIES, ResponseTally
from survey.analysis.recount import rebuild_tallies
from survey.contacts.models import Contact, Source
from survey.contacts.registry import normalise_registry_number
from survey.demo.bulk import generate_responses
from survey.demo.data import load_demo
from survey.extensions import db
from survey.invitations.dimensions import OccasionKind
from survey.invitations.models import Invitation, InvitationState
from survey.questionnaires.models import Question, QuestionnaireVersion
from survey.responding.models import Answer, Response

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _tallies() -> dict:
    return {
        tally.__name__: sorted(db.session.execute(select(*tally.__table__.columns)).all())
        for tally in TALLIES
    }


def _pearson_with_overall(codes: list[str]) -> dict[str, float]:
    """r between each question and the overall grade, over the responses that answered both."""
    values: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        select(Answer.response_id, Question.code, Answer.value)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.value.is_not(None), Question.code.in_([*codes, "overall"]))
    )
    for response_id, code, value in rows:
        values[response_id][code] = value
    correlations = {}
    for code in codes:
        pairs = [(v[code], v["overall"]) for v in values.values() if code in v and "overall" in v]
        correlations[code] = statistics.correlation(*zip(*pairs, strict=True))
    return correlations


def _generate(count: int = 2_000):
    """Generate after the small demo; returns the summary and the first generated response id."""
    load_demo(NOW)
    db.session.commit()
    first_new = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
    return generate_responses(count, NOW, seed=7), first_new


def test_two_years_of_feedback_for_several_municipalities(ctx):
    summary, first_new = _generate()

    assert summary.responses == 2_000
    assert _count(Response, Response.id >= first_new) == 2_000
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(summary.organisation_ids))
    ).all()
    assert len(organisations) >= 6
    assert "Gemeente Demodam" in {o.name for o in organisations}
    assert "Europe/Brussels" in {o.timezone for o in organisations}
    answering = db.session.scalar(select(func.count(func.distinct(Response.account_manager_id))))
    assert answering >= 36  # dozens of account managers
    # Every response carries what the dashboards filter on.
    missing = or_(
        Response.month.is_(None), Response.account_manager_id.is_(None), Response.channel.is_(None)
    )
    assert _count(Response, missing) == 0
    assert db.session.scalar(select(func.count(func.distinct(Response.channel)))) == 5
    months = db.session.scalars(select(Response.month).distinct().order_by(Response.month)).all()
    assert len(months) == 24
    assert (months[0], months[-1]) == (date(2024, 12, 1), date(2026, 11, 1))
    # The first year answers the catalogue's version, the second year the revised one.
    first, second = (db.session.get(QuestionnaireVersion, id) for id in summary.versions)
    assert (first.questionnaire_id, first.number + 1) == (second.questionnaire_id, second.number)
    period = dict(
        db.session.execute(
            select(Response.questionnaire_version_id, func.max(Response.month))
            .where(Response.id >= first_new)
            .group_by(Response.questionnaire_version_id)
        ).all()
    )
    assert period[first.id] <= date(2025, 12, 1) < period[second.id]
    texts = {q.code: q.text for q in first.questions}
    assert {q.code for q in first.questions} < {q.code for q in second.questions}
    assert sum(q.text != texts.get(q.code) for q in second.questions) == 2  # reworded, added


def test_invitations_tallies_and_drivers_are_realistic(ctx):
    summary, _ = _generate()

    states = dict(
        db.session.execute(select(Invitation.state, func.count()).group_by(Invitation.state)).all()
    )
    sent = sum(
        states.get(state, 0)
        for state in (InvitationState.SENT, InvitationState.REMINDED, InvitationState.EXPIRED)
    )
    answered = states[InvitationState.ANSWERED]
    assert 0.30 <= answered / (sent + answered) <= 0.45
    assert summary.invitations > 2 * summary.responses
    assert 0.03 <= states[InvitationState.SUPPRESSED] / summary.invitations <= 0.10
    assert states[InvitationState.SENT] + states[InvitationState.REMINDED] > 0  # still open
    emailed = Response.invitation_id.is_not(None)  # the others came through a room link
    assert _count(Response, emailed) == db.session.scalar(
        select(func.count(func.distinct(Response.invitation_id)))
    )
    contact_surveys = Invitation.occasion_kind == OccasionKind.CONTACT
    assert _count(Contact, Contact.source == Source.DEMO) == _count(Invitation, contact_surveys)
    flemish = db.session.scalars(
        select(Contact.registry_number)
        .join(Organisation, Organisation.id == Contact.organisation_id)
        .where(Organisation.timezone == "Europe/Brussels")
        .limit(50)
    ).all()
    assert [normalise_registry_number(number) for number in flemish] == flemish  # valid KBO

    kept = _tallies()
    assert db.session.scalar(select(func.sum(ResponseTally.responses))) == _count(Response)
    rebuild_tallies(db.session)
    assert _tallies() == kept

    r = _pearson_with_overall(["speed", "agreements", "reachability"])
    assert r["speed"] > 0.45 and r["agreements"] > 0.45
    assert 0 < r["reachability"] < r["speed"] - 0.2


def test_flask_demo_with_responses_prints_logins_and_adds_more_each_run(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--responses", "300"])
    assert first.exit_code == 0, first.output
    assert re.search(r"Generated 300 responses to [\d,]+ invitations", first.output)
    logins = re.findall(r"^\s+(\w+)\s+(\S+@demodam\.example)\s+(\S+)$", first.output, re.M)
    assert len(logins) == 4
    with app.app_context():
        staff, responses = _count(User), _count(Response)
    second = runner.invoke(args=["demo", "--responses", "300"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert _count(Response) == responses + 300
        assert _count(User) == staff  # the same municipalities and people, more feedback
