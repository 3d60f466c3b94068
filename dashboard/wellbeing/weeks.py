"""One person's weeks as the rules read them: each week reported, missing, holiday or not started, with its answers.

A week without a check-in is "missing" (unknown), never zero hours; weeks before a person's
first check-in are "not started" (people who join late are not drifting); session-wide
holiday weeks without a check-in are "holiday". The weeks are plain dicts: the rules run on
every person's every week, and a small frame per person is far slower.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from dashboard.sessions import week_start as first_day
from dashboard.values import as_bool, as_date, is_missing, number
from dashboard.wellbeing.thresholds import Thresholds

NO_BLOCKER_ANSWERS = frozenset(
    {
        "",
        "no",
        "none",
        "nope",
        "n/a",
        "na",
        "-",
        "nothing",
        "no blockers",
        "not really",
        "nothing blocking",
        "all good",
        "0",
    }
)
WEEK_COLUMNS = ["week", "status", "hours", "energy", "burnout", "blockers", "wants_one_to_one", "evidence_on"]
# The check-in columns the weeks are built from: converting only these to records (not the notes and
# other free text) was most of a cold Overview's time at 10x.
READ_COLUMNS = ["email", "week", "hours", "energy", "burnout", "blockers", "wants_one_to_one", "submitted_at"]


def has_blockers(value) -> bool:
    """True when a blockers answer says something is blocking ('no', 'none', '-' do not)."""
    if is_missing(value):
        return False
    return str(value).strip().lower().rstrip(".!") not in NO_BLOCKER_ANSWERS


def records(rows: pd.DataFrame | list[dict] | None, columns: list[str] | None = None) -> list[dict]:
    """Rows (only the given columns, when given) as plain records; a list of records is returned as it is."""
    if rows is None:
        return []
    if isinstance(rows, list):
        return rows
    return (rows if columns is None else rows[[c for c in columns if c in rows.columns]]).to_dict("records")


def by_person(rows: pd.DataFrame | None, columns: list[str] | None = None) -> dict[str, list[dict]]:
    """Each person's rows (only the given columns, when given) as plain records, in one pass."""
    grouped: dict[str, list[dict]] = {}
    for record in records(rows if rows is not None and len(rows) else None, columns):
        grouped.setdefault(str(record["email"]), []).append(record)
    return grouped


def week_list(
    rows: pd.DataFrame | list[dict], upto_week: int, thresholds: Thresholds, start_date: date | None
) -> list[dict]:
    """One person's weeks 1..upto_week as plain dicts (WEEK_COLUMNS)."""
    by_week = {int(r["week"]): r for r in records(rows) if number(r.get("week")) is not None}
    first = min((w for w in by_week if w <= upto_week), default=None)
    out = []
    for week in range(1, upto_week + 1):
        row = by_week.get(week)
        if row is not None:
            status = "reported"
        elif week in thresholds.holiday_weeks:
            status = "holiday"
        elif first is None or week < first:
            status = "not started"
        else:
            status = "missing"
        week_start = first_day(start_date, week) if start_date else None
        get = row.get if row is not None else (lambda name: None)
        out.append(
            {
                "week": week,
                "status": status,
                "hours": number(get("hours")),
                "energy": number(get("energy")),
                "burnout": number(get("burnout")),
                "blockers": has_blockers(get("blockers")),
                "wants_one_to_one": as_bool(get("wants_one_to_one")),
                "evidence_on": (
                    as_date(get("submitted_at")) or (week_start + timedelta(days=6) if week_start else None)
                )
                if row is not None
                else week_start,
            }
        )
    return out


def person_weeks(
    rows: pd.DataFrame, upto_week: int, thresholds: Thresholds = Thresholds(), start_date: date | None = None
) -> pd.DataFrame:
    """One person's weeks 1..upto_week: status (reported/missing/holiday/not started) and answers."""
    return pd.DataFrame(week_list(rows, upto_week, thresholds, start_date), columns=WEEK_COLUMNS)


def reported_hours(week: dict) -> float | None:
    """The hours of a reported week; None for a week without a check-in (unknown, not zero)."""
    return week["hours"] if week["status"] == "reported" else None


def run_back(weeks: list[dict], index: int, test: Callable[[dict], bool], *, skip_holidays: bool = False) -> list[dict]:
    """The consecutive weeks ending at index for which test(week) holds, oldest first; with skip_holidays,
    holiday weeks (no check-in expected) neither break the run nor join it."""
    run = []
    for week in reversed(weeks[: index + 1]):
        if skip_holidays and week["status"] == "holiday":
            continue
        if not test(week):
            break
        run.append(week)
    return run[::-1]
