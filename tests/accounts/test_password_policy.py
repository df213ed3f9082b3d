"""The password policy: long enough, not common or leaked, not one's own name; hashing profiles."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from survey.accounts.models import Role, User
from survey.accounts.passwords import (
    HASH_PROFILES,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from survey.accounts.staff import StaffError, change_password, create_user
from survey.clock import utcnow
from survey.extensions import db
from tests import factories
from tests.conftest import csrf_token_in


@pytest.fixture
def english(ctx):
    """Domain tests read the English messages (the default language is Dutch)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield ctx


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12"])
def test_the_passwords_that_were_accepted_before_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kort-genoeg", "at least 12 characters"),
        ("password1234", "common or leaked"),
        ("PASSWORD1234", "common or leaked"),  # the lower-cased form is on the list
        ("qwertyuiop123", "common or leaked"),
        ("welkom-jansen-2026", "name in the email address"),
        ("ik ben Piet Jansen", "name in the email address"),
        ("ik-heet-PIETERSE!", "own name"),
        ("zeg maar anouk!!", "own name"),
    ],
)
def test_a_refused_password_says_why(english, password, reason):
    problem = password_problem(password, email="p.jansen@gemeente.example", name="Anouk Pieterse")
    assert problem is not None and reason in str(problem)


def test_names_are_compared_without_case_or_accents(english):
    problem = password_problem(
        "welkom-coordinator-26", email="r@x.example", name="Ruben Coördinator"
    )
    assert "own name" in str(problem)


def test_short_name_parts_and_unrelated_passwords_are_fine(ctx):
    # "de" and "jo" are too short to refuse a password for; the rest is unrelated.
    assert (
        password_problem("de-rode-fiets-staat-buiten", email="jo@x.example", name="Jo de Wit")
        is None
    )
    assert (
        password_problem(factories.PASSWORD, email="user1@org-1.example", name="Medewerker 1")
        is None
    )


def test_a_refused_password_message_is_in_dutch_too(client):
    from flask_babel import force_locale

    with client.application.test_request_context(), force_locale("nl"):
        problem = str(password_problem("password1234"))
    assert "wachtwoord" in problem.lower() and "common" not in problem


def test_every_place_that_sets_a_password_applies_the_policy(english):
    org = factories.organisation()
    with pytest.raises(StaffError, match="common or leaked"):
        create_user(
            org,
            email="nina@a.example",
            name="Nina Nieuw",
            role=Role.COORDINATOR,
            password="1234567890ab",
            now=utcnow(),
        )
    user = factories.user(org, email="nina@a.example", name="Nina Nieuw")
    with pytest.raises(StaffError, match="own name"):
        change_password(user, factories.PASSWORD, "welkom bij NIEUW", utcnow())


def test_the_admin_form_refuses_a_password_with_the_users_name(app, client, log_in):
    with app.app_context():
        org = factories.organisation()
        factories.user(org, Role.ADMIN, email="admin@a.example", name="Ada Admin")
        db.session.commit()
    log_in("admin@a.example")
    page = client.get("/users/new")
    response = client.post(
        "/users/new",
        data={
            "name": "Nina Nieuw",
            "email": "nina@a.example",
            "role": "coordinator",
            "password_choice": "set",
            "password": "nina-welkom-2026",
            "csrf_token": csrf_token_in(page.text),
        },
    )
    assert response.status_code == 422 and 'href="#password"' in response.text
    assert "e-mailadres" in response.text  # the reason, in the administrator's Dutch


def test_the_command_line_applies_the_policy(app):
    with app.app_context():
        org = factories.organisation()
        db.session.commit()
        slug = org.slug
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@y.example",
            "--name",
            "Xander",
            "--role",
            "admin",
            "--organisation",
            slug,
            "--password",
            "password1234",
        ]
    )
    assert result.exit_code != 0 and "common or leaked" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@y.example")) is None


def test_the_demo_passwords_meet_the_policy(ctx):
    from survey.demo.data import DEMO_STAFF

    for email, name, _role, password, _strengths in DEMO_STAFF:
        assert password_problem(password, email=email, name=name) is None, email


def test_tests_hash_cheaply_and_production_strongly(ctx):
    assert ctx.config["PASSWORD_HASH_PROFILE"] == "fast-for-tests"
    assert "$m=8,t=1,p=1$" in hash_password("een lang wachtwoord")
    strong = HASH_PROFILES["strong"]
    assert (strong.memory_cost, strong.time_cost) == (
        PasswordHasher().memory_cost,
        PasswordHasher().time_cost,
    )


def test_a_strong_hash_is_never_weakened_but_a_weak_one_is_strengthened(ctx, monkeypatch):
    strong_hash = HASH_PROFILES["strong"].hash("een lang wachtwoord")
    assert verify_password(strong_hash, "een lang wachtwoord")
    assert not needs_rehash(strong_hash)  # checked under the tests' fast profile
    monkeypatch.setitem(ctx.config, "PASSWORD_HASH_PROFILE", "strong")
    assert needs_rehash(HASH_PROFILES["fast-for-tests"].hash("een lang wachtwoord"))
    assert not needs_rehash(strong_hash)


def test_no_password_matches_an_unknown_user_or_one_who_has_not_chosen_yet(ctx):
    from survey.accounts.passwords import unusable_password_hash

    for stored in (None, "", unusable_password_hash()):
        for guess in ("", "spiegel-timing-equaliser", str(stored)):
            assert not verify_password(stored, guess)
