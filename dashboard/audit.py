"""The audit log: who read personal data in bulk, who changed reviews, decisions, teams and data, when.

Rows live in the ``audit_log`` table (models.AuditEntry). Two paths lead here, and nothing
else writes to it: ``dashboard.db.write`` (every change to stored data, its entry in the same
transaction) and ``read_sensitive`` (every bulk read of wellbeing data: the "who to check on"
cards, ``signals``). Actors are lower-case e-mails, or ``cli:<user>`` for the command line.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeVar

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models

COLUMNS = ["at", "actor", "action", "session_id", "subject", "detail"]
MAX_DETAIL = 2000

# The actions Mission Control records, with the words the audit page shows for them.
ACTIONS = {
    "wellbeing_viewed": "Opened wellbeing details",
    "one_to_one_recorded": "Recorded a one-to-one",
    "review_saved": "Saved a review",
    "blind_review_changed": "Changed blind review",
    "decision_changed": "Changed a decision",
    "save_teams": "Saved teams",
    "file_imported": "Imported a file",
    "sheets_synced": "Synced Google Sheets",
    "digest_sent": "Sent a weekly digest",
    "digest_preference": "Changed who gets the weekly digest",
    "mapping_saved": "Saved a column mapping",
    "demo_built": "Built the demo program",
    "import_failed": "An import or sync failed",
    "signals_read": "Listed wellbeing signals",
    "check_on_viewed": "Opened who to check on",
}
T = TypeVar("T")


def cli_actor() -> str:
    """Who runs a command when nobody is signed in: 'cli:<operating-system user>'."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in a bare container: the uid still tells who it was
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"cli:{user}"


def _clean(actor: str | None) -> str:
    return (actor or "unknown").strip().lower() or "unknown"


def add(
    db: OrmSession,
    actor: str | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
    session_id: int | None = None,
    at: datetime | None = None,
) -> models.AuditEntry:
    """Add one audit entry to an open transaction (it commits with the change it describes)."""
    entry = models.AuditEntry(
        actor=_clean(actor),
        action=action[:50],
        session_id=session_id,
        subject=subject,
        detail=None if detail is None else str(detail)[:MAX_DETAIL],
    )
    if at is not None:
        entry.at = at
    db.add(entry)
    return entry


def record(
    url: str,
    actor: str | None,
    action: str,
    subject: str | None = None,
    detail: str | None = None,
    session_id: int | None = None,
) -> None:
    """Note a read of personal data in its own transaction (changes go through dashboard.db.write)."""
    with dbmod.transaction(url) as db:
        add(db, actor, action, subject, detail, session_id)


def read_sensitive(
    url: str,
    load: Callable[[], T],
    *,
    actor: str,
    action: str,
    session_id: int | None,
    subject: str | None = None,
    detail: str | None = None,
) -> T:
    """The one way to read wellbeing data in bulk (names with reasons): load it, then note who read what."""
    if not (actor or "").strip():
        raise ValueError("Reading wellbeing data in bulk needs an actor (who reads it) for the audit log.")
    result = load()
    record(url, actor, action, subject, detail, session_id)
    return result


def entries(
    url: str,
    session_id: int | None = None,
    *,
    action: str | None = None,
    actor: str | None = None,
    subject: str | None = None,
    session_ids: Collection[int] | None = None,
    limit: int = 5000,
) -> pd.DataFrame:
    """Audit entries, newest first, optionally of one session (or of some), action, actor or subject."""
    a = models.AuditEntry
    query = select(a.at, a.actor, a.action, a.session_id, a.subject, a.detail)
    if session_id is not None:
        query = query.where(a.session_id == session_id)
    if session_ids is not None:
        query = query.where(a.session_id.in_([int(i) for i in session_ids]))
    if action:
        query = query.where(a.action == action)
    if actor:
        query = query.where(a.actor == _clean(actor))
    if subject:
        query = query.where(a.subject == subject)
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(query.order_by(a.at.desc(), a.id.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Audit entries with the action in words, for a table on screen or a CSV."""
    out = frame.copy()
    out["action"] = out["action"].map(lambda key: ACTIONS.get(key, key))
    return out.rename(
        columns={
            "at": "When (UTC)",
            "actor": "Who",
            "action": "What",
            "subject": "About",
            "detail": "Detail",
            "session_id": "Session",
        }
    )
