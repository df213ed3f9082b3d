"""`flask demo`: a newcomer can log in, see invitations and answer a survey within a minute."""

import re

from sqlalchemy import func, select

from survey.extensions import db
from survey.invitations.models import Invitation, InvitationState
from survey.responding.models import Answer, Response


def test_demo_data_can_be_used_straight_away(app, client, log_in):
    output = app.test_cli_runner().invoke(args=["demo"]).output
    logins = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", output, re.MULTILINE)
    roles = {"admin", "coordinator", "account_manager", "operator"}  # the platform's operator too
    assert {role for role, _, _ in logins} == roles
    assert len(logins) == 5
    with app.app_context():
        states = dict(
            db.session.execute(
                select(Invitation.state, func.count()).group_by(Invitation.state)
            ).all()
        )
        assert sum(states.values()) >= 30
        assert states[InvitationState.ANSWERED] >= 10
        assert states[InvitationState.SENT] + states.get(InvitationState.REMINDED, 0) >= 3
        # Answers vary: not everybody gives the same grade.
        overall = db.session.scalars(
            select(Answer.value).join(Answer.question).where(Answer.question.has(code="overall"))
        ).all()
        assert len(set(overall)) >= 4
    role, email, password = next(login for login in logins if login[0] == "coordinator")
    assert log_in(email, password).status_code == 302
    assert client.get("/").text.count("/invitations/") >= 30
    link = re.search(r"http://\S+(/s/\S+)", output).group(1)
    assert client.get(link).status_code == 200


def test_running_demo_twice_adds_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Response))
    second = runner.invoke(args=["demo"])
    assert "Already there" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == before
