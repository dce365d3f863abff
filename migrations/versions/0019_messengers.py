"""phone numbers confirmed by a one-time code; messenger channels

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
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

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telegram_sent_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('whatsapp_sent_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('channels', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('channel_errors', sa.JSON(), nullable=True))

    op.create_table('message_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('telegram_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('telegram_linked_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('whatsapp_opt_in_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_message_settings_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_message_settings')),
    sa.UniqueConstraint('telegram_chat_id', name=op.f('uq_message_settings_telegram_chat_id'))
    )

    op.create_table('telegram_link_token',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_telegram_link_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_telegram_link_token'))
    )
    with op.batch_alter_table('telegram_link_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telegram_link_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('telegram_link_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telegram_link_token_user_id'))
    op.drop_table('telegram_link_token')
    op.drop_table('message_settings')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('channel_errors')
        batch_op.drop_column('channels')
        batch_op.drop_column('whatsapp_sent_at')
        batch_op.drop_column('telegram_sent_at')
    op.drop_table('phone_code')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('phone_confirmed_at')
