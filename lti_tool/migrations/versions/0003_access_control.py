"""access control: command-line admin grants and one-time Dynamic Registration invitations

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import lti_tool.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('all_platforms', sa.Boolean(), nullable=False),
    sa.Column('content', sa.Boolean(), nullable=False),
    sa.Column('granted_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_admin_grant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_grant')),
    sa.UniqueConstraint('user_id', name=op.f('uq_admin_grant_user_id'))
    )
    op.create_table('registration_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=300), nullable=False),
    sa.Column('created_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', lti_tool.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_registration_invite_platform_id_platform'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_invite')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_registration_invite_token_sha256'))
    )


def downgrade() -> None:
    op.drop_table('registration_invite')
    op.drop_table('admin_grant')
