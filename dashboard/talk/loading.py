"""The tables the talk charts read: one session's, plus every (visible) session's applications."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models, reads
from dashboard.config import Settings
from dashboard.sessions import Session, SessionNotFound, find_session


@dataclass
class SessionTables:
    """The tables of one session that the talk charts read, plus every session's applications."""

    session: Session
    applications: pd.DataFrame
    decisions: pd.DataFrame
    people: pd.DataFrame
    checkins: pd.DataFrame
    surveys: pd.DataFrame
    one_to_ones: pd.DataFrame
    history: pd.DataFrame  # session, session_order, email, accepted: one row per application of any session


def session_for(url: str, settings: Settings | None, name: str | None = None) -> Session:
    """The named (else configured, else latest) session; SessionNotFound with a hint otherwise."""
    if dbmod.stored_revision(url) is None:  # the notebooks' first read: say so, not "no such table"
        raise SessionNotFound(
            "This database holds no Mission Control data yet; run 'python -m dashboard demo' or import a file, "
            "or set database_url (or DASHBOARD_DATABASE_URL) to the app's database."
        )
    with OrmSession(dbmod.get_engine(url)) as db:
        return Session.from_row(find_session(db, settings or Settings(), name))


def load_history(url: str, sessions: Collection[int] | None = None) -> pd.DataFrame:
    """Every session's (or the given sessions') applications with whether each was accepted, oldest session first."""
    columns = ["session", "session_order", "email", "accepted"]
    order = {int(row["id"]): (i, row["name"]) for i, row in enumerate(reads.sessions_frame(url).to_dict("records"))}
    a, d = models.Application, models.Decision
    query = (
        select(a.session_id, a.email, d.status)
        .outerjoin(d, (d.session_id == a.session_id) & (d.response_id == a.response_id))
        .order_by(a.session_id, a.id)
    )
    if sessions is not None:
        query = query.where(a.session_id.in_([int(i) for i in sessions]))
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(query).all()
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["session_id", "email", "status"])
    frame["session_order"] = frame["session_id"].map(lambda i: order[int(i)][0])
    frame["session"] = frame["session_id"].map(lambda i: order[int(i)][1])
    frame["email"] = frame["email"].astype(str).str.lower()
    frame["accepted"] = frame["status"].eq("accepted")
    return frame.sort_values("session_order", kind="stable").reset_index(drop=True)[columns]


def load_tables(url: str, session_id: int, visible: Collection[int] | None = None) -> SessionTables:
    """Read one session's tables (and every session's applications, or the visible sessions') for the talk charts."""
    session = reads.session(url, session_id)
    load = lambda table: reads.load_table(url, session_id, table)  # noqa: E731
    return SessionTables(
        session=session,
        applications=load("applications"),
        decisions=load("decisions"),
        people=load("people"),
        checkins=load("checkins"),
        surveys=load("surveys"),
        one_to_ones=reads.load_one_to_ones(url, session_id),
        history=load_history(url, None if visible is None else {*visible, session_id}),
    )
