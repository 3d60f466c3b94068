"""The Wellbeing page's writes: a one-to-one recorded by a Captain, and the audit note of a wellbeing view."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from dashboard import access, audit, db as dbmod, models

MAX_NOTE_LENGTH = 1000


def record_one_to_one(
    url: str, session_id: int, email: str, recorder: access.Viewer, held_on: date, note: str | None = None
) -> int:
    """Store a one-to-one recorded by the Djangonaut's Captain or an organiser (and its audit entry); returns its id."""
    email = (email or "").strip().lower()
    captain = (recorder.email or "").strip().lower()
    if not email or not captain:
        raise ValueError("Choose the Djangonaut and sign in as their Captain before recording a one-to-one.")
    if not isinstance(held_on, date):
        raise ValueError("Give the date of the one-to-one (YYYY-MM-DD).")
    if isinstance(held_on, datetime):
        held_on = held_on.date()
    if held_on > date.today() + timedelta(days=1):
        raise ValueError(f"{held_on.isoformat()} is in the future; record a one-to-one once it has happened.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"Keep the note under {MAX_NOTE_LENGTH} characters (it has {len(note)}).")
    with dbmod.write(
        url,
        actor=captain,
        action="one_to_one_recorded",
        session_id=session_id,
        subject=email,
        detail=f"held on {held_on.isoformat()}",
    ) as change:
        db = change.db
        if db.get(models.Session, session_id) is None:
            raise ValueError(f"Session {session_id} not found; pick a session that exists.")
        team = db.scalar(
            select(models.Person.team).where(
                models.Person.session_id == session_id, models.Person.email == email, models.Person.role == "djangonaut"
            )
        )
        if not access.may_read_notes(recorder, team):  # their Captain or an organiser, as for their notes
            raise PermissionError(
                f"Only {email}'s Captain or an organiser can record their one-to-ones, and {captain} "
                "is neither; sign in as their Captain or ask an organiser to record it."
            )
        meeting = models.OneToOne(
            session_id=session_id, email=email, captain=captain, held_on=held_on, note=note or None
        )
        db.add(meeting)
        db.flush()
        return int(meeting.id)


def record_wellbeing_view(url: str, session_id: int, actor: str, email: str) -> None:
    """Note in the audit log that someone opened a person's wellbeing details."""
    audit.record(url, actor, "wellbeing_viewed", subject=email, detail="wellbeing details", session_id=session_id)
