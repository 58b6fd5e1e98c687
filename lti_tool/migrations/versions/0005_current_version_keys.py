"""add the current-version foreign keys that 0001 left out on PostgreSQL

0001 declares ``module.current_version_id`` and ``quiz.current_version_id`` with ``use_alter`` foreign keys.
Inside ``create_table`` Alembic leaves such constraints out on PostgreSQL (SQLite writes them inline), so a
PostgreSQL database never had them: a module could point at a version that does not exist. This adds each key
where the database lacks it.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

KEYS = (
    ('fk_module_current_version', 'module', 'module_version'),
    ('fk_quiz_current_version', 'quiz', 'quiz_version'),
)


def _has_key(table, name):
    return any(fk.get('name') == name for fk in sa.inspect(op.get_bind()).get_foreign_keys(table))


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    for name, table, target in KEYS:
        if not _has_key(table, name):
            op.create_foreign_key(name, table, target, ['current_version_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        return
    for name, table, _target in KEYS:
        if _has_key(table, name):
            op.drop_constraint(name, table, type_='foreignkey')
