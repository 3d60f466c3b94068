"""A session as every reader sees it (one frozen Session), the week arithmetic, and finding and creating sessions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import models
from dashboard.config import Settings
from dashboard.models import DEFAULT_BLIND_REVIEW, DEFAULT_EXPECTED_HOURS, DEFAULT_WEEKS
from dashboard.values import as_date


def week_of(start_date: date, day: date) -> int:
    """The session week a day falls in (week 1 starts on the start date; not clamped to the session)."""
    return (day - start_date).days // 7 + 1


def week_start(start_date: date, week: int) -> date:
    """The first day of a session week."""
    return start_date + timedelta(days=7 * (week - 1))


def week_end(start_date: date, week: int) -> date:
    """The day after a session week's last day (an exclusive end: the next week's first day)."""
    return week_start(start_date, week + 1)


@dataclass(frozen=True)
class Session:
    """One mentorship session as every reader sees it, built from its database row by from_row."""

    id: int | None  # None for a session not stored (yet): an import's preview, or a bare calendar
    name: str
    start_date: date | None = None
    weeks: int = DEFAULT_WEEKS
    expected_hours: float = DEFAULT_EXPECTED_HOURS
    blind_review: bool = DEFAULT_BLIND_REVIEW
    data_version: int = 0

    @classmethod
    def from_row(cls, row: Any) -> Session:
        """A Session from a sessions row: a mapping (a frame's row) or the ORM model; missing values take the defaults."""
        get = row.get if isinstance(row, Mapping) or hasattr(row, "iloc") else (lambda key: getattr(row, key, None))
        blind = get("blind_review")
        return cls(
            id=None if get("id") is None else int(get("id")),
            name=str(get("name")),
            start_date=as_date(get("start_date")),
            weeks=int(get("weeks") or DEFAULT_WEEKS),
            expected_hours=float(get("expected_hours") or DEFAULT_EXPECTED_HOURS),
            blind_review=DEFAULT_BLIND_REVIEW if blind is None else bool(blind),
            data_version=int(get("data_version") or 0),
        )

    @classmethod
    def calendar(cls, start_date: date | None, weeks: int) -> Session:
        """A bare calendar (no id, no name): for week arithmetic where only the start date and length are known."""
        return cls(id=None, name="", start_date=start_date, weeks=int(weeks or DEFAULT_WEEKS))

    def current_week(self, today: date | None = None) -> int:
        """The session week 'today' falls in, kept within 1..weeks (1 without a start date)."""
        if self.start_date is None:
            return 1
        return max(1, min(self.weeks, week_of(self.start_date, today or date.today())))


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
        weeks=int(overrides.get("weeks", cfg.get("weeks", DEFAULT_WEEKS))),
        expected_hours=float(overrides.get("expected_hours", cfg.get("expected_hours", DEFAULT_EXPECTED_HOURS))),
        blind_review=bool(overrides.get("blind_review", cfg.get("blind_review", DEFAULT_BLIND_REVIEW))),
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
            raise SessionNotFound(
                f"Session '{name}' not found ({hint}); run 'python -m dashboard demo' or import a file."
            )
        raise SessionNotFound("The database has no session yet; run 'python -m dashboard demo' or import a file.")
    return found


def list_sessions(db: OrmSession) -> list[models.Session]:
    """All sessions, oldest first."""
    return list(
        db.scalars(select(models.Session).order_by(models.Session.start_date.asc().nulls_last(), models.Session.id))
    )
