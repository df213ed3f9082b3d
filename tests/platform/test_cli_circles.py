"""`flask circles create|add|remove|list`: the operator's circle work from the command line."""

from __future__ import annotations

from sqlalchemy import select

from survey.accounts.models import Role
from survey.circles.membership import give_consent, membership_or_none, sharing_organisation_ids
from survey.circles.models import Circle
from survey.clock import utcnow
from survey.extensions import db
from tests import factories


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["circles", *args])


def _municipalities(app) -> dict[str, str]:
    with app.app_context():
        aastad = factories.organisation("Aastad", size_class="m")
        beedorp = factories.organisation("Beedorp")
        factories.user(aastad, Role.ADMIN, name="Ada Admin")
        db.session.commit()
        return {"aastad": aastad.slug, "beedorp": beedorp.slug}


def test_a_circle_is_made_filled_and_listed_with_each_members_consent(app):
    slugs = _municipalities(app)
    assert "No circles yet" in _run(app, "list").output
    made = _run(app, "create", "Kring Noord", "--description", "Acht gemeenten")
    assert made.exit_code == 0, made.output
    for slug in slugs.values():
        added = _run(app, "add", "kring noord", slug)  # names match whatever the case
        assert added.exit_code == 0, added.output
    with app.app_context():
        circle = db.session.scalar(select(Circle))
        assert circle.description == "Acht gemeenten"
        member = next(m for m in circle.members if m.organisation.slug == slugs["aastad"])
        give_consent(member, actor=member.organisation.users[0], now=utcnow())
        db.session.commit()

    listed = _run(app, "list").output
    assert "Kring Noord" in listed
    aastad_line = next(line for line in listed.splitlines() if slugs["aastad"] in line)
    assert "20,000 to 50,000 inhabitants" in aastad_line
    assert "sharing its figures" in aastad_line and "by Ada Admin" in aastad_line
    assert "terms 2026-1 accepted" in aastad_line
    beedorp_line = next(line for line in listed.splitlines() if slugs["beedorp"] in line)
    assert "terms not accepted yet" in beedorp_line


def test_removing_a_member_stops_its_sharing(app):
    slugs = _municipalities(app)
    _run(app, "create", "Kring Noord")
    _run(app, "add", "Kring Noord", slugs["aastad"])
    with app.app_context():
        circle = db.session.scalar(select(Circle))
        member = circle.members[0]
        give_consent(member, actor=member.organisation.users[0], now=utcnow())
        db.session.commit()
        assert sharing_organisation_ids(circle.id, utcnow()) == [member.organisation_id]
    removed = _run(app, "remove", "Kring Noord", slugs["aastad"])
    assert removed.exit_code == 0, removed.output
    with app.app_context():
        circle = db.session.scalar(select(Circle))
        assert sharing_organisation_ids(circle.id, utcnow()) == []
        assert membership_or_none(circle.members[0].organisation_id, circle.id) is None
    assert "(no members)" in _run(app, "list").output


def test_mistakes_get_a_message_and_change_nothing(app):
    slugs = _municipalities(app)
    _run(app, "create", "Kring Noord")
    assert "exists already" in _run(app, "create", "kring noord").output
    assert "No circle named" in _run(app, "add", "Kring Zuid", slugs["aastad"]).output
    assert "No organisation" in _run(app, "add", "Kring Noord", "nergens").output
    assert _run(app, "add", "Kring Noord", slugs["aastad"]).exit_code == 0
    again = _run(app, "add", "Kring Noord", slugs["aastad"])
    assert again.exit_code != 0 and "member of this circle already" in again.output
    absent = _run(app, "remove", "Kring Noord", slugs["beedorp"])
    assert absent.exit_code != 0 and "not a member" in absent.output
    with app.app_context():
        factories.organisation("Spiegel", is_platform=True)
        db.session.commit()
        platform = db.session.scalar(
            select(factories.Organisation.slug).where(factories.Organisation.is_platform)
        )
    refused = _run(app, "add", "Kring Noord", platform)
    assert refused.exit_code != 0 and "platform organisation cannot" in refused.output
