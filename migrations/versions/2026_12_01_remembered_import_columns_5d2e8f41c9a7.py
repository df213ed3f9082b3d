"""contacts: the columns a person chose for an import, remembered per organisation and header set

Revision ID: 5d2e8f41c9a7
Revises: c3e5a1d2b7f4
Create Date: 2026-12-01 12:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5d2e8f41c9a7"
down_revision = "c3e5a1d2b7f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "column_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_column_mapping_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"],
            ["user.id"],
            name=op.f("fk_column_mapping_saved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_column_mapping")),
        sa.UniqueConstraint("organisation_id", "header_key", name="uq_column_mapping_headers"),
    )


def downgrade():
    op.drop_table("column_mapping")
