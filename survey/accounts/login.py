"""Flask-Login's side of accounts: loading the user of a session."""

from survey.accounts.models import User
from survey.extensions import db


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None
