"""`flask analysis recount`: rebuild the dashboards' tallies from the responses and invitations."""

import time

import click
from flask.cli import AppGroup

from survey.analysis.recount import rebuild_tallies
from survey.extensions import db

analysis_cli = AppGroup("analysis", help="The figures behind the dashboards.")


@analysis_cli.command("recount")
@click.option(
    "--organisation",
    "organisation_ids",
    type=int,
    multiple=True,
    help="Only this organisation's (by id); may be given more than once.",
)
def recount_command(organisation_ids: tuple[int, ...]) -> None:
    """Count the tallies again, after a bulk load or a restore from backup."""
    started = time.monotonic()
    rebuild_tallies(db.session, organisation_ids or None)
    db.session.commit()
    click.echo(f"Tallies counted again in {time.monotonic() - started:.1f} s.")
