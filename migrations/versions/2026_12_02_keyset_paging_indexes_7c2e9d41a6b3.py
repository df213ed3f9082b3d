"""indexes for keyset paging: responses and contacts newest first, counts per state and status

Revision ID: 7c2e9d41a6b3
Revises: 495efed1e9f3
Create Date: 2026-12-02 13:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "7c2e9d41a6b3"
down_revision = "495efed1e9f3"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_response_organisation_submitted", "response", ["organisation_id", "submitted_at", "id"]),
    ("ix_contact_organisation_contacted", "contact", ["organisation_id", "contacted_on", "id"]),
    ("ix_invitation_organisation_state", "invitation", ["organisation_id", "state"]),
    ("ix_outbound_email_organisation_status", "outbound_email", ["organisation_id", "status"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
