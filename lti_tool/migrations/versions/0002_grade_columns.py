"""AGS scopes offered to each resource link

Revision ID: 0002
Revises: 0006
Create Date: 2026-12-01 14:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ags_scopes', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.drop_column('ags_scopes')
