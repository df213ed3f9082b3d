"""Fail-closed configuration: production unless development is asked for, and no weak keys."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from config import (
    PROFILES,
    ConfigurationError,
    check_secret_keys,
    checkout_secret_key,
    secret_key_problem,
)

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "kW3v9Qm0r7TzLx2bYc5NpAe8HsJdFgUi1oRt4VwXyZ6"


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter (config is read at import); no SPIEGEL_ENV unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("SPIEGEL_ENV", "SECRET_KEY")}
    env.update({"SECRET_KEY": "", "SECRET_KEY_FALLBACKS": "", **environment})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_without_spiegel_env_the_app_runs_as_production():
    done = run_python(
        "from config import load_config; c = load_config(); print(c.ENV_NAME, c.DEBUG)",
        SECRET_KEY=STRONG_KEY,
    )
    assert done.stdout.split() == ["production", "False"], done.stderr


def test_without_spiegel_env_or_a_key_the_app_refuses_to_start_with_one_clear_line():
    done = run_python("import wsgi")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Spiegel will not start: SECRET_KEY is not set. It signs staff sessions and survey "
        "links: give it at least 32 random bytes, e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`."
    ]


@pytest.mark.parametrize("key", ["dev-only-not-secret", "test-secret", "changeme", "short"])
def test_the_flask_command_refuses_a_weak_key_outside_development(key):
    done = run_python(
        "from flask.cli import main; main()",
        SPIEGEL_ENV="production",
        SECRET_KEY=key,
        FLASK_APP="wsgi",
    )
    assert done.returncode == 1
    assert "Spiegel will not start: SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_only_development_runs_with_debug_on():
    assert PROFILES["development"].DEBUG is True
    assert PROFILES["production"].DEBUG is False
    assert PROFILES["test"].DEBUG is False


@pytest.mark.parametrize(
    "key, problem",
    [
        ("", "is not set"),
        (None, "is not set"),
        ("dev-only-not-secret", "is a publicly known example value"),
        ("test-secret", "is a publicly known example value"),
        ("ChangeMe", "is a publicly known example value"),
        ("secret", "is a publicly known example value"),
        ("x" * 31, "is 31 bytes long"),
        ("ab" * 20, "repeats a few characters"),
    ],
)
def test_a_missing_short_or_known_key_is_refused(key, problem):
    assert secret_key_problem(key) == problem


def test_a_random_key_of_32_bytes_is_accepted():
    import secrets

    assert secret_key_problem(secrets.token_urlsafe(24)) is None  # 32 characters
    assert secret_key_problem(secrets.token_hex(16)) is None
    check_secret_keys(STRONG_KEY, [secrets.token_urlsafe(48)])


def test_every_old_key_must_be_as_strong_as_the_new_one():
    with pytest.raises(ConfigurationError, match=r"SECRET_KEY_FALLBACKS \(key 2\) is a publicly"):
        check_secret_keys(STRONG_KEY, [STRONG_KEY[::-1], "dev-only-not-secret"])


def test_production_refuses_a_weak_old_key_at_start():
    done = run_python(
        "import wsgi",
        SPIEGEL_ENV="production",
        SECRET_KEY=STRONG_KEY,
        SECRET_KEY_FALLBACKS="changeme",
    )
    assert done.returncode == 1
    assert "SECRET_KEY_FALLBACKS (key 1) is a publicly known example value" in done.stderr


def test_an_unknown_profile_is_refused_by_name():
    done = run_python("import wsgi", SPIEGEL_ENV="prod", SECRET_KEY=STRONG_KEY)
    assert done.returncode == 1
    assert "SPIEGEL_ENV='prod' is not one of development, production, test" in done.stderr


def test_development_keeps_one_private_key_per_checkout(tmp_path):
    path = tmp_path / "instance" / "secret_key"

    first = checkout_secret_key(path)

    assert secret_key_problem(first) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert checkout_secret_key(path) == first  # a restart keeps everyone logged in


def test_development_without_a_key_uses_the_checkout_key_not_a_known_one():
    done = run_python(
        "from config import load_config, secret_key_problem; "
        "print(secret_key_problem(load_config().SECRET_KEY))",
        SPIEGEL_ENV="development",
    )
    assert done.stdout.strip() == "None", done.stderr
