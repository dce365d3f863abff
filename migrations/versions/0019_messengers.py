"""phone numbers confirmed by a one-time code; messenger channels

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-03 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_confirmed_at', app.core.types.UTCDateTime(timezone=True), nullable=True))

    op.create_table('phone_code',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_phone_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_phone_code'))
    )


def downgrade():
    op.drop_table('phone_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('phone_confirmed_at')
