"""Check-ins count tickets closed beside tickets progressed (talks quote both).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 07:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.add_column(sa.Column("tickets_closed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch_op:
        batch_op.drop_column("tickets_closed")
