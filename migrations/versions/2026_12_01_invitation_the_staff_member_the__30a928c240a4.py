"""invitation: sender_id becomes staff_member_id, the staff member the recipient knows (the
account manager of a contact; an event's organiser later)

Revision ID: 30a928c240a4
Revises: 848054ec45ed
Create Date: 2026-12-01 13:25:29.251810

A rename: the values stay. Its index and foreign key are renamed with it, so their names keep
following the naming convention.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '30a928c240a4'
down_revision = '848054ec45ed'
branch_labels = None
depends_on = None


def upgrade():
    _rename('sender_id', 'staff_member_id')


def downgrade():
    _rename('staff_member_id', 'sender_id')


def _rename(old, new):
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(f'ix_invitation_{old}')
        batch_op.drop_constraint(f'fk_invitation_{old}_user', type_='foreignkey')
        batch_op.alter_column(old, new_column_name=new, existing_type=sa.Integer(), existing_nullable=True)
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(f'ix_invitation_{new}', [new], unique=False)
        batch_op.create_foreign_key(f'fk_invitation_{new}_user', 'user', [new], ['id'])
