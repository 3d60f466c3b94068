"""Finding and creating sessions: every command works on one session."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import models
from dashboard.config import Settings


class SessionNotFound(LookupError):
    pass


def _configured(settings: Settings) -> dict:
    return settings.section("session")


def get_or_create_session(db: OrmSession, settings: Settings, name: str | None = None) -> models.Session:
    """The named session (created if new), else the configured one, else the latest."""
    name = name or settings.session_name
    if name:
        found = db.scalar(select(models.Session).where(models.Session.name == name))
        if found:
            return found
        return create_session(db, settings, name)
    latest = db.scalar(select(models.Session).order_by(models.Session.id.desc()).limit(1))
    return latest or create_session(db, settings, "Session 1")


def create_session(db: OrmSession, settings: Settings, name: str, **overrides) -> models.Session:
    """A new session, taking start date, weeks and expected hours from [session] when it matches."""
    cfg = _configured(settings) if _configured(settings).get("name") in (None, name) else {}
    start = overrides.get("start_date", cfg.get("start_date"))
    if isinstance(start, str):
        start = date.fromisoformat(start)
    session = models.Session(
        name=name,
        start_date=start,
        weeks=int(overrides.get("weeks", cfg.get("weeks", 8))),
        expected_hours=float(overrides.get("expected_hours", cfg.get("expected_hours", 4.0))),
        blind_review=bool(overrides.get("blind_review", cfg.get("blind_review", True))),
        data_version=0,
    )
    db.add(session)
    db.flush()
    return session


def find_session(db: OrmSession, settings: Settings, name: str | None = None) -> models.Session:
    """An existing session (named, configured or latest); raises SessionNotFound with a hint."""
    name = name or settings.session_name
    query = select(models.Session)
    query = query.where(models.Session.name == name) if name else query.order_by(models.Session.id.desc()).limit(1)
    found = db.scalar(query)
    if found is None:
        if name:
            known = db.scalars(select(models.Session.name)).all()
            hint = f"known sessions: {', '.join(known)}" if known else "the database has no session yet"
            raise SessionNotFound(f"Session '{name}' not found ({hint}); run 'python -m dashboard demo' or import a file.")
        raise SessionNotFound("The database has no session yet; run 'python -m dashboard demo' or import a file.")
    return found


def list_sessions(db: OrmSession) -> list[models.Session]:
    """All sessions, oldest first."""
    return list(db.scalars(select(models.Session).order_by(models.Session.start_date.asc().nulls_last(), models.Session.id)))
