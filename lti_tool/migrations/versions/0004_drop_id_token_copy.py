"""drop lti_key_value: pylti1p3's copy of every id_token body, written once and never read back

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
import lti_tool.models.base


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lti_key_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_key_value_expires_at'))

    op.drop_table('lti_key_value')


def downgrade() -> None:
    op.create_table('lti_key_value',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('expires_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_key_value'))
    )
    with op.batch_alter_table('lti_key_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_key_value_expires_at'), ['expires_at'], unique=False)
