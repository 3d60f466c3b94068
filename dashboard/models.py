"""SQLAlchemy models: the canonical tables plus sessions and the import log.

Every program table is scoped to a session. Lists and availability are stored as JSON.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# A session's defaults (a new session, and a stored row with the value missing): the one place for them.
DEFAULT_WEEKS = 8
DEFAULT_EXPECTED_HOURS = 4.0
DEFAULT_BLIND_REVIEW = True


class Session(Base):
    """One mentorship session (e.g. '2026 Session 6')."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer, default=DEFAULT_WEEKS)
    expected_hours: Mapped[float] = mapped_column(Float, default=DEFAULT_EXPECTED_HOURS)
    blind_review: Mapped[bool] = mapped_column(Boolean, default=DEFAULT_BLIND_REVIEW)
    # Bumped by every write to the session; the app's caches are keyed by it.
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def _session_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("session_id", "email"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    github: Mapped[str | None] = mapped_column(String(100))
    pronouns: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(200))
    project: Mapped[str | None] = mapped_column(String(200))
    availability: Mapped[list | None] = mapped_column(JSON)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("session_id", "response_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    response_id: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(300))
    github: Mapped[str | None] = mapped_column(String(100))
    pronouns: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(100))
    experience_level: Mapped[str | None] = mapped_column(String(100))
    django_experience: Mapped[str | None] = mapped_column(Text)
    contributed_before: Mapped[bool | None] = mapped_column(Boolean)
    project_preferences: Mapped[list | None] = mapped_column(JSON)
    hours_available: Mapped[float | None] = mapped_column(Float)
    availability: Mapped[list | None] = mapped_column(JSON)
    motivation: Mapped[str | None] = mapped_column(Text)
    resilience: Mapped[str | None] = mapped_column(Text)
    community: Mapped[str | None] = mapped_column(Text)
    tutorial_completed: Mapped[bool | None] = mapped_column(Boolean)
    underrepresented: Mapped[bool | None] = mapped_column(Boolean)
    gender_minority: Mapped[bool | None] = mapped_column(Boolean)
    extra: Mapped[dict | None] = mapped_column(JSON)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("session_id", "response_id", "reviewer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    response_id: Mapped[str] = mapped_column(String(100))
    reviewer: Mapped[str] = mapped_column(String(320))
    scores: Mapped[dict | None] = mapped_column(JSON)
    overall: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    conflict_of_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("session_id", "response_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    response_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    rank: Mapped[int | None] = mapped_column(Integer)
    team: Mapped[str | None] = mapped_column(String(200))
    # The program's own aggregate Score, as Djangonaut Space's site keeps it (imported from its Full CSV).
    score: Mapped[float | None] = mapped_column(Float)


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("session_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    name: Mapped[str] = mapped_column(String(200))
    project: Mapped[str | None] = mapped_column(String(200))
    navigators: Mapped[list | None] = mapped_column(JSON)
    captain: Mapped[str | None] = mapped_column(String(320))


class Checkin(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("session_id", "email", "week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    email: Mapped[str] = mapped_column(String(320))
    week: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    hours: Mapped[float | None] = mapped_column(Float)
    energy: Mapped[int | None] = mapped_column(Integer)
    burnout: Mapped[int | None] = mapped_column(Integer)
    blockers: Mapped[str | None] = mapped_column(Text)
    attended_standup: Mapped[bool | None] = mapped_column(Boolean)
    met_captain: Mapped[bool | None] = mapped_column(Boolean)
    prs_opened: Mapped[int | None] = mapped_column(Integer)
    prs_merged: Mapped[int | None] = mapped_column(Integer)
    review_comments: Mapped[int | None] = mapped_column(Integer)
    tickets_progressed: Mapped[int | None] = mapped_column(Integer)
    tickets_closed: Mapped[int | None] = mapped_column(Integer)
    wants_one_to_one: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(Text)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("session_id", "email", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    email: Mapped[str] = mapped_column(String(320))
    stage: Mapped[str] = mapped_column(String(10))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    confidence: Mapped[int | None] = mapped_column(Integer)
    comfortable_contributing: Mapped[bool | None] = mapped_column(Boolean)
    free_text: Mapped[str | None] = mapped_column(Text)


class OneToOne(Base):
    """A Captain's record that they checked in with a Djangonaut."""

    __tablename__ = "one_to_ones"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    email: Mapped[str] = mapped_column(String(320))
    captain: Mapped[str] = mapped_column(String(320))
    held_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Who looked at or changed something personal, and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    subject: Mapped[str | None] = mapped_column(String(320))
    detail: Mapped[str | None] = mapped_column(Text)


class SyncRun(Base):
    """One import or sync attempt of one source, successful or not."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))  # "import" | "sync" | "demo"
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict | None] = mapped_column(JSON)


class RawRow(Base):
    """Every row ever read from a source, exactly as read (nothing is lost)."""

    __tablename__ = "raw_rows"
    __table_args__ = (UniqueConstraint("session_id", "table_name", "source", "sheet", "row_number", "row_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    table_name: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(500))
    sheet: Mapped[str] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)
    row_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"), index=True)


class RejectedRow(Base):
    """A raw row that could not become a canonical row, and why."""

    __tablename__ = "rejected_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id", ondelete="CASCADE"), unique=True)
    table_name: Mapped[str] = mapped_column(String(50))
    sheet: Mapped[str] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(500))
    value: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)


class ImportWarning(Base):
    """A stored row with a field that could not be read and was stored empty (or read with a caveat), and why."""

    __tablename__ = "import_warnings"
    __table_args__ = (UniqueConstraint("raw_row_id", "column"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(50))
    sheet: Mapped[str] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(500))
    value: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)


TABLE_MODELS: dict[str, type[Base]] = {
    "people": Person,
    "applications": Application,
    "reviews": Review,
    "decisions": Decision,
    "teams": Team,
    "checkins": Checkin,
    "surveys": Survey,
}


class DigestSend(Base):
    """One weekly digest the mail server accepted for one recipient: the record that stops it going twice."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("session_id", "week", "recipient", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    week: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(20))  # "captain" | "organiser"
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    people: Mapped[list | None] = mapped_column(JSON)  # e-mails of the Djangonauts the message names
    message_id: Mapped[str | None] = mapped_column(String(300))


class DigestPreference(Base):
    """A recipient's choice about the weekly digest; program-wide, so it outlives the session it was made in."""

    __tablename__ = "digest_preferences"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(320))


class ColumnMapping(Base):
    """The columns of one source mapped to one canonical table, as an organiser confirmed them in the app.

    ``mapping`` is {question text: target} like dashboard.toml [mapping.<table>]; '' keeps a column out of
    every field. Imports and syncs of the source use it before dashboard.toml (dashboard.mapping_store).
    """

    __tablename__ = "column_mappings"
    __table_args__ = (UniqueConstraint("session_id", "source", "table_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = _session_fk()
    source: Mapped[str] = mapped_column(String(500))
    table_name: Mapped[str] = mapped_column(String(50))
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(320))
