"""Digests, import warnings, saved column mappings, the site's Score, and half-hour availability slots.

One revision for everything this release adds on top of 0002:
- digest_sends (which weekly digest went to whom for which week) and digest_preferences (who opted out);
- import_warnings (a field stored empty or read with a caveat) and decisions.score (the site's own Score);
- column_mappings confirmed in the app, per session, source and table;
- people.availability and applications.availability become Djangonaut Space's half-hour UTC slots
  0.0..167.5 (hours from Sunday 00:00 UTC) instead of whole hour blocks 0..167. Upgrading is
  lossless: block h becomes slots h and h+0.5. Downgrading keeps the hours whose two halves are
  free, so a half-hour that only pairs across the hour (India, UTC+05:30) is lost there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

AVAILABILITY_TABLES = ("people", "applications")


def _rewrite_availability(convert) -> None:
    """Apply convert to every stored availability list of both tables (the JSON type reads and writes both dialects)."""
    bind = op.get_bind()
    for name in AVAILABILITY_TABLES:
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("availability", sa.JSON))
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
    op.create_table(
        "digest_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "week", "recipient", "kind"),
    )
    with op.batch_alter_table("digest_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_sends_session_id"), ["session_id"], unique=False)

    op.create_table(
        "digest_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=320), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )

    _rewrite_availability(_to_slots)

    op.create_table(
        "import_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("sheet", sa.String(length=200), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=500), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["raw_row_id"], ["raw_rows.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("raw_row_id", "column"),
    )
    with op.batch_alter_table("import_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_warnings_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_import_warnings_raw_row_id"), ["raw_row_id"], unique=False)
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))

    op.create_table(
        "column_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("table_name", sa.String(length=50), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "source", "table_name"),
    )
    with op.batch_alter_table("column_mappings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_column_mappings_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("column_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_column_mappings_session_id"))
    op.drop_table("column_mappings")

    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_column("score")
    with op.batch_alter_table("import_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_warnings_raw_row_id"))
        batch_op.drop_index(batch_op.f("ix_import_warnings_session_id"))
    op.drop_table("import_warnings")

    _rewrite_availability(_to_blocks)

    op.drop_table("digest_preferences")
    with op.batch_alter_table("digest_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_sends_session_id"))
    op.drop_table("digest_sends")
