"""fair-release rounds: release_round, round_request, slot.round_id

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 14:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from app.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "release_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("exam_type", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("opens_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("draw_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("seed_sha256", sa.String(length=64), nullable=False),
        sa.Column("places", sa.JSON(), nullable=True),
        sa.Column("drawn_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('announced', 'drawn', 'cancelled')", name=op.f("ck_release_round_status_known")),
        sa.CheckConstraint("draw_at > opens_at", name=op.f("ck_release_round_draw_after_opening")),
        sa.ForeignKeyConstraint(
            ["centre_id"], ["centre.id"], name=op.f("fk_release_round_centre_id_centre"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_release_round_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_round")),
    )
    op.create_index("ix_release_round_centre_draw", "release_round", ["centre_id", "draw_at"], unique=False)
    op.create_index("ix_release_round_status_draw", "release_round", ["status", "draw_at"], unique=False)
    op.create_table(
        "round_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("outcome_reason", sa.String(length=40), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('won', 'lost', 'ineligible')", name=op.f("ck_round_request_outcome_known")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["booking.id"], name=op.f("fk_round_request_booking_id_booking"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["release_round.id"], name=op.f("fk_round_request_round_id_release_round"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slot.id"], name=op.f("fk_round_request_slot_id_slot"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_round_request_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_request")),
        sa.UniqueConstraint("round_id", "user_id", name="uq_round_request_person"),
        sa.UniqueConstraint("token", name=op.f("uq_round_request_token")),
    )
    op.create_index(op.f("ix_round_request_round_id"), "round_request", ["round_id"], unique=False)
    op.create_index(op.f("ix_round_request_user_id"), "round_request", ["user_id"], unique=False)
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_slot_round_id"), ["round_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_slot_round_id_release_round"), "release_round", ["round_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_slot_round_id_release_round"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_slot_round_id"))
        batch_op.drop_column("round_id")
    op.drop_index(op.f("ix_round_request_user_id"), table_name="round_request")
    op.drop_index(op.f("ix_round_request_round_id"), table_name="round_request")
    op.drop_table("round_request")
    op.drop_index("ix_release_round_status_draw", table_name="release_round")
    op.drop_index("ix_release_round_centre_draw", table_name="release_round")
    op.drop_table("release_round")
