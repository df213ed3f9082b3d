"""`flask circles ...`: the operator's circle work from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from survey.accounts.models import Organisation
from survey.circles.membership import (
    ConsentState,
    MembershipError,
    add_member,
    circle_named,
    create_circle,
    current_members,
    membership_or_none,
    remove_member,
)
from survey.circles.models import Circle
from survey.circles.sizes import size_class_label
from survey.clock import utcnow
from survey.extensions import db

circles_cli = AppGroup("circles", help="Comparison circles and their members.")


def _failure(error: Exception) -> click.ClickException:
    with force_locale("en"):  # the command line speaks English, like its --help
        return click.ClickException(str(error))


def _circle(name: str) -> Circle:
    circle = circle_named(name)
    if circle is None:
        raise click.ClickException(f"No circle named {name!r}; see `flask circles list`.")
    return circle


def _organisation(slug: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        raise click.ClickException(f"No organisation with slug {slug!r}.")
    return organisation


@circles_cli.command("create")
@click.argument("name")
@click.option("--description", default="", help="What the circle is, for its members.")
def create_command(name: str, description: str):
    """Create a circle."""
    try:
        circle = create_circle(name, description, actor=None, now=utcnow())
    except MembershipError as error:
        raise _failure(error) from None
    db.session.commit()
    click.echo(f"Created circle {circle.name}.")


@circles_cli.command("add")
@click.argument("circle")
@click.argument("slug")
def add_command(circle: str, slug: str):
    """Make an organisation a member of a circle (it shares once its administrator consents)."""
    found, organisation = _circle(circle), _organisation(slug)
    try:
        add_member(found, organisation, actor=None, now=utcnow())
    except MembershipError as error:
        raise _failure(error) from None
    db.session.commit()
    click.echo(
        f"{organisation.name} is a member of {found.name}; its figures are shared once its "
        "administrator accepts the terms."
    )


@circles_cli.command("remove")
@click.argument("circle")
@click.argument("slug")
def remove_command(circle: str, slug: str):
    """Remove an organisation from a circle: its figures leave the circle from now on."""
    found, organisation = _circle(circle), _organisation(slug)
    member = membership_or_none(organisation.id, found.id)
    if member is None:
        raise click.ClickException(f"{organisation.name} is not a member of {found.name}.")
    remove_member(member, actor=None, now=utcnow())
    db.session.commit()
    click.echo(f"{organisation.name} has left {found.name}; its figures are no longer shared.")


@circles_cli.command("list")
def list_command():
    """Every circle with its members and whether each shares its figures."""
    circles = db.session.scalars(select(Circle).order_by(Circle.name)).all()
    if not circles:
        click.echo("No circles yet; make one with `flask circles create NAME`.")
    with force_locale("en"):
        for circle in circles:
            click.echo(circle.name)
            members = current_members(circle)
            if not members:
                click.echo("  (no members)")
            for state in members:
                click.echo(f"  {_member_line(state)}")


def _member_line(state) -> str:
    organisation = state.member.organisation
    line = (
        f"{organisation.name} ({organisation.slug}, {size_class_label(organisation.size_class)})"
        f": {state.state.label}"
    )
    latest = state.latest
    if state.state is ConsentState.SHARING:
        accepted = f"{_when(latest.given_at)}{_by(latest.given_by)}"
        line += f", terms {latest.terms_version} accepted {accepted}"
    elif state.state is ConsentState.REVOKED:
        line += f", revoked {_when(latest.revoked_at)}{_by(latest.revoked_by)}"
    return line


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _by(user) -> str:
    return f" by {user.name}" if user is not None else ""
