"""Weekly digests: which went to whom for which week, and who opted out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('people', sa.JSON(), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'week', 'recipient', 'kind')
    )
    with op.batch_alter_table('digest_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_sends_session_id'), ['session_id'], unique=False)

    op.create_table('digest_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=320), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )


def downgrade() -> None:
    op.drop_table('digest_preferences')
    with op.batch_alter_table('digest_sends', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_sends_session_id'))
    op.drop_table('digest_sends')
