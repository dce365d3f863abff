"""FSRS review cards replace the Leitner boxes; answers practised on devices

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from app.core.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = '0017'
branch_labels = None
depends_on = None

# Each Leitner box becomes a card in FSRS's review state whose stability (the days until recall
# falls to 90 %) is the box's interval: a question that earned a week's rest is taken to be
# remembered for about a week, so nobody starts over. The boxes kept no difficulty, so every card
# starts at FSRS's middle one (5 of 1..10) and finds its own with the next answers. The due time
# and the last review stay as the boxes left them.
BOX_STABILITY_DAYS = {1: 1.0, 2: 3.0, 3: 7.0, 4: 14.0, 5: 30.0}
MIGRATED_DIFFICULTY = 5.0
REVIEW_STATE = 2  # fsrs.State.Review


def _stability_case() -> str:
    whens = " ".join(f"WHEN {box} THEN {days}" for box, days in BOX_STABILITY_DAYS.items())
    return f"CASE box {whens} ELSE {BOX_STABILITY_DAYS[5]} END"


def upgrade():
    op.create_table(
        "review_card",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("last_review_at", UTCDateTime(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.CheckConstraint("state IN (1, 2, 3)", name=op.f("ck_review_card_state_known")),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_review_card_question_id_question"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_review_card_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "question_id", name=op.f("pk_review_card")),
    )
    with op.batch_alter_table("review_card", schema=None) as batch_op:
        batch_op.create_index("ix_review_card_user_due", ["user_id", "due_at"], unique=False)

    op.create_table(
        "practice_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["question_option.id"],
            name=op.f("fk_practice_answer_option_id_question_option"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_practice_answer_question_id_question"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_practice_answer_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_answer")),
        sa.UniqueConstraint("user_id", "client_id", name="uq_practice_answer_client"),
    )
    with op.batch_alter_table("practice_answer", schema=None) as batch_op:
        batch_op.create_index("ix_practice_answer_user_answered", ["user_id", "answered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_practice_answer_question_id"), ["question_id"], unique=False)

    op.execute(
        "INSERT INTO review_card (user_id, question_id, state, step, stability, difficulty, due_at, last_review_at, reviews) "
        f"SELECT user_id, question_id, {REVIEW_STATE}, NULL, {_stability_case()}, {MIGRATED_DIFFICULTY}, "
        "due_at, last_seen_at, times_seen FROM question_progress WHERE box >= 1 AND due_at IS NOT NULL"
    )
    with op.batch_alter_table("question_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_progress_due_at"))
        batch_op.drop_column("due_at")
        batch_op.drop_column("box")


def downgrade():
    with op.batch_alter_table("question_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("box", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("due_at", UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_question_progress_due_at"), ["due_at"], unique=False)
    # Back to the box whose interval the card's stability reaches.
    boxes = " ".join(
        f"WHEN review_card.stability >= {days} THEN {box}"
        for box, days in sorted(BOX_STABILITY_DAYS.items(), reverse=True)
    )
    op.execute(
        f"UPDATE question_progress SET box = (SELECT CASE {boxes} ELSE 1 END FROM review_card "
        "WHERE review_card.user_id = question_progress.user_id AND review_card.question_id = question_progress.question_id), "
        "due_at = (SELECT review_card.due_at FROM review_card "
        "WHERE review_card.user_id = question_progress.user_id AND review_card.question_id = question_progress.question_id)"
    )
    op.execute("UPDATE question_progress SET box = 0 WHERE box IS NULL")
    with op.batch_alter_table("question_progress", schema=None) as batch_op:
        batch_op.alter_column("box", existing_type=sa.Integer(), nullable=False)
    op.drop_table("practice_answer")
    op.drop_table("review_card")
