"""`flask organisations ...` and `flask users ...`: set-up from the command line."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation, Role
from survey.accounts.staff import StaffError, create_organisation, create_user
from survey.clock import utcnow
from survey.extensions import db


def _failure(error: StaffError) -> click.ClickException:
    with force_locale("en"):  # the command line speaks English, like its --help
        return click.ClickException(str(error))


organisations_cli = AppGroup("organisations", help="Organisations (municipalities).")
users_cli = AppGroup("users", help="Staff users.")


@organisations_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Short name in lower case, e.g. 'utrecht'.")
@click.option("--locale", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--contact-email", help="Where entrepreneurs with an expired link can write to.")
def create_organisation_command(name: str, slug: str, locale: str, contact_email: str | None):
    """Create an organisation."""
    try:
        organisation = create_organisation(name, slug, locale=locale, contact_email=contact_email)
    except StaffError as error:
        raise _failure(error) from None
    db.session.commit()
    click.echo(f"Created organisation {organisation.name} ({organisation.slug}).")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", "slug", required=True, help="The organisation's slug.")
@click.option("--locale", type=click.Choice(["nl", "en"]), default=None)
@click.password_option(help="Asked for (twice, hidden) when not given.")
def create_user_command(email, name, role, slug, locale, password):
    """Create a staff user."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    try:
        user = create_user(
            organisation,
            email=email,
            name=name,
            role=role,
            password=password,
            locale=locale,
            now=utcnow(),
        )
    except StaffError as error:
        raise _failure(error) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} in {organisation.name}.")
