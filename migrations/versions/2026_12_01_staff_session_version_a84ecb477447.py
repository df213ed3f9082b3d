"""staff: a session version per user, raised to end all their sessions at once

Revision ID: a84ecb477447
Revises: 12f53b61be35
Create Date: 2026-12-01 11:52:35.107863

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a84ecb477447"
down_revision = "12f53b61be35"
branch_labels = None
depends_on = None


def upgrade():
    # Existing sessions carry no version and end at their next request: everyone logs in again.
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
