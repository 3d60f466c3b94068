"""Opting out of the digest, and what the Wellbeing page shows of the digests sent."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import access, db as dbmod, models
from dashboard.digest.settings import KIND_LABELS
from dashboard.mailer import is_address


def opted_out(url: str) -> set[str]:
    """E-mails that asked not to get the digest."""
    with OrmSession(dbmod.get_engine(url)) as db:
        return set(db.scalars(select(models.DigestPreference.email).where(models.DigestPreference.opted_out.is_(True))))


def is_opted_out(url: str, email: str) -> bool:
    """True when this person asked not to get the digest."""
    return (email or "").strip().lower() in opted_out(url)


def set_opted_out(url: str, email: str, opt_out: bool, actor: str) -> None:
    """Record (and audit) whether a person gets the weekly digest; it holds for every session."""
    email = (email or "").strip().lower()
    if not is_address(email):
        raise ValueError(f"'{email}' is not an e-mail address; give the address the digest goes to.")
    with dbmod.write(
        url, actor=actor, action="digest_preference", subject=email, detail="opted out" if opt_out else "opted in"
    ) as change:
        pref = change.db.scalar(select(models.DigestPreference).where(models.DigestPreference.email == email))
        if pref is None:
            pref = models.DigestPreference(email=email)
            change.db.add(pref)
        pref.opted_out, pref.changed_at, pref.changed_by = bool(opt_out), models.utcnow(), (actor or "").lower()


def last_sent(url: str, session_id: int, viewer: access.Viewer) -> pd.DataFrame:
    """The latest week's digests this viewer may know about: every recipient for organisers, their own for anyone else."""
    d = models.DigestSend
    query = select(d.recipient, d.kind, d.week, d.sent_at, d.people).where(d.session_id == session_id)
    if not viewer.is_organiser:
        query = query.where(d.recipient == (viewer.email or "").lower())
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(query.order_by(d.sent_at.desc())).all()
    frame = pd.DataFrame(rows, columns=["recipient", "kind", "week", "sent_at", "people"])
    if frame.empty:
        return frame.drop(columns="people").assign(djangonauts=pd.Series(dtype=int))
    frame = frame[frame["week"] == frame["week"].iloc[0]]  # the week of the newest send
    frame["kind"] = frame["kind"].map(KIND_LABELS)
    frame["djangonauts"] = frame["people"].map(lambda p: len(p or []))
    return frame.drop(columns="people").reset_index(drop=True)


def last_sent_label(sent: pd.DataFrame, viewer: access.Viewer) -> str:
    """One line for the page: when the last digest went out, and to whom."""
    if sent.empty:
        return "Weekly e-mail digest: none sent " + ("yet in this session" if viewer.is_organiser else "to you yet")
    newest = pd.Timestamp(sent["sent_at"].max())
    who = "you" if not viewer.is_organiser else f"{sent['recipient'].nunique()} people"
    return f"Weekly e-mail digest: week {int(sent['week'].iloc[0])} went to {who} on {newest:%a %d %b, %H:%M} UTC"
