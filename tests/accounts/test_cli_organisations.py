"""`flask organisations create|set-size` and `flask users create` for the platform and its
operators: set-up from the command line, with the same rules as the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User
from survey.extensions import db
from tests import factories


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def _organisation(app, slug: str) -> Organisation | None:
    with app.app_context():
        return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def test_an_organisation_gets_its_size_from_the_command_line(app):
    made = _run(
        app, "organisations", "create", "Gemeente Aastad", "--slug", "aastad",
        "--inhabitants", "31000", "--companies", "2400",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "size class m: 20,000 to 50,000 inhabitants" in made.output
    aastad = _organisation(app, "aastad")
    assert (aastad.size_class, aastad.inhabitants, aastad.companies) == ("m", 31000, 2400)
    assert not aastad.is_platform

    chosen = _run(app, "organisations", "create", "Beedorp", "--slug", "beedorp",
                  "--size-class", "s", "--inhabitants", "31000")  # fmt: skip
    assert chosen.exit_code == 0, chosen.output
    assert _organisation(app, "beedorp").size_class == "s"  # the operator's choice stands


@pytest.mark.parametrize(
    "odd",
    [
        ["--size-class", "xxl"],
        ["--inhabitants", "-1"],
        ["--inhabitants", "veel"],
        ["--companies", "1000000000000"],
        ["--timezone", "Mars/Olympus"],
    ],
)
def test_odd_size_data_is_refused_with_a_message(app, odd):
    refused = _run(app, "organisations", "create", "Ceedam", "--slug", "ceedam", *odd)
    assert refused.exit_code != 0
    assert "Error" in refused.output
    assert _organisation(app, "ceedam") is None


def test_set_size_changes_what_is_given_and_keeps_the_rest(app):
    _run(app, "organisations", "create", "Aastad", "--slug", "aastad", "--inhabitants", "31000",
         "--companies", "2400")  # fmt: skip
    moved = _run(app, "organisations", "set-size", "aastad", "--inhabitants", "52000")
    assert moved.exit_code == 0, moved.output
    aastad = _organisation(app, "aastad")
    assert (aastad.size_class, aastad.inhabitants, aastad.companies) == ("l", 52000, 2400)
    assert "inhabitants 31000 -> 52000" in moved.output

    chosen = _run(app, "organisations", "set-size", "aastad", "--size-class", "xl")
    assert chosen.exit_code == 0, chosen.output
    assert _organisation(app, "aastad").size_class == "xl"
    assert _organisation(app, "aastad").inhabitants == 52000
    same = _run(app, "organisations", "set-size", "aastad", "--size-class", "xl")
    assert "Nothing changed" in same.output
    assert _run(app, "organisations", "set-size", "nergens").exit_code != 0


def test_one_platform_organisation_without_a_size(app):
    made = _run(app, "organisations", "create", "Spiegel", "--slug", "spiegel", "--platform")
    assert made.exit_code == 0, made.output
    assert _organisation(app, "spiegel").is_platform
    second = _run(app, "organisations", "create", "Nog een", "--slug", "nog-een", "--platform")
    assert second.exit_code != 0 and "exists already" in second.output
    sized = _run(app, "organisations", "create", "X", "--slug", "x", "--platform",
                  "--size-class", "s")  # fmt: skip
    assert sized.exit_code != 0 and "no size" in sized.output
    assert _run(app, "organisations", "set-size", "spiegel", "--size-class", "s").exit_code != 0


def _create_user(app, slug: str, role: str, email: str):
    return _run(
        app, "users", "create", "--email", email, "--name", "Iemand", "--role", role,
        "--organisation", slug, "--password", "een lang wachtwoord",
    )  # fmt: skip


def test_operators_only_in_the_platform_and_municipal_roles_only_in_a_municipality(app):
    with app.app_context():
        factories.organisation("Spiegel", is_platform=True)
        factories.organisation("Aastad")
        db.session.commit()
        platform, aastad = (
            o.slug for o in db.session.scalars(select(Organisation).order_by(Organisation.id))
        )
    made = _create_user(app, platform, "operator", "op@platform.example")
    assert made.exit_code == 0, made.output
    wrong = _create_user(app, aastad, "operator", "op@aastad.example")
    assert wrong.exit_code != 0 and "belongs to the platform organisation" in wrong.output
    admin = _create_user(app, platform, "admin", "admin@platform.example")
    assert admin.exit_code != 0 and "platform operators only" in admin.output
    with app.app_context():
        assert db.session.scalars(select(User.email)).all() == ["op@platform.example"]
        assert db.session.scalar(select(User)).role is Role.OPERATOR
