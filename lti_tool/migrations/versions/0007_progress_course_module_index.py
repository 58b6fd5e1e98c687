"""progress indexed by (course, module) instead of by course alone

The tutor's course matrix finds the modules a course has progress in by probing this index once per module;
every other read of a course's progress uses its leading column as it used the old index.

Revision ID: 0007
Revises: 0005
"""

from alembic import op


revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_progress_course_id_module_slug', 'progress', ['course_id', 'module_slug'])
    op.drop_index('ix_progress_course_id', table_name='progress')


def downgrade() -> None:
    op.create_index('ix_progress_course_id', 'progress', ['course_id'])
    op.drop_index('ix_progress_course_id_module_slug', table_name='progress')
