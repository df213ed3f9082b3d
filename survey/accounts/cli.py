"""`flask organisations ...` and `flask users ...`: set-up from the command line."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation, Role
from survey.accounts.staff import StaffError, create_user
from survey.circles.sizes import SizeClass, size_class_label
from survey.clock import utcnow
from survey.extensions import db
from survey.platform.organisations import MAX_COUNT, checked_size, create_municipality, set_size


def _failure(error: StaffError) -> click.ClickException:
    with force_locale("en"):  # the command line speaks English, like its --help
        return click.ClickException(str(error))


organisations_cli = AppGroup("organisations", help="Organisations (municipalities).")
users_cli = AppGroup("users", help="Staff users.")


def _size_options(command):
    """--size-class, --inhabitants and --companies: a circle compares like with like."""
    for option in reversed(
        [
            click.option(
                "--size-class",
                type=click.Choice([c.value for c in SizeClass]),
                help="s: under 20 000 inhabitants, m: 20 000 to 50 000, l: 50 000 to 100 000, "
                "xl: 100 000 or more. Without it, --inhabitants chooses one.",
            ),
            click.option("--inhabitants", type=click.IntRange(0, MAX_COUNT)),
            click.option("--companies", type=click.IntRange(0, MAX_COUNT)),
        ]
    ):
        command = option(command)
    return command


@organisations_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Short name in lower case, e.g. 'utrecht'.")
@click.option("--locale", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@click.option("--timezone", default="Europe/Amsterdam", show_default=True)
@click.option("--contact-email", help="Where entrepreneurs with an expired link can write to.")
@_size_options
@click.option(
    "--platform",
    is_flag=True,
    help="The platform operator's own organisation (one only; in no circle, no size).",
)
def create_organisation_command(
    name, slug, locale, timezone, contact_email, size_class, inhabitants, companies, platform
):
    """Create an organisation."""
    try:
        organisation = create_municipality(
            name,
            slug,
            locale=locale,
            timezone=timezone,
            size=checked_size(size_class, inhabitants, companies),
            actor=None,
            now=utcnow(),
            platform=platform,
            contact_email=contact_email,
        )
    except StaffError as error:
        raise _failure(error) from None
    db.session.commit()
    kind = "platform organisation" if platform else "organisation"
    click.echo(f"Created {kind} {organisation.name} ({organisation.slug}){_size(organisation)}.")


def _size(organisation: Organisation) -> str:
    if organisation.size_class is None:
        return ""
    with force_locale("en"):
        return (
            f", size class {organisation.size_class}: {size_class_label(organisation.size_class)}"
        )


def _organisation(slug: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    return organisation


@organisations_cli.command("set-size")
@click.argument("slug")
@_size_options
def set_size_command(slug, size_class, inhabitants, companies):
    """Set an organisation's size class, inhabitants and companies (what is not given stays;
    new inhabitants without a class choose the class)."""
    organisation = _organisation(slug)
    if inhabitants is None:
        inhabitants = organisation.inhabitants
        size_class = size_class or organisation.size_class
    try:
        size = checked_size(
            size_class, inhabitants, organisation.companies if companies is None else companies
        )
        changes = set_size(organisation, size, actor=None, now=utcnow())
    except StaffError as error:
        raise _failure(error) from None
    db.session.commit()
    if not changes:
        click.echo(f"Nothing changed for {organisation.name}.")
        return
    changed = ", ".join(f"{field} {old} -> {new}" for field, (old, new) in changes.items())
    click.echo(f"{organisation.name}: {changed}.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    required=True,
    help="operator only in the platform organisation; the others only in a municipality.",
)
@click.option("--organisation", "slug", required=True, help="The organisation's slug.")
@click.option("--locale", type=click.Choice(["nl", "en"]), default=None)
@click.password_option(help="Asked for (twice, hidden) when not given.")
def create_user_command(email, name, role, slug, locale, password):
    """Create a staff user."""
    organisation = _organisation(slug)
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
