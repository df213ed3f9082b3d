"""organisations: how long personal data is kept; suppressions: a keyed hash of the address

Existing organisations get the defaults (24 months for contacts, participants and invitations,
90 days for sent email bodies, 5 years for the activity log). Existing suppressions get no hash:
their address is still there, and the hash is written when the address is erased.

Revision ID: b7d41e2a9c15
Revises: 4ca6c5d47b89
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d41e2a9c15"
down_revision = "4ca6c5d47b89"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "retention_personal_months", sa.Integer(), server_default="24", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("retention_email_days", sa.Integer(), server_default="90", nullable=False)
        )
        batch_op.add_column(
            sa.Column("retention_audit_years", sa.Integer(), server_default="5", nullable=False)
        )
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            "uq_suppression_organisation_email_hash", ["organisation_id", "email_hash"]
        )


def downgrade():
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.drop_constraint("uq_suppression_organisation_email_hash", type_="unique")
        batch_op.drop_column("email_hash")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("retention_audit_years")
        batch_op.drop_column("retention_email_days")
        batch_op.drop_column("retention_personal_months")
