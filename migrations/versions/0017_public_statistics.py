"""public statistics: the summary tables per centre, exam, category and month, and closures per month

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 14:20:00.000000

"""

from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

COUNTS = (
    "offered",
    "booked",
    "slots_blocked",
    "cancelled_by_centre",
    "sat",
    "results",
    "passed",
    "first_results",
    "first_passed",
    "expected",
    "no_shows",
    "waited",
)


def upgrade():
    op.create_table(
        "stats_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("exam_type", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("wait_histogram", sa.JSON(), nullable=False),
        sa.Column("first_free_on", sa.Date(), nullable=True),
        sa.Column("built_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_stats_month_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_month")),
        sa.UniqueConstraint("centre_id", "exam_type", "category", "month", name="uq_stats_month_cell"),
    )
    with op.batch_alter_table("stats_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stats_month_centre_id"), ["centre_id"], unique=False)
    op.create_table(
        "stats_closure_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("days_closed", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("built_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_stats_closure_month_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_closure_month")),
        sa.UniqueConstraint("centre_id", "month", name="uq_stats_closure_month"),
    )
    with op.batch_alter_table("stats_closure_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stats_closure_month_centre_id"), ["centre_id"], unique=False)


def downgrade():
    with op.batch_alter_table("stats_closure_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_closure_month_centre_id"))
    op.drop_table("stats_closure_month")
    with op.batch_alter_table("stats_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_month_centre_id"))
    op.drop_table("stats_month")
