"""A session's wellbeing data as one viewer may see it (access applied where it is loaded), and its signals."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import access, reads
from dashboard.config import Settings
from dashboard.sessions import Session
from dashboard.wellbeing.session import SessionSignals, compute
from dashboard.wellbeing.thresholds import load_thresholds


@dataclass
class WellbeingData:
    """What one viewer may see of a session's wellbeing data."""

    session: Session
    checkins: pd.DataFrame
    people: pd.DataFrame  # the visible Djangonauts
    staff: pd.DataFrame  # Navigators and Captains of the visible teams
    teams: pd.DataFrame
    one_to_ones: pd.DataFrame
    surveys: pd.DataFrame


def for_viewer(
    viewer: access.Viewer,
    session: Session,
    checkins: pd.DataFrame,
    people: pd.DataFrame,
    teams: pd.DataFrame,
    one_to_ones: pd.DataFrame,
    surveys: pd.DataFrame,
    *,
    individual: bool = True,
) -> WellbeingData:
    """Keep only what this viewer may see (access.wellbeing_teams): individual data of the teams they captain
    (team figures, individual=False: every team they are on), notes only for their Captain and organisers."""
    scope = access.wellbeing_teams(viewer, individual=individual)
    in_scope = people["role"].eq("djangonaut") & (people["team"].isin(scope) if scope is not None else True)
    djangonauts = people[in_scope].reset_index(drop=True)
    visible = set(djangonauts["email"])
    checkins = access.visible_checkins(viewer, checkins, people)
    checkins = checkins[checkins["email"].isin(visible)]
    team_of = people.set_index("email")["team"].to_dict() if len(people) else {}
    meetings = one_to_ones[one_to_ones["email"].isin(visible)].copy()
    if len(meetings):
        allowed = meetings["email"].map(lambda e: access.may_read_notes(viewer, team_of.get(e)))
        meetings["note"] = meetings["note"].astype(object).where(allowed, None)
    shown_teams = teams if scope is None else teams[teams["name"].isin(scope)]
    staff = people[people["role"].isin(["navigator", "captain"]) & people["team"].isin(set(shown_teams["name"]))]
    surveys = surveys[surveys["email"].isin(visible)].drop(columns=["free_text"], errors="ignore")
    return WellbeingData(
        session,
        checkins.reset_index(drop=True),
        djangonauts,
        staff.reset_index(drop=True),
        shown_teams.reset_index(drop=True),
        meetings.reset_index(drop=True),
        surveys.reset_index(drop=True),
    )


def load_for_viewer(url: str, session_id: int, viewer: access.Viewer, *, individual: bool = True) -> WellbeingData:
    """Check-ins, Djangonauts, teams, one-to-ones and surveys of a session that this viewer may see (for_viewer)."""
    return for_viewer(
        viewer,
        reads.session(url, session_id),
        reads.load_table(url, session_id, "checkins"),
        reads.load_table(url, session_id, "people"),
        reads.load_table(url, session_id, "teams"),
        reads.load_one_to_ones(url, session_id),
        reads.load_table(url, session_id, "surveys"),
        individual=individual,
    )


def compute_for(data: WellbeingData, settings: Settings | None, as_of_week: int | None = None) -> SessionSignals:
    """Signals for what a viewer may see (the roster makes silent Djangonauts count as drifting)."""
    s = data.session
    return compute(
        data.checkins,
        data.one_to_ones,
        expected_hours=s.expected_hours,
        weeks=s.weeks,
        start_date=s.start_date,
        thresholds=load_thresholds(settings),
        as_of_week=as_of_week,
        roster=list(data.people["email"]),
    )


def session_signals(
    url: str, session_id: int, settings: Settings | None, as_of_week: int | None = None
) -> SessionSignals:
    """All of a session's signals (organiser's view), as of a week (default: this week)."""
    info = reads.session(url, session_id)
    people = reads.load_table(url, session_id, "people")
    roster = list(people.loc[people["role"] == "djangonaut", "email"]) if len(people) else []
    return compute(
        reads.load_table(url, session_id, "checkins"),
        reads.load_one_to_ones(url, session_id),
        expected_hours=info.expected_hours,
        weeks=info.weeks,
        start_date=info.start_date,
        thresholds=load_thresholds(settings),
        as_of_week=as_of_week,
        roster=roster,
    )
