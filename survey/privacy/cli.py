"""`flask privacy lookup|export|erase|apply-retention`: a person's request from the command line,
done in the name of an administrator and limited to their organisation, and the retention job."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation, Role, User, find_user_by_email
from survey.clock import utcnow
from survey.extensions import db
from survey.privacy.access import access_export, record_access
from survey.privacy.erasure import ResponseChoice, erase_person
from survey.privacy.retention import apply_retention
from survey.privacy.subjects import NotAPerson, PersonData, find_person, read_query

privacy_cli = AppGroup("privacy", help="A person's access and erasure requests; retention.")

_ADMIN = click.option(
    "--as",
    "admin_email",
    required=True,
    help="The administrator who handles the request; only their organisation is searched.",
)


def _administrator(email: str) -> User:
    user = find_user_by_email(email)
    if user is None or not user.active or user.role is not Role.ADMIN:
        raise click.ClickException(f"{email} is not an active administrator.")
    return user


def _person(admin: User, person: str) -> PersonData:
    try:
        query = read_query(person)
    except NotAPerson as problem:
        with force_locale("en"):  # the command line speaks English, like its --help
            raise click.ClickException(str(problem)) from None
    return find_person(admin.organisation_id, query)


@privacy_cli.command("lookup")
@click.argument("person")
@_ADMIN
def lookup_command(person: str, admin_email: str) -> None:
    """What the organisation holds about PERSON (an email address or a KvK/KBO number)."""
    data = _person(_administrator(admin_email), person)
    click.echo(json.dumps({"person": data.query.shown, **data.counts()}, indent=2))


@privacy_cli.command("export")
@click.argument("person")
@_ADMIN
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(person: str, admin_email: str, output: Path) -> None:
    """Write everything about PERSON to a ZIP file (JSON and CSV), for an access request."""
    admin = _administrator(admin_email)
    data = _person(admin, person)
    now = utcnow()
    content = access_export(
        data, admin.organisation, now, admin.locale or admin.organisation.locale
    )
    output.write_bytes(content)
    record_access(data, admin.organisation, admin, now, command="flask privacy export")
    db.session.commit()
    click.echo(f"Written to {output}: {json.dumps(data.counts())}")


@privacy_cli.command("erase")
@click.argument("person")
@_ADMIN
@click.option(
    "--responses",
    type=click.Choice([choice.value for choice in ResponseChoice]),
    required=True,
    help="remove: the figures no longer count them; keep: counted, without a link to PERSON.",
)
@click.option("--yes", is_flag=True, help="Erase without asking for confirmation.")
def erase_command(person: str, admin_email: str, responses: str, yes: bool) -> None:
    """Erase everything about PERSON; their address stays only as a hash, so it is not mailed."""
    admin = _administrator(admin_email)
    data = _person(admin, person)
    click.echo(f"Found: {json.dumps(data.counts())}")
    if not yes:
        click.confirm("Erase all of it? This cannot be undone", abort=True)
    counts = erase_person(data, ResponseChoice(responses), actor=admin, now=utcnow())
    db.session.commit()
    click.echo(f"Erased: {json.dumps(counts)}")


@privacy_cli.command("apply-retention")
@click.option("--organisation", "slugs", multiple=True, help="Only this organisation (slug).")
def apply_retention_command(slugs: tuple[str, ...]) -> None:
    """Apply the retention periods now (the scheduler does it daily)."""
    ids = None
    if slugs:
        ids = list(db.session.scalars(select(Organisation.id).where(Organisation.slug.in_(slugs))))
        if len(ids) != len(set(slugs)):
            raise click.ClickException("Unknown organisation; give its slug.")
    for organisation_id, counts in apply_retention(utcnow(), ids).items():
        click.echo(f"organisation {organisation_id}: {json.dumps(counts)}")
