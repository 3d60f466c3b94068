"""The digest's settings ([digest] send_day, cutoff_hours, app_url) and when a session week's cut-off is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dashboard.config import ConfigError, Settings
from dashboard.sessions import Session, week_end

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CAPTAIN, ORGANISER = "captain", "organiser"
KIND_LABELS = {CAPTAIN: "Captain's", ORGANISER: "Organisers'"}


class DigestRefused(Exception):
    """The run cannot start (demo data, a week that is not over); the message says what to do."""


@dataclass(frozen=True)
class DigestSettings:
    """[digest] send_day (0 = Monday), cutoff_hours after a week ends, app_url for the link."""

    send_day: int = 0
    cutoff_hours: float = 12.0
    app_url: str | None = None

    @property
    def send_day_name(self) -> str:
        return WEEKDAYS[self.send_day].capitalize()

    @property
    def link(self) -> str | None:
        """The Wellbeing page's address (streamlit_app.py serves each page at its key)."""
        return f"{self.app_url}/wellbeing" if self.app_url else None


def digest_settings(settings: Settings | None) -> DigestSettings:
    """The [digest] timing and link settings (defaults: Monday, 12 hours, no link)."""
    cfg = settings.section("digest") if settings is not None else {}
    day = str(cfg.get("send_day", "Monday")).strip().lower()
    if day not in WEEKDAYS:
        raise ConfigError(
            f'dashboard.toml [digest] send_day = {cfg.get("send_day")!r} is not a weekday; use e.g. "Monday".'
        )
    try:
        cutoff = float(cfg.get("cutoff_hours", 12))
    except (TypeError, ValueError):
        cutoff = -1.0
    if not 0 <= cutoff < 7 * 24:
        raise ConfigError(
            f"dashboard.toml [digest] cutoff_hours = {cfg.get('cutoff_hours')!r} must be a number of hours "
            "from 0 to 167 (how long after a week ends its check-ins still count)."
        )
    url = str(cfg.get("app_url") or "").strip().rstrip("/") or None
    return DigestSettings(WEEKDAYS.index(day), cutoff, url)


def week_cutoff(start_date: date, week: int, cutoff_hours: float) -> datetime:
    """When a session week's check-ins stop counting for its digest (UTC)."""
    return datetime.combine(week_end(start_date, week), time()) + timedelta(hours=cutoff_hours)


def latest_closed_week(session: Session, cutoff_hours: float, now: datetime) -> int | None:
    """The latest session week whose cut-off has passed (at most the session's last week); None before week 1's."""
    start = session.start_date
    if start is None:
        return None
    week = 0
    while week < session.weeks and week_cutoff(start, week + 1, cutoff_hours) <= now:
        week += 1
    return week or None


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y, %H:%M} UTC"
