"""centre lunch break: centre.lunch_starts_at and centre.lunch_ends_at (local wall-clock times, both or neither)

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("centre", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lunch_starts_at", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("lunch_ends_at", sa.Time(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_centre_lunch_break_range"),
            "(lunch_starts_at IS NULL AND lunch_ends_at IS NULL) OR lunch_ends_at > lunch_starts_at",
        )


def downgrade():
    with op.batch_alter_table("centre", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_centre_lunch_break_range"), type_="check")
        batch_op.drop_column("lunch_ends_at")
        batch_op.drop_column("lunch_starts_at")
