"""organisations: a time zone that not every date library reads becomes Europe/Amsterdam

Settings once offered every name the system knows, among them "localtime" and "Factory",
which Babel cannot read: the organisation's staff pages then failed. The rule is written out
here (not imported), as the settings held it when this migration was written.

Revision ID: 6373fd6dd5f1
Revises: a84ecb477447
Create Date: 2026-12-01 12:00:00

"""

import re
from zoneinfo import available_timezones

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6373fd6dd5f1"
down_revision = "a84ecb477447"
branch_labels = None
depends_on = None

REPAIRED_TO = "Europe/Amsterdam"
ZONE_NAME = re.compile(
    r"(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Za-z_-]+(/[A-Za-z_-]+)?"
)

organisation = sa.table(
    "organisation", sa.column("id", sa.Integer), sa.column("timezone", sa.String)
)


def _usable(name: str | None) -> bool:
    return bool(name and ZONE_NAME.fullmatch(name) and name in available_timezones())


def upgrade():
    connection = op.get_bind()
    names = connection.execute(sa.select(organisation.c.timezone).distinct()).scalars()
    unusable = [name for name in names if not _usable(name)]
    if unusable:
        connection.execute(
            organisation.update()
            .where(organisation.c.timezone.in_(unusable))
            .values(timezone=REPAIRED_TO)
        )


def downgrade():
    pass  # the unusable names are not kept: there is nothing to put back
