"""`flask demo`: load the demo municipality with its events and its comparison circle, and print
how to get in; `--responses N` adds two years of feedback for several municipalities, made in
bulk, and puts them in a circle of their own."""

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.clock import utcnow
from survey.demo.bulk import generate_responses
from survey.demo.circles import join_bulk_circle, load_circle_demo
from survey.demo.data import load_demo
from survey.extensions import db
from survey.responding.links import room_url, survey_url


@click.command("demo")
@with_appcontext
@click.option("--force", is_flag=True, help="Allow demo logins in the production profile.")
@click.option(
    "--responses",
    type=click.IntRange(min=0),
    default=0,
    help="Also generate this many responses over 24 months for several municipalities.",
)
def demo_command(force: bool, responses: int) -> None:
    """Create a demo municipality with staff, invitations, answers and events (once)."""
    if current_app.config["ENV_NAME"] == "production" and not force:
        raise click.ClickException("Demo users have published passwords; use --force to insist.")
    now = utcnow()
    summary = load_demo(now, events=True)
    circle = load_circle_demo(now)
    db.session.commit()
    verb = "Created" if summary.created else "Already there:"
    click.echo(f"{verb} {summary.organisation.name}.")
    base_url = current_app.config["BASE_URL"]
    verb = "Created" if circle.created else "Already there:"
    click.echo(
        f"{verb} the comparison circle {circle.circle.name}: {base_url}/circles/{circle.circle.id}"
    )
    if responses:
        click.echo(f"\nGenerating {responses:,} responses...")
        generated = generate_responses(responses, utcnow(), progress=click.echo)
        click.echo(generated.describe())
        joined = join_bulk_circle(generated.organisation_ids, utcnow())
        db.session.commit()
        click.echo(f"They share their figures in {joined.name}: {base_url}/circles/{joined.id}")
    click.echo(f"\nLog in at {base_url}/login with:")
    for role, email, password in [*summary.logins, *circle.logins]:
        click.echo(f"  {role:<16} {email:<30} {password}")
    if summary.open_invitations:
        click.echo("\nSurvey links waiting for an answer (open one and answer it):")
        for invitation in summary.open_invitations:
            click.echo(f"  {survey_url(invitation)}")
    if summary.room_link is not None and summary.room_link.is_open_at(now):
        click.echo("\nThe klantarena's room link, as shown in the room (answers are anonymous):")
        click.echo(f"  {room_url(summary.room_link)}")
