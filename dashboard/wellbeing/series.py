"""Per person and week: the series the Wellbeing page draws, and one person's summary."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.wellbeing.thresholds import Thresholds
from dashboard.wellbeing.weeks import READ_COLUMNS, WEEK_COLUMNS, by_person, week_list

SERIES_COLUMNS = [
    "email",
    "week",
    "status",
    "hours",
    "energy",
    "burnout",
    "blockers",
    "wants_one_to_one",
    "expected",
    "band_low",
    "band_high",
]


def weekly_series(
    checkins: pd.DataFrame,
    emails: list[str],
    upto_week: int,
    expected_hours: float,
    thresholds: Thresholds = Thresholds(),
    start_date: date | None = None,
) -> pd.DataFrame:
    """Per person and week: status, hours (NaN when unknown), energy, burnout, expected hours and band."""
    people = by_person(checkins, READ_COLUMNS)
    rows = [
        {"email": email, **week}
        for email in emails
        for week in week_list(people.get(email, []), upto_week, thresholds, start_date)
    ]
    if not rows:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.DataFrame(rows, columns=["email", *WEEK_COLUMNS]).drop(columns="evidence_on")
    for name in ("hours", "energy", "burnout"):
        out[name] = pd.to_numeric(out[name], errors="coerce")
    out["expected"] = float(expected_hours)
    out["band_low"] = float(expected_hours) * thresholds.expected_band[0]
    out["band_high"] = float(expected_hours) * thresholds.expected_band[1]
    return out


def person_summary(series: pd.DataFrame, one_to_ones: pd.DataFrame | None, email: str) -> dict:
    """Check-ins received and missed, mean hours and one-to-ones held for one person."""
    mine = series[series["email"] == email]
    reported = mine[mine["status"] == "reported"]
    held = one_to_ones[one_to_ones["email"] == email] if one_to_ones is not None and len(one_to_ones) else []
    return {
        "checkins": int(len(reported)),
        "missed": int((mine["status"] == "missing").sum()),
        "missed_weeks": [int(w) for w in mine.loc[mine["status"] == "missing", "week"]],
        "mean_hours": round(float(reported["hours"].mean()), 1) if reported["hours"].notna().any() else None,
        "total_hours": round(float(reported["hours"].sum()), 1),
        "one_to_ones": int(len(held)),
    }


def over_expected(checkins: pd.DataFrame, expected_hours: float, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Check-ins that report hours, flagged 'over_expected' above the top of the expected band (missing hours left out)."""
    hours = pd.to_numeric(checkins["hours"], errors="coerce")
    reported = checkins[hours.notna()]
    return reported.assign(over_expected=hours[hours.notna()] > expected_hours * thresholds.expected_band[1])
