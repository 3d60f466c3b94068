"""Import warnings (a field stored empty or read with a caveat) and the site's own Score on decisions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('raw_row_id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=50), nullable=False),
    sa.Column('sheet', sa.String(length=200), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=500), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['raw_row_id'], ['raw_rows.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('raw_row_id', 'column')
    )
    with op.batch_alter_table('import_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_warnings_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_warnings_raw_row_id'), ['raw_row_id'], unique=False)
    with op.batch_alter_table('decisions') as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decisions') as batch_op:
        batch_op.drop_column('score')
    with op.batch_alter_table('import_warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_warnings_raw_row_id'))
        batch_op.drop_index(batch_op.f('ix_import_warnings_session_id'))
    op.drop_table('import_warnings')
