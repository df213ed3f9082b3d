"""indexes for the circle pages: rating and driver tallies per organisation, kind of occasion
and month, so that a fixed period reads its own months only

Revision ID: 3f8a6c2d9e51
Revises: 7c2e9d41a6b3
Create Date: 2026-12-02 20:40:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3f8a6c2d9e51"
down_revision = "7c2e9d41a6b3"
branch_labels = None
depends_on = None

# The tallies key leads with organisation and version but puts the staff member and channel
# before the month, so a quarter of a few members was a scan of all their months. Not covering
# (no counted column): an upsert that only adds to a count leaves these indexes alone.
INDEXES = [
    ("ix_rating_tally_circle", "rating_tally", ["organisation_id", "occasion_kind", "month"]),
    ("ix_driver_tally_circle", "driver_tally", ["organisation_id", "occasion_kind", "month"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
