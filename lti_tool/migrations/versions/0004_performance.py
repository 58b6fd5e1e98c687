"""performance: drop pylti1p3's key/value launch store and the user's last launch time, which nothing read

(the enrollment keeps its own last launch time, which the roster shows)

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 14:30:00
"""

from alembic import op
import sqlalchemy as sa
import lti_tool.models.base


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lti_key_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_key_value_expires_at'))
    op.drop_table('lti_key_value')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_launch_at')


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_launch_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=True))
    op.create_table('lti_key_value',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_key_value'))
    )
    with op.batch_alter_table('lti_key_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_key_value_expires_at'), ['expires_at'], unique=False)
