"""review metadata on published versions: who reviewed, when the next review is due, quiz sources

Revision ID: 0006
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0001'
branch_labels = None
depends_on = None

REVIEWED_TABLES = ('module_version', 'page', 'quiz_version')


def upgrade() -> None:
    for table in REVIEWED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('reviewed_by', sa.String(length=300), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('next_review', sa.Date(), nullable=True))
    with op.batch_alter_table('quiz_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sources', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('quiz_version', schema=None) as batch_op:
        batch_op.drop_column('sources')
    for table in reversed(REVIEWED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('next_review')
            batch_op.drop_column('reviewed_by')
