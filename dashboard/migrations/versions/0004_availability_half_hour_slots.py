"""Availability is stored as Djangonaut Space's half-hour UTC slots instead of whole hour blocks.

people.availability and applications.availability held whole UTC hour blocks 0..167; they now
hold the site's slots 0.0..167.5 (hours from Sunday 00:00 UTC). Upgrading is lossless: block h
becomes slots h and h+0.5. Downgrading keeps the hours whose two halves are free, so a
half-hour that only pairs across the hour (India, UTC+05:30) is lost there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = ('people', 'applications')


def _rewrite(convert) -> None:
    """Apply convert to every stored availability list of both tables (the JSON type reads and writes both dialects)."""
    bind = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('availability', sa.JSON))
        rows = bind.execute(sa.select(table.c.id, table.c.availability).where(table.c.availability.is_not(None))).all()
        for row_id, value in rows:
            if isinstance(value, list):
                new = convert(value)
                if new != value:
                    bind.execute(table.update().where(table.c.id == row_id).values(availability=new))


def _to_slots(blocks: list) -> list:
    if any(not float(b).is_integer() for b in blocks):  # already half-hour slots
        return blocks
    return sorted({float(h) + half for h in blocks for half in (0.0, 0.5)})


def _to_blocks(slots: list) -> list:
    halves = {round(float(s) * 2) for s in slots}
    return sorted(h // 2 for h in halves if h % 2 == 0 and h + 1 in halves)


def upgrade() -> None:
    _rewrite(_to_slots)


def downgrade() -> None:
    _rewrite(_to_blocks)
