"""Planning a run: the week to send, the digests due, and who is skipped and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models, reads, wellbeing
from dashboard.config import Settings
from dashboard.digest.content import (
    _names,
    captain_digest,
    load_session,
    organiser_digest,
    organiser_emails,
    organiser_sections,
)
from dashboard.digest.message import Digest
from dashboard.digest.preferences import opted_out
from dashboard.digest.settings import (
    DigestRefused,
    DigestSettings,
    _when,
    digest_settings,
    latest_closed_week,
    week_cutoff,
)
from dashboard.sessions import Session


@dataclass
class Plan:
    """What one run would send: the week, the digests due, and who is skipped and why."""

    session: Session
    week: int | None
    due: list[Digest] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sent_already(url: str, session_id: int, week: int) -> set[tuple[str, str]]:
    """(recipient, kind) pairs whose digest for this week went already."""
    d = models.DigestSend
    with OrmSession(dbmod.get_engine(url)) as db:
        return set(db.execute(select(d.recipient, d.kind).where(d.session_id == session_id, d.week == week)).all())


def choose_week(
    session: Session,
    timing: DigestSettings,
    now: datetime,
    week: int | None,
    *,
    scheduled: bool,
    checkins: pd.DataFrame,
) -> tuple[int | None, str | None]:
    """The week to send and, when there is none, why (a sentence); --week must be over already."""
    start = session.start_date
    if week is not None:
        if not 1 <= week <= session.weeks:
            raise DigestRefused(
                f"--week {week} is not a week of {session.name}; use a number from 1 to {session.weeks}."
            )
        if start is not None and week_cutoff(start, week, timing.cutoff_hours) > now:
            raise DigestRefused(
                f"Week {week}'s cut-off ({_when(week_cutoff(start, week, timing.cutoff_hours))}) has not "
                "passed yet; its check-ins are still coming in."
            )
        return week, None
    if scheduled and now.weekday() != timing.send_day:
        return None, (
            f"Today ({now:%A}) is not the sending day ({timing.send_day_name}, [digest] send_day); nothing sent."
        )
    if start is None:  # no calendar: the latest week with check-ins, as on the Wellbeing page
        return wellbeing.default_week(checkins, session), None
    latest = latest_closed_week(session, timing.cutoff_hours, now)
    if latest is None:
        return None, (
            f"Week 1's cut-off ({_when(week_cutoff(start, 1, timing.cutoff_hours))}) has not passed yet; "
            "nothing to send."
        )
    last_cutoff = week_cutoff(start, session.weeks, timing.cutoff_hours)
    if scheduled and now >= last_cutoff + timedelta(days=7):
        return None, (
            f"{session.name} is over (its last digest, week {session.weeks}, was due from "
            f"{_when(last_cutoff)}); nothing sent. Use --week N to send one anyway."
        )
    return latest, None


def plan(
    url: str,
    session_id: int,
    settings: Settings,
    *,
    week: int | None = None,
    now: datetime | None = None,
    scheduled: bool = True,
    secrets_roles: dict | None = None,
) -> Plan:
    """The digests due for a week (the latest one over, or --week), minus opted-out and already-sent recipients."""
    timing = digest_settings(settings)
    now = now or models.utcnow()
    data = load_session(url, session_id)
    chosen, why = choose_week(data.session, timing, now, week, scheduled=scheduled, checkins=data.checkins)
    result = Plan(data.session, chosen, notes=[why] if why else [])
    if chosen is None:
        return result
    quiet = opted_out(url)
    captains = sorted({str(c).strip().lower() for c in data.teams["captain"].dropna() if str(c).strip()})
    digests = [captain_digest(c, data, settings, chosen) for c in captains]
    organisers = organiser_emails(settings, data, reads.is_demo_session(url, session_id), secrets_roles)
    if organisers:
        sections = organiser_sections(data, settings, chosen, quiet)
        names = _names(data.people) if len(data.people) else {}
        digests += [organiser_digest(o, names.get(o, o), sections, data.session, chosen, timing) for o in organisers]
    else:
        result.notes.append(
            "No organiser is listed in [roles] organisers (dashboard.toml or .streamlit/secrets.toml); "
            "the organisers' digest goes to nobody."
        )
    if not captains:
        result.notes.append(f"{data.session.name} has no team with a Captain yet; save teams on the Teams page first.")
    done = sent_already(url, session_id, chosen)
    for d in digests:
        if d.recipient in quiet:
            result.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "opted out"})
        elif (d.recipient, d.kind) in done:
            result.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "already sent"})
        else:
            result.due.append(d)
    if digests and not result.due and all(s["reason"] == "already sent" for s in result.skipped):
        result.notes.append(f"Week {chosen}'s digests all went already; nothing new to send.")
    return result
