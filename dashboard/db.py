"""Engine, the one audited write path and schema migrations (Alembic) for SQLite and PostgreSQL.

Every change to stored data goes through ``write``: one transaction that, when it changed
anything, also holds the audit entry saying who changed what, and bumps the session's data
version so cached views reload. Only audit.record also opens a ``transaction`` (a read of
personal data leaves an entry but changes no data); tests/test_audit_trail.py keeps it so.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession

from dashboard import models

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    """One engine per database URL for the life of the process."""
    if url.startswith("sqlite:///"):
        # A folder that cannot be made is reported by SQLite on connect, like any database that cannot be opened.
        with suppress(OSError):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def alembic_config(url: str):
    """An Alembic Config pointing at our migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# The newest revision in migrations/versions (tests/test_migrations.py checks it is Alembic's head):
# a database already there is not handed to Alembic, whose import costs a second on every server start.
HEAD_REVISION = "0003"


def stored_revision(url: str) -> str | None:
    """The schema revision the database records, or None when it has none yet."""
    try:
        with get_engine(url).connect() as conn:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        return None


def migrate(url: str) -> None:
    """Bring the database schema up to date (creates it when empty)."""
    get_engine(url)  # creates the SQLite folder
    if stored_revision(url) == HEAD_REVISION:
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


@contextmanager
def transaction(url: str) -> Iterator[OrmSession]:
    """One unit of work, committed when the block ends: only for write() and audit.record (a test keeps it so)."""
    with OrmSession(get_engine(url), expire_on_commit=False) as db:
        with db.begin():
            yield db


@dataclass
class Change:
    """What a write() block is doing: its ORM session and the audit entry it will leave.

    The block may fill in what it learns on the way (the session it created, a detail with
    counts), add one entry per item with ``entry`` (a decision per application), and set
    ``bump`` to False when only bookkeeping changed (a re-import of identical rows).
    """

    db: OrmSession
    actor: str
    action: str
    session_id: int | None = None
    subject: str | None = None
    detail: str | None = None
    bump: bool = True
    at: datetime | None = None
    entries: list[tuple[str | None, str | None]] = field(default_factory=list)
    changed: bool = False

    def entry(self, subject: str | None, detail: str | None = None) -> None:
        """One more audit entry for this action (instead of the single default one)."""
        self.entries.append((subject, detail))


def _note_changes(change: Change):
    def after_flush(db: OrmSession, _context) -> None:
        if db.new or db.deleted or any(db.is_modified(obj) for obj in db.dirty):
            change.changed = True

    return after_flush


@contextmanager
def write(
    url: str,
    *,
    actor: str,
    action: str,
    session_id: int | None = None,
    subject: str | None = None,
    detail: str | None = None,
) -> Iterator[Change]:
    """The one way to change stored data: one transaction with its audit entry and a new data version.

    When the block changed nothing, nothing is written (no entry, no new version); when it did,
    the audit entry (or one per ``change.entry``) commits or rolls back with the change itself.
    """
    from dashboard import audit

    if not (actor or "").strip():
        raise ValueError("Every change to Mission Control's data needs an actor (who made it) for the audit log.")
    with transaction(url) as db:
        change = Change(db, actor, action, session_id, subject, detail)
        listener = _note_changes(change)
        event.listen(db, "after_flush", listener)
        try:
            yield change
            db.flush()
        finally:
            event.remove(db, "after_flush", listener)
        if change.changed:
            for entry_subject, entry_detail in change.entries or [(change.subject, change.detail)]:
                audit.add(db, change.actor, change.action, entry_subject, entry_detail, change.session_id, change.at)
            if change.bump and change.session_id is not None:
                _bump_data_version(db, change.session_id)


def _bump_data_version(db: OrmSession, session_id: int) -> None:
    """Mark a session's data as changed so cached views reload it."""
    session = db.get(models.Session, session_id)
    if session is not None:
        session.data_version = (session.data_version or 0) + 1


def data_version(url: str, session_id: int) -> int:
    """The session's data version: a cheap number that changes whenever its data does."""
    with OrmSession(get_engine(url)) as db:
        return db.scalar(select(models.Session.data_version).where(models.Session.id == session_id)) or 0


def is_empty(url: str) -> bool:
    """True when the database has no schema or no session yet."""
    from sqlalchemy import inspect

    engine = get_engine(url)
    if "sessions" not in inspect(engine).get_table_names():
        return True
    with OrmSession(engine) as db:
        return (db.scalar(select(func.count()).select_from(models.Session)) or 0) == 0
