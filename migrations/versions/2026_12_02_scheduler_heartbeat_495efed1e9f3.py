"""scheduler heartbeat: per scheduler process and job, when it last ran and whether it failed

Revision ID: 495efed1e9f3
Revises: e4a7c31f9b20
Create Date: 2026-12-02 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "495efed1e9f3"
down_revision = "e4a7c31f9b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=False),
        sa.Column("last_run_failed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_heartbeat")),
        sa.UniqueConstraint("host", "pid", "job", name="uq_scheduler_heartbeat_host_pid_job"),
    )
    with op.batch_alter_table("scheduler_heartbeat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduler_heartbeat_last_run_at"), ["last_run_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("scheduler_heartbeat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduler_heartbeat_last_run_at"))
    op.drop_table("scheduler_heartbeat")
