"""Engine, transactions and schema migrations (Alembic) for SQLite and PostgreSQL."""
from __future__ import annotations

from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
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


def migrate(url: str) -> None:
    """Bring the database schema up to date (creates it when empty)."""
    from alembic import command

    get_engine(url)  # creates the SQLite folder
    command.upgrade(alembic_config(url), "head")


@contextmanager
def transaction(url: str) -> Iterator[OrmSession]:
    """One unit of work: committed when the block ends, rolled back entirely on error."""
    with OrmSession(get_engine(url), expire_on_commit=False) as db:
        with db.begin():
            yield db


def bump_data_version(db: OrmSession, session_id: int) -> None:
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
