"""`flask doctor`: checks a deployment and says in plain words what is wrong and what to do.

It asks what a first start, an upgrade or a moved server gets wrong: the signing key, the
database and its migrations, the mail server, BASE_URL, time zone data, compiled translations,
the scheduler and the outbox. The exit status is 1 when anything is wrong, so scripts can stop.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from config import secret_key_problem
from survey.clock import utcnow
from survey.operations.checks import Check, readiness
from survey.operations.heartbeat import recent_processes

# Enough to tell "refused" or "no answer" from a slow server; sending has its own MAIL_TIMEOUT.
MAIL_CHECK_TIMEOUT = 10.0
AMSTERDAM = "Europe/Amsterdam"


def secret_key_check(config: Mapping) -> Check:
    keys = [("SECRET_KEY", config.get("SECRET_KEY"))] + [
        (f"SECRET_KEY_FALLBACKS (key {number})", key)
        for number, key in enumerate(config.get("SECRET_KEY_FALLBACKS") or [], 1)
    ]
    problems = [f"{name} {problem}" for name, key in keys if (problem := secret_key_problem(key))]
    if problems:
        return Check(
            "secret key",
            False,
            "; ".join(problems) + ": it signs staff sessions and survey links, so whoever knows "
            "or guesses it can log in as anyone. Make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`",
        )
    old = len(keys) - 1
    return Check("secret key", True, f"strong{f', {old} old key(s) still accepted' if old else ''}")


def base_url_check(config: Mapping) -> Check:
    url = config.get("BASE_URL") or ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return Check(
            "BASE_URL",
            False,
            f"{url!r} is not a full address such as https://feedback.example.nl: the links in "
            "emails are made from it",
        )
    if parts.scheme != "https" and config.get("ENV_NAME") != "development":
        return Check(
            "BASE_URL",
            False,
            f"{url} is not https: survey links and password links would travel unencrypted "
            "and the session cookie (Secure) would not be sent; set BASE_URL=https://…",
        )
    return Check("BASE_URL", True, url)


def mail_server_check(config: Mapping) -> Check:
    """Connect, EHLO, STARTTLS and log in as the outbox would; send nothing."""
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    timeout = min(float(config.get("MAIL_TIMEOUT") or MAIL_CHECK_TIMEOUT), MAIL_CHECK_TIMEOUT)
    where = f"{host}:{port}"
    step = "connect to"
    try:
        context = ssl.create_default_context()
        if config.get("MAIL_USE_SSL"):
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
        with connection:
            step = "greet (EHLO)"
            code, answer = connection.ehlo()
            if code != 250:
                raise smtplib.SMTPResponseException(code, answer)
            if config.get("MAIL_USE_TLS"):
                step = "start TLS with"
                connection.starttls(context=context)
                connection.ehlo()
            if config.get("MAIL_USERNAME"):
                step = "log in to"
                connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except (OSError, smtplib.SMTPException) as error:
        return Check(
            "mail server",
            False,
            f"could not {step} {where} ({error or type(error).__name__}): no email can be sent; "
            "check MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS/MAIL_USE_SSL and the login",
        )
    how = "TLS" if config.get("MAIL_USE_SSL") or config.get("MAIL_USE_TLS") else "no encryption"
    login = ", logged in" if config.get("MAIL_USERNAME") else ""
    return Check("mail server", True, f"{where} answers ({how}{login})")


def time_zone_check(config: Mapping) -> Check:
    names = dict.fromkeys([config.get("BABEL_DEFAULT_TIMEZONE") or AMSTERDAM, AMSTERDAM])
    try:
        zones = [ZoneInfo(name) for name in names]
    except (ZoneInfoNotFoundError, ValueError) as error:
        return Check(
            "time zones",
            False,
            f"no time zone data for {error}: times would be shown wrongly; install the tzdata "
            "package (`pip install tzdata` or the system's tzdata) and check "
            "DEFAULT_TIMEZONE",
        )
    winter = datetime(2025, 1, 15, 12).replace(tzinfo=zones[-1]).utcoffset()
    summer = datetime(2025, 7, 15, 12).replace(tzinfo=zones[-1]).utcoffset()
    if (winter, summer) != (timedelta(hours=1), timedelta(hours=2)):
        return Check(
            "time zones",
            False,
            "the time zone data is wrong about Amsterdam's summer time: update tzdata",
        )
    return Check("time zones", True, ", ".join(names))


def translations_check(app: Flask) -> Check:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    missing = [
        locale
        for locale in app.config["LANGUAGES"]
        if locale != "en" and not (directory / locale / "LC_MESSAGES" / "messages.mo").exists()
    ]
    if missing:
        return Check(
            "translations",
            False,
            f"not compiled for {', '.join(missing)}: pages and emails would be in English; "
            "run `pybabel compile -d survey/translations` (or `make translations`)",
        )
    return Check("translations", True, "compiled")


def scheduler_processes(now: datetime, max_age_seconds: int) -> str:
    """Which schedulers run where: several may, and one that fails its jobs is named."""
    described = []
    for each in recent_processes(now - timedelta(seconds=max_age_seconds)):
        seconds = int((now - each.last_run_at).total_seconds())
        failing = f", failing: {', '.join(each.failing_jobs)}" if each.failing_jobs else ""
        described.append(
            f"{each.host} pid {each.pid} ran {len(each.jobs)} jobs, {seconds} s ago{failing}"
        )
    return "; ".join(described)


def deployment_checks(app: Flask, now: datetime) -> list[Check]:
    config = app.config
    checks = [
        secret_key_check(config),
        base_url_check(config),
        time_zone_check(config),
        translations_check(app),
        mail_server_check(config),
    ]
    for check in readiness(app, now):
        if check.name == "scheduler" and check.ok:
            processes = scheduler_processes(now, config["READY_HEARTBEAT_MAX_AGE_SECONDS"])
            check = Check(check.name, True, f"{check.detail}; {processes}", check.facts)
        checks.append(check)
    return checks


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check this deployment's settings, database, mail server and scheduler."""
    app = current_app._get_current_object()
    click.echo(f"Checking Spiegel ({app.config['ENV_NAME']} profile):")
    checks = deployment_checks(app, utcnow())
    for check in checks:
        click.echo(f"  {'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    problems = sum(not check.ok for check in checks)
    if problems:
        click.echo(f"{problems} problem{'s' if problems > 1 else ''} found.", err=True)
        sys.exit(1)
    click.echo("Everything looks right.")
