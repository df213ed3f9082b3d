"""`flask catalogue ...`: the built-in questionnaires."""

import click
from flask.cli import AppGroup

from survey.extensions import db
from survey.questionnaires.catalogue import load_catalogue
from survey.questionnaires.models import localized

catalogue_cli = AppGroup("catalogue", help="The built-in questionnaire catalogue.")


@catalogue_cli.command("load")
def load_command() -> None:
    """Load (or update, as a new version) the built-in questionnaires."""
    for questionnaire in load_catalogue():
        version = questionnaire.latest_version
        click.echo(
            f"{questionnaire.key}: version {version.number}, {len(version.questions)} questions"
            f" — {localized(questionnaire.title, 'nl')}"
        )
    db.session.commit()
