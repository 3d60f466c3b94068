"""The session at a glance: the handful of numbers an organiser checks first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard import wellbeing
from dashboard.sessions import Session
from dashboard.values import email_list


@dataclass
class Glance:
    applicants: int
    reviewed: int
    decisions: dict[str, int]
    teams: int
    djangonauts: int
    week: int
    weeks: int
    checkins_this_week: int
    checkin_rate: float | None  # share of Djangonauts who checked in this week
    need_check_in: int = 0  # Djangonauts with open wellbeing signals
    starts_on: date | None = None  # the start date while the session has not started yet
    without_captain: tuple[str, ...] = ()  # teams nobody looks after: their signals reach no Captain
    outsiders: int = 0  # people who checked in but are no Djangonaut of the session: no page shows them


def calendar_text(session: Session, today: date | None = None) -> str:
    """'started 2026-09-28', 'starts 2027-01-04 (in 32 days)' or 'start date not set'."""
    if session.start_date is None:
        return "start date not set"
    days = (session.start_date - (today or date.today())).days
    if days <= 0:
        return f"started {session.start_date}"
    return f"starts {session.start_date} (in {days} day{'' if days == 1 else 's'})"


def _counted(count: int, word: str) -> str:
    """'1 application has', '3 applications have'."""
    return f"{count} {word} has" if count == 1 else f"{count} {word}s have"


def session_at_a_glance(
    session: Session,
    applications: pd.DataFrame,
    reviews: pd.DataFrame,
    decisions: pd.DataFrame,
    teams: pd.DataFrame,
    people: pd.DataFrame,
    checkins: pd.DataFrame,
    open_signals: pd.DataFrame | None = None,
    today: date | None = None,
) -> Glance:
    """Counts of applicants, reviews, decisions, teams, this week's check-ins and who needs one.

    open_signals is dashboard.wellbeing's SessionSignals.open (one row per open signal).
    """
    week = wellbeing.default_week(checkins, session, today)  # the same "this week" as the Wellbeing page
    djangonauts = set(people.loc[people["role"] == "djangonaut", "email"])
    this_week = checkins[(checkins["week"] == week) & checkins["email"].isin(djangonauts)]
    statuses = decisions["status"].value_counts().to_dict() if len(decisions) else {}
    return Glance(
        applicants=len(applications),
        reviewed=int(applications["response_id"].isin(reviews["response_id"]).sum()) if len(applications) else 0,
        decisions={s: int(statuses.get(s, 0)) for s in ("accepted", "waitlisted", "rejected", "pending")},
        teams=len(teams),
        djangonauts=len(djangonauts),
        week=week,
        weeks=session.weeks,
        checkins_this_week=this_week["email"].nunique(),
        checkin_rate=(this_week["email"].nunique() / len(djangonauts)) if djangonauts else None,
        need_check_in=open_signals["email"].nunique() if open_signals is not None and len(open_signals) else 0,
        outsiders=len(set(checkins["email"]) - djangonauts) if len(checkins) else 0,
        without_captain=tuple(
            sorted(str(t["name"]) for t in teams.to_dict("records") if not email_list(t.get("captain")))
        ),
        starts_on=session.start_date if session.start_date and session.start_date > (today or date.today()) else None,
    )


def next_steps(glance: Glance) -> list[str]:
    """What an organiser would do next, given where the session stands."""
    steps = []
    if glance.applicants == 0:
        steps.append("Import the application form's responses on the Data page, or connect the Google Sheet.")
    elif glance.reviewed < glance.applicants:
        steps.append(
            f"{_counted(glance.applicants - glance.reviewed, 'application')} no review yet: share the Review page "
            "with reviewers."
        )
    if glance.applicants and glance.decisions["accepted"] == 0:
        steps.append("No one is accepted yet: choose the cohort on the Selection page.")
    if glance.decisions["accepted"] and glance.teams == 0:
        steps.append("The cohort has no teams yet: propose them on the Teams page.")
    elif glance.decisions["accepted"] and glance.djangonauts == 0:
        steps.append("No accepted applicant is in a team yet: place them on the Teams page and save the teams.")
    if (
        glance.starts_on is None
        and glance.week <= glance.weeks  # after the planned weeks a missing check-in is not late
        and glance.djangonauts
        and glance.checkin_rate is not None
        and glance.checkin_rate < 0.7
    ):
        steps.append(
            f"Only {glance.checkins_this_week} of {glance.djangonauts} Djangonauts checked in for week {glance.week}: "
            "send a reminder."
        )
    if glance.outsiders:
        steps.append(
            f"{glance.outsiders} {'person has' if glance.outsiders == 1 else 'people have'} checked in without "
            "being a Djangonaut of this session, so no page shows their check-ins: import the people (role "
            "djangonaut, with their team) on the Data page, or correct the e-mails they checked in with."
        )
    if glance.without_captain:
        named = ", ".join(glance.without_captain)
        steps.append(
            f"{named} {'has' if len(glance.without_captain) == 1 else 'have'} no Captain: nobody but the organisers "
            "sees their Djangonauts' wellbeing; add a Captain in your spreadsheet's Teams tab or a teams CSV on "
            "the Data page."
        )
    if glance.need_check_in:
        steps.append(
            f"{_counted(glance.need_check_in, 'Djangonaut')} open wellbeing signals: their Captains can see who "
            "and why on the Wellbeing page."
        )
    return steps
