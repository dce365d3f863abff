"""the outbox keeps its booking and person ids without foreign keys (the hold sweep's INSERT)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 17:15:00.000000

PostgreSQL checks a foreign key once per inserted row; the hold sweep inserts one message per
expired hold (100 000 after a long outage), and the two checks were a third of its time. See
app.notify.models for why nothing is lost.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_outbox_message_booking_id_booking", type_="foreignkey")
        batch_op.drop_constraint("fk_outbox_message_user_id_user_account", type_="foreignkey")


def downgrade():
    # Messages of bookings or accounts removed meanwhile would fail the restored keys: they go first.
    op.execute("DELETE FROM outbox_message WHERE booking_id IS NOT NULL AND booking_id NOT IN (SELECT id FROM booking)")
    op.execute("DELETE FROM outbox_message WHERE user_id IS NOT NULL AND user_id NOT IN (SELECT id FROM user_account)")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_outbox_message_booking_id_booking", "booking", ["booking_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            "fk_outbox_message_user_id_user_account", "user_account", ["user_id"], ["id"], ondelete="CASCADE"
        )
