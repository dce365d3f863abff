"""the text alternative of a question's picture in each language

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

LANGUAGES = ('kk', 'ru', 'en')


def upgrade():
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        for lang in LANGUAGES:
            batch_op.add_column(sa.Column(f'image_alt_{lang}', sa.Text(), nullable=True))
    # Until the next import writes each language's alt text, every language keeps the one text there was.
    op.execute(
        'UPDATE question_revision SET image_alt_kk = image_alt, image_alt_ru = image_alt, image_alt_en = image_alt'
    )
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        batch_op.drop_column('image_alt')


def downgrade():
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_alt', sa.Text(), nullable=True))
    op.execute('UPDATE question_revision SET image_alt = image_alt_en')
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        for lang in LANGUAGES:
            batch_op.drop_column(f'image_alt_{lang}')
