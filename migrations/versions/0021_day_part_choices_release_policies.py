"""day-part choices and release policies: release_round.slot_starts and policy_week,
slot.release_pending, release_policy

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from app.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("release_round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_starts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("policy_week", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_release_round_policy_week", ["centre_id", "exam_type", "category", "policy_week"]
        )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_pending", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "release_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("minute_of_day", sa.SmallInteger(), nullable=False),
        sa.Column("weeks_ahead", sa.SmallInteger(), nullable=False),
        sa.Column("window_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("active_since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_release_policy_weekday_known")),
        sa.CheckConstraint("minute_of_day BETWEEN 0 AND 1439", name=op.f("ck_release_policy_minute_in_day")),
        sa.CheckConstraint("weeks_ahead BETWEEN 1 AND 12", name=op.f("ck_release_policy_weeks_ahead_range")),
        sa.CheckConstraint("window_minutes BETWEEN 5 AND 1440", name=op.f("ck_release_policy_window_range")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_release_policy_centre_id_centre"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_release_policy_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_policy")),
        sa.UniqueConstraint("centre_id", name=op.f("uq_release_policy_centre_id")),
    )


def downgrade():
    op.drop_table("release_policy")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_column("release_pending")
    with op.batch_alter_table("release_round", schema=None) as batch_op:
        batch_op.drop_constraint("uq_release_round_policy_week", type_="unique")
        batch_op.drop_column("policy_week")
        batch_op.drop_column("slot_starts")
