"""hold sweep: slot pages keep room for HOT updates of `booked`; holds and booking messages stay out
of the unique indexes of tickets and message keys (partial now: NULLs never collided anyway); the
outbox's index on user_id alone goes (ix_outbox_message_user_created starts with user_id)

The fillfactor applies to pages written from now on (PostgreSQL only; SQLite has none). Existing
slot pages get it when the table is rewritten, e.g. `VACUUM FULL slot` in a quiet hour.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE slot SET (fillfactor = 50)')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_constraint('uq_booking_ticket', type_='unique')
        batch_op.create_index('uq_booking_ticket', ['ticket'], unique=True, sqlite_where=sa.text('ticket IS NOT NULL'), postgresql_where=sa.text('ticket IS NOT NULL'))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_user_id')
        batch_op.drop_constraint('uq_outbox_message_dedupe_key', type_='unique')
        batch_op.create_index('uq_outbox_message_dedupe_key', ['dedupe_key'], unique=True, sqlite_where=sa.text('dedupe_key IS NOT NULL'), postgresql_where=sa.text('dedupe_key IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_message_dedupe_key', sqlite_where=sa.text('dedupe_key IS NOT NULL'), postgresql_where=sa.text('dedupe_key IS NOT NULL'))
        batch_op.create_unique_constraint('uq_outbox_message_dedupe_key', ['dedupe_key'])
        batch_op.create_index('ix_outbox_message_user_id', ['user_id'], unique=False)

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_ticket', sqlite_where=sa.text('ticket IS NOT NULL'), postgresql_where=sa.text('ticket IS NOT NULL'))
        batch_op.create_unique_constraint('uq_booking_ticket', ['ticket'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE slot RESET (fillfactor)')
