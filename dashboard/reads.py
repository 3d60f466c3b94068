"""Read the database into DataFrames: one loader per table, one query each.

These are plain functions of (database URL, session id); the app caches them by the
session's data version (dashboard.ui.loaders) and applies dashboard.access before showing.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, fields, models
from dashboard.sessions import Session

EXTRA_COLUMNS = {"applications": ["extra"], "reviews": ["scores"]}


def _columns(table: str) -> list[str]:
    model = models.TABLE_MODELS[table]
    return [c for c in model.__table__.columns.keys() if c not in ("id", "session_id")]


def load_table(url: str, session_id: int, table: str) -> pd.DataFrame:
    """All canonical rows of one table for a session, with the canonical column names."""
    fields.table(table)
    model = models.TABLE_MODELS[table]
    columns = _columns(table)
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(select(*[getattr(model, c) for c in columns]).where(model.session_id == session_id)).all()
    return pd.DataFrame(rows, columns=columns)


def load_one_to_ones(url: str, session_id: int) -> pd.DataFrame:
    """Captains' recorded one-to-ones for a session."""
    columns = ["email", "captain", "held_on", "note", "created_at"]
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(*[getattr(models.OneToOne, c) for c in columns]).where(models.OneToOne.session_id == session_id)
        ).all()
    return pd.DataFrame(rows, columns=columns)


def sessions_frame(url: str) -> pd.DataFrame:
    """Every session with its dates and settings, oldest first."""
    columns = ["id", "name", "start_date", "weeks", "expected_hours", "blind_review", "data_version"]
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(*[getattr(models.Session, c) for c in columns]).order_by(
                models.Session.start_date.asc().nulls_last(), models.Session.id
            )
        ).all()
    return pd.DataFrame(rows, columns=columns)


def session(url: str, session_id: int) -> Session:
    """One stored session; LookupError (with what to do) when there is none with this id."""
    with OrmSession(dbmod.get_engine(url)) as db:
        found = db.get(models.Session, session_id)
        if found is None:
            raise LookupError(f"Session {session_id} not found; pick a session that exists.")
        return Session.from_row(found)


def sync_runs_frame(url: str, session_id: int, limit: int = 200) -> pd.DataFrame:
    """Recent imports and syncs of a session, newest first."""
    columns = [
        "id",
        "source",
        "kind",
        "started_at",
        "finished_at",
        "status",
        "rows_read",
        "rows_stored",
        "rows_rejected",
        "error",
        "summary",
    ]
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(*[getattr(models.SyncRun, c) for c in columns])
            .where(models.SyncRun.session_id == session_id)
            .order_by(models.SyncRun.id.desc())
            .limit(limit)
        ).all()
    frame = pd.DataFrame(rows, columns=columns)
    frame["seconds"] = (
        (pd.to_datetime(frame["finished_at"]) - pd.to_datetime(frame["started_at"])).dt.total_seconds().round(2)
    )
    return frame


def last_sync_run_id(url: str) -> int:
    """The newest import or sync run's id (0 when none): a run that changed no data still changes this."""
    with OrmSession(dbmod.get_engine(url)) as db:
        return int(db.scalar(select(func.max(models.SyncRun.id))) or 0)


def rejected_rows_frame(url: str, session_id: int) -> pd.DataFrame:
    """Rows that could not be stored, with the reason and the source they came from."""
    r, raw = models.RejectedRow, models.RawRow
    columns = ["table_name", "source", "sheet", "row_number", "column", "value", "code", "reason", "data"]
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(r.table_name, raw.source, r.sheet, r.row_number, r.column, r.value, r.code, r.reason, raw.data)
            .join(raw, raw.id == r.raw_row_id)
            .where(r.session_id == session_id)
            .order_by(r.table_name, r.sheet, r.row_number)
        ).all()
    return pd.DataFrame(rows, columns=columns)


def import_warnings_frame(url: str, session_id: int) -> pd.DataFrame:
    """Fields of stored rows that were stored empty or read with a caveat, with the sentence saying what to do."""
    w, raw = models.ImportWarning, models.RawRow
    columns = ["table_name", "source", "sheet", "row_number", "column", "value", "code", "message"]
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(w.table_name, raw.source, w.sheet, w.row_number, w.column, w.value, w.code, w.message)
            .join(raw, raw.id == w.raw_row_id)
            .where(w.session_id == session_id)
            .order_by(w.table_name, w.sheet, w.row_number, w.column)
        ).all()
    return pd.DataFrame(rows, columns=columns)


def table_counts(url: str, session_id: int) -> dict[str, int]:
    """How many canonical rows each table holds for a session."""
    counts = {}
    with OrmSession(dbmod.get_engine(url)) as db:
        for name, model in models.TABLE_MODELS.items():
            counts[name] = db.scalar(select(func.count()).select_from(model).where(model.session_id == session_id)) or 0
    return counts


def demo_session_ids(url: str) -> set[int]:
    """Sessions that hold nothing but the demo generator's data: every import or sync into them, failed ones
    included (their error text may quote a file), was a demo build."""
    run = models.SyncRun
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(
            select(run.session_id, func.count(), func.sum(case((run.kind == "demo", 1), else_=0))).group_by(
                run.session_id
            )
        ).all()
    return {int(session_id) for session_id, runs, demo in rows if runs and runs == demo}


def is_demo_session(url: str, session_id: int) -> bool:
    """True when all of a session's data came from the demo generator (demo_session_ids decides)."""
    return session_id in demo_session_ids(url)
