"""organisations: whether account managers see individual answers, and an own privacy statement

Existing organisations get the privacy-friendly choice: account managers see totals and remarks
without names until an administrator chooses otherwise on the Settings page.

Revision ID: 8be1895a9657
Revises: 6373fd6dd5f1
Create Date: 2026-12-01 12:16:11.387056

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8be1895a9657"
down_revision = "6373fd6dd5f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "account_managers_see_answers",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("privacy_url", sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("privacy_url")
        batch_op.drop_column("account_managers_see_answers")
