"""Column mappings confirmed in the app, per session, source and table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('table_name', sa.String(length=50), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'source', 'table_name')
    )
    with op.batch_alter_table('column_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_column_mappings_session_id'), ['session_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('column_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_column_mappings_session_id'))
    op.drop_table('column_mappings')
