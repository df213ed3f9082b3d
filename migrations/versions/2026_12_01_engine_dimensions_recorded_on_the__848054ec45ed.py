"""engine: what an invitation is reported by is recorded on it and copied to its response; a
response may come without an invitation; the tally cell gains the kind of occasion and the event

Revision ID: 848054ec45ed
Revises: 5d2e8f41c9a7
Create Date: 2026-12-01 13:08:04.470146

Every invitation so far was made for a contact, so existing invitations and responses are of the
kind "contact" without an event, and each existing tally row is the same cell with those two
values: the tallies are extended, not recounted. The invitation's channel, day and company are
copied from its contact in SQL.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '848054ec45ed'
down_revision = '5d2e8f41c9a7'
branch_labels = None
depends_on = None

TALLIES = {
    'response_tally': (),
    'rating_tally': ('question_id', 'value'),
    'option_tally': ('question_id', 'option'),
    'driver_tally': ('question_id',),
    'invitation_tally': (),
}
OLD_CELL = ('organisation_id', 'questionnaire_version_id', 'account_manager_id', 'channel', 'month')
NEW_CELL = (
    'organisation_id', 'questionnaire_version_id', 'occasion_kind', 'event_id',
    'account_manager_id', 'channel', 'month',
)


def _occasion_kind(**more):
    return sa.Column(
        'occasion_kind',
        sa.Enum('contact', 'event_participant', name='occasionkind', native_enum=False, length=20),
        **more,
    )


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(_occasion_kind(nullable=False, server_default='contact'))
        batch_op.add_column(sa.Column('channel', sa.Enum('visit', 'phone', 'email', 'counter', 'event', name='channel', native_enum=False, length=20), nullable=True))
        # No foreign key yet: the event table comes with the events.
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occasion_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('company_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('registry_number', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_invitation_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_invitation_organisation_registry', ['organisation_id', 'registry_number'], unique=False)
    op.execute(
        "UPDATE invitation SET "
        + ", ".join(
            f"{column} = (SELECT contact.{source} FROM contact WHERE contact.id = invitation.contact_id)"
            for column, source in (
                ('channel', 'channel'),
                ('occasion_on', 'contacted_on'),
                ('company_name', 'company_name'),
                ('registry_number', 'registry_number'),
            )
        )
        + " WHERE invitation.contact_id IS NOT NULL"
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('occasion_kind', existing_type=_occasion_kind().type, server_default=None)

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_link_id', sa.Integer(), nullable=True))
        batch_op.add_column(_occasion_kind(nullable=False, server_default='contact'))
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.alter_column('invitation_id', existing_type=sa.INTEGER(), nullable=True)
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.alter_column('occasion_kind', existing_type=_occasion_kind().type, server_default=None)

    for table, more in TALLIES.items():
        _rekey(table, NEW_CELL + more, add=True)


def downgrade():
    # Responses through a room link have no invitation to hang on: they cannot go back.
    op.execute("DELETE FROM answer WHERE response_id IN (SELECT id FROM response WHERE invitation_id IS NULL)")
    op.execute("DELETE FROM response WHERE invitation_id IS NULL")
    for table, more in TALLIES.items():
        # Cells of other kinds or events fold into the contact cells they would have been.
        _fold_into_old_cells(table, more)
        _rekey(table, OLD_CELL + more, add=False)

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.alter_column('invitation_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('event_id')
        batch_op.drop_column('occasion_kind')
        batch_op.drop_column('room_link_id')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_invitation_organisation_registry')
        batch_op.drop_index(batch_op.f('ix_invitation_event_id'))
        batch_op.drop_column('registry_number')
        batch_op.drop_column('company_name')
        batch_op.drop_column('occasion_on')
        batch_op.drop_column('event_id')
        batch_op.drop_column('channel')
        batch_op.drop_column('occasion_kind')


def _rekey(table, key, add):
    """The tally's primary key made anew over `key`, with the two new cell columns added (at
    the values every existing row has) or dropped."""
    with op.batch_alter_table(table, recreate='always') as batch_op:
        batch_op.drop_constraint(f'pk_{table}', type_='primary')
        if add:
            batch_op.add_column(sa.Column('occasion_kind', sa.String(length=20), nullable=False, server_default='contact'))
            batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=False, server_default='0'))
        else:
            batch_op.drop_column('event_id')
            batch_op.drop_column('occasion_kind')
        batch_op.create_primary_key(f'pk_{table}', list(key))
    if add:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('occasion_kind', existing_type=sa.String(length=20), server_default=None)
            batch_op.alter_column('event_id', existing_type=sa.Integer(), server_default=None)


def _fold_into_old_cells(table, more):
    """Downgrading: rows that differ only by kind of occasion or event are summed into one."""
    key = OLD_CELL + more
    counted = [
        column['name'] for column in sa.inspect(op.get_bind()).get_columns(table)
        if column['name'] not in key + ('occasion_kind', 'event_id')
    ]
    columns = ", ".join(key)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in counted)
    op.execute(f"CREATE TEMPORARY TABLE folded_tally AS SELECT {columns}, {sums} FROM {table} GROUP BY {columns}")
    op.execute(f"DELETE FROM {table}")
    op.execute(
        f"INSERT INTO {table} ({columns}, {', '.join(counted)}, occasion_kind, event_id) "
        f"SELECT *, 'contact', 0 FROM folded_tally"
    )
    op.execute("DROP TABLE folded_tally")
