"""Engagement metrics: is the session working? Pure functions over the canonical tables.

Everything here takes already-loaded DataFrames (checkins, people, one_to_ones, surveys)
and returns aggregated frames or plain dicts, so the Engagement page, the talk charts and
the tests all read the same numbers. A week without a check-in is never counted as zero
activity: rates divide by the Djangonauts expected, totals add what was reported.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import wellbeing
from dashboard.sessions import Session, week_of as session_week
from dashboard.values import as_bool, is_missing

ALL_TEAMS = "All teams"
COUNT_FIELDS = ("prs_opened", "prs_merged", "review_comments", "tickets_progressed", "tickets_closed")
WEEKLY_COLUMNS = [
    "team",
    "week",
    "djangonauts",
    "checkins",
    "checkin_rate",
    "standups_attended",
    "standup_rate",
    "one_to_ones",
    "prs_opened",
    "prs_merged",
    "review_comments",
    "tickets_progressed",
    "tickets_closed",
]
CUMULATIVE_FIELDS = (
    "checkins",
    "standups_attended",
    "one_to_ones",
    "prs_opened",
    "prs_merged",
    "review_comments",
    "tickets_progressed",
    "tickets_closed",
)
NUMBER_LABELS = {  # session_in_numbers key -> tile label (the words organisers quote in talks)
    "tickets_progressed": "Tickets progressed",
    "tickets_closed": "Tickets closed",
    "catch_ups_held": "Weekly catch-ups held",
    "one_to_ones_held": "One-to-ones held",
    "review_comments": "PR review comments",
    "prs_opened": "PRs opened",
    "prs_merged": "PRs merged",
    "confidence_start": "Confidence at start (of 5)",
    "confidence_end": "Confidence at end (of 5)",
    "more_comfortable_share": "Comfortable contributing",
}


def djangonauts(people: pd.DataFrame) -> pd.DataFrame:
    """The session's Djangonauts (email, team), one row each."""
    if people is None or people.empty or "role" not in people:
        return pd.DataFrame({"email": pd.Series(dtype=str), "team": pd.Series(dtype=str)})
    rows = people.loc[people["role"] == "djangonaut", ["email", "team"]].drop_duplicates("email").copy()
    rows["team"] = rows["team"].fillna("").replace("", "No team")
    return rows.reset_index(drop=True)


def week_of(day, start_date: date | None, weeks: int) -> int | None:
    """The session week (1..weeks) a date falls in, None when unknown or outside the session."""
    if day is None or start_date is None or pd.isna(day):
        return None
    week = session_week(start_date, pd.Timestamp(day).date())
    return week if 1 <= week <= weeks else None


def _weeks_upto(weeks: int, checkins: pd.DataFrame | None, as_of_week: int | None, start_date: date | None) -> int:
    """The last week to show: as_of_week, else this week (later weeks have not happened yet, they are not zero)."""
    if as_of_week:
        return max(1, min(int(as_of_week), wellbeing.last_week(checkins, weeks)))
    return wellbeing.default_week(checkins, Session.calendar(start_date, weeks))


def weekly_engagement(
    checkins: pd.DataFrame,
    people: pd.DataFrame,
    one_to_ones: pd.DataFrame | None,
    weeks: int,
    start_date: date | None,
    *,
    by_team: bool = False,
    as_of_week: int | None = None,
) -> pd.DataFrame:
    """Per week up to this week (and per team when by_team): check-in rate, stand-ups, one-to-ones, PRs, reviews, tickets."""
    roster = djangonauts(people)
    n_weeks = _weeks_upto(weeks, checkins, as_of_week, start_date)
    team_of = dict(zip(roster["email"], roster["team"]))
    rows = checkins[checkins["week"].between(1, n_weeks)].copy() if checkins is not None and len(checkins) else None
    if rows is None or rows.empty:
        rows = pd.DataFrame(columns=["email", "week", "attended_standup", *COUNT_FIELDS])
    rows["team"] = rows["email"].map(team_of).fillna("No team") if by_team else ALL_TEAMS
    rows["standup"] = rows["attended_standup"].map(lambda v: v is True or v == 1)
    for name in COUNT_FIELDS:  # a form without the question counts none (the tiles say "not known")
        rows[name] = pd.to_numeric(rows[name], errors="coerce").fillna(0) if name in rows else 0
    meetings = (
        one_to_ones.copy()
        if one_to_ones is not None and len(one_to_ones)
        else pd.DataFrame(columns=["email", "held_on"])
    )
    meetings["week"] = [week_of(d, start_date, n_weeks) for d in meetings["held_on"]]
    meetings = meetings.dropna(subset=["week"])
    meetings["team"] = meetings["email"].map(team_of).fillna("No team") if by_team else ALL_TEAMS
    teams = sorted(set(roster["team"]) | set(rows["team"])) if by_team else [ALL_TEAMS]
    expected = roster.groupby("team").size().to_dict() if by_team else {ALL_TEAMS: len(roster)}
    grid = pd.MultiIndex.from_product([teams, range(1, n_weeks + 1)], names=["team", "week"])
    sums = (
        rows.groupby(["team", "week"])
        .agg(
            checkins=("email", "nunique"),
            standups_attended=("standup", "sum"),
            **{name: (name, "sum") for name in COUNT_FIELDS},
        )
        .reindex(grid, fill_value=0)
    )
    held = meetings.groupby(["team", "week"]).size().reindex(grid, fill_value=0)
    out = sums.reset_index()
    out["one_to_ones"] = held.to_numpy()
    out["djangonauts"] = out["team"].map(expected).fillna(0).astype(int)
    denominator = out["djangonauts"].where(out["djangonauts"] > 0)
    out["checkin_rate"] = (out["checkins"] / denominator).round(3)
    out["standup_rate"] = (out["standups_attended"] / denominator).round(3)
    for name in ("checkins", "standups_attended", "one_to_ones", *COUNT_FIELDS):
        out[name] = out[name].astype(int)
    return out[WEEKLY_COLUMNS]


def cumulative(weekly: pd.DataFrame) -> pd.DataFrame:
    """Running totals per team over the weeks of a weekly_engagement frame (cum_<field> columns)."""
    out = weekly.sort_values(["team", "week"]).copy()
    for name in CUMULATIVE_FIELDS:
        out[f"cum_{name}"] = out.groupby("team")[name].cumsum()
    return out.reset_index(drop=True)


def totals_by_team(weekly: pd.DataFrame) -> pd.DataFrame:
    """Whole-session totals per team with the mean check-in and stand-up rates."""
    out = (
        weekly.groupby("team")
        .agg(
            djangonauts=("djangonauts", "max"),
            checkin_rate=("checkin_rate", "mean"),
            standup_rate=("standup_rate", "mean"),
            **{name: (name, "sum") for name in CUMULATIVE_FIELDS},
        )
        .reset_index()
    )
    out["checkin_rate"] = out["checkin_rate"].round(3)
    out["standup_rate"] = out["standup_rate"].round(3)
    return out


def survey_confidence(surveys: pd.DataFrame | None) -> dict:
    """Mean confidence (1-5) at start and end, respondents, and the share who feel more comfortable."""
    out = {
        "confidence_start": None,
        "confidence_end": None,
        "surveyed_start": 0,
        "surveyed_end": 0,
        "more_comfortable_share": None,
    }
    if surveys is None or surveys.empty:
        return out
    for stage in ("start", "end"):
        answers = pd.to_numeric(surveys.loc[surveys["stage"] == stage, "confidence"], errors="coerce").dropna()
        out[f"surveyed_{stage}"] = int(len(answers))
        out[f"confidence_{stage}"] = round(float(answers.mean()), 1) if len(answers) else None
    comfortable = [
        as_bool(v) for v in surveys.loc[surveys["stage"] == "end", "comfortable_contributing"] if not is_missing(v)
    ]  # an unanswered question is left out, not counted as a no
    if comfortable:
        out["more_comfortable_share"] = round(sum(comfortable) / len(comfortable), 3)
    return out


def session_in_numbers(
    checkins: pd.DataFrame | None,
    people: pd.DataFrame | None,
    one_to_ones: pd.DataFrame | None,
    surveys: pd.DataFrame | None,
    *,
    as_of_week: int | None = None,
    start_date: date | None = None,
) -> dict:
    """The figures organisers quote in talks, as a dict with fixed keys (None when not known)."""
    roster = djangonauts(people)
    rows = checkins if checkins is not None else pd.DataFrame(columns=["email", "week"])
    if as_of_week is not None and len(rows):
        rows = rows[rows["week"] <= as_of_week]

    def total(name: str) -> int:
        return int(pd.to_numeric(rows[name], errors="coerce").fillna(0).sum()) if name in rows and len(rows) else 0

    def known_total(name: str) -> int | None:
        """A total, or None when no check-in answered it (a form without the question is not zero)."""
        values = pd.to_numeric(rows[name], errors="coerce") if name in rows and len(rows) else pd.Series(dtype=float)
        return int(values.sum()) if values.notna().any() else None

    attended = rows[rows["attended_standup"].map(lambda v: v is True or v == 1)] if len(rows) else rows
    team_of = dict(zip(roster["email"], roster["team"]))
    catch_ups = (
        len({(team_of.get(e, "No team"), w) for e, w in zip(attended["email"], attended["week"])})
        if len(attended)
        else 0
    )
    expected = len(roster) * (int(rows["week"].max()) if len(rows) else 0)
    numbers = {
        "djangonauts": len(roster),
        "checkins": int(len(rows)),
        "checkin_rate": round(len(rows) / expected, 3) if expected else None,
        "tickets_progressed": total("tickets_progressed"),
        "tickets_closed": known_total("tickets_closed"),
        "catch_ups_held": catch_ups,  # team-weeks whose stand-up at least one Djangonaut attended
        "standups_attended": int(len(attended)),
        "one_to_ones_held": len(wellbeing.one_to_ones_upto(one_to_ones, start_date, as_of_week)),
        "review_comments": total("review_comments"),
        "prs_opened": total("prs_opened"),
        "prs_merged": total("prs_merged"),
    }
    numbers.update(survey_confidence(surveys))
    return numbers


def tickets_label(numbers: dict) -> str:
    """The tile label that goes with tickets_text."""
    return "Tickets progressed" + ("" if numbers.get("tickets_closed") is None else " / closed")


def tickets_text(numbers: dict) -> str:
    """'35 / 19' (progressed / closed), or just '35' when the check-ins do not ask about closed tickets."""
    closed = numbers.get("tickets_closed")
    return f"{numbers['tickets_progressed']}" + ("" if closed is None else f" / {closed}")
