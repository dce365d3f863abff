"""hold sweep: slot pages keep half their room free, so that updates of `booked` are HOT (no new
index entries); the outbox's index on user_id alone goes (ix_outbox_message_user_created starts
with user_id and serves the same lookups)

Both work with the previous release's code during a rolling deploy. The fillfactor (PostgreSQL only;
SQLite has none) applies to pages written from now on: existing slot pages get it when the table is
rewritten, e.g. `VACUUM FULL slot` in a quiet hour (it locks the table while it runs).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE slot SET (fillfactor = 50)')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_user_id')


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_user_id', ['user_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE slot RESET (fillfactor)')
