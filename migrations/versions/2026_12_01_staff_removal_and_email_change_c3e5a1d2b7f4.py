"""staff: removing someone who left, and a new email address waiting for its confirmation

Revision ID: c3e5a1d2b7f4
Revises: 747d07a9b181
Create Date: 2026-12-01 12:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3e5a1d2b7f4"
down_revision = "747d07a9b181"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("pending_email")
