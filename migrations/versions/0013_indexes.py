"""indexes: booking_event.slot_id gets one (deleting a never-booked slot, as a closure does, checked
the whole history for it, one scan per slot); three indexes that repeat the leading column of a
unique one go (attempt_question.attempt_id, question_option.revision_id, question_revision.question_id)

On PostgreSQL the index is built and the others dropped CONCURRENTLY, outside a transaction, so
bookings and exams go on meanwhile. Both directions work with the previous release's code.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 23:50:00.000000

"""
from contextlib import contextmanager

from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

REDUNDANT = (
    ('ix_attempt_question_attempt_id', 'attempt_question', 'attempt_id'),
    ('ix_question_option_revision_id', 'question_option', 'revision_id'),
    ('ix_question_revision_question_id', 'question_revision', 'question_id'),
)


# Each statement commits on its own (see below), so a run cut short is simply run again.
def upgrade():
    with _without_locking_writers() as concurrently:
        op.create_index('ix_booking_event_slot_id', 'booking_event', ['slot_id'], if_not_exists=True, **concurrently)
        for name, table, _ in REDUNDANT:
            op.drop_index(name, table_name=table, if_exists=True, **concurrently)


def downgrade():
    with _without_locking_writers() as concurrently:
        for name, table, column in REDUNDANT:
            op.create_index(name, table, [column], if_not_exists=True, **concurrently)
        op.drop_index('ix_booking_event_slot_id', table_name='booking_event', if_exists=True, **concurrently)


@contextmanager
def _without_locking_writers():
    """PostgreSQL: CONCURRENTLY, which must run outside the migration's transaction. SQLite: as is."""
    if op.get_bind().dialect.name != 'postgresql':
        yield {}
        return
    with op.get_context().autocommit_block():
        yield {'postgresql_concurrently': True}
