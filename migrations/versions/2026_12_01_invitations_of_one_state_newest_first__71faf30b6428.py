"""invitations of one state newest first: the list of a state and the counts per state read
that state's newest entries only (the index by organisation and state gains the time and the id)

Revision ID: 71faf30b6428
Revises: 9d3b5e7a1c24
Create Date: 2026-12-01 22:58:41.682252

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "71faf30b6428"
down_revision = "9d3b5e7a1c24"
branch_labels = None
depends_on = None

# Plain index operations, no batch: on SQLite a batch would copy the table, and with it drop
# the triggers of the open answers' search index (see 9d3b5e7a1c24).
NEW = ("ix_invitation_organisation_state_created", ["organisation_id", "state", "created_at", "id"])
OLD = ("ix_invitation_organisation_state", ["organisation_id", "state"])


def upgrade():
    # The new index starts with the old one's columns, so it serves whatever that one did.
    op.create_index(NEW[0], "invitation", NEW[1], unique=False)
    op.drop_index(OLD[0], table_name="invitation")


def downgrade():
    op.create_index(OLD[0], "invitation", OLD[1], unique=False)
    op.drop_index(NEW[0], table_name="invitation")
