"""invitations: cancelled before sending, or a wrong address reported after, with a reason

Revision ID: 747d07a9b181
Revises: 8be1895a9657
Create Date: 2026-12-01 12:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "747d07a9b181"
down_revision = "8be1895a9657"
branch_labels = None
depends_on = None


def upgrade():
    # The state is a VARCHAR(20) without a CHECK constraint: "cancelled" needs no change to it.
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("wrong_address_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("wrong_address_reason", sa.String(length=200), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("wrong_address_reason")
        batch_op.drop_column("wrong_address_at")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
