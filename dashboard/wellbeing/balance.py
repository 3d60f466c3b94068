"""Team balance and staff load: who carries their team, and how many Djangonauts each Navigator and Captain looks after."""

from __future__ import annotations

import pandas as pd

from dashboard.values import email_list
from dashboard.wellbeing.thresholds import Thresholds


def team_balance(
    checkins: pd.DataFrame, people: pd.DataFrame, upto_week: int, thresholds: Thresholds = Thresholds()
) -> pd.DataFrame:
    """Each member's share of their team's hours in a reported week; 'carrying' marks one doing much more."""
    columns = ["team", "email", "name", "hours", "mean_hours", "weeks_reported", "share", "equal_share", "carrying"]
    roster = people[people["role"] == "djangonaut"] if len(people) else people
    if roster is None or roster.empty:
        return pd.DataFrame(columns=columns)
    rows = (
        checkins[checkins["week"] <= upto_week] if len(checkins) else pd.DataFrame(columns=["email", "week", "hours"])
    )
    reported = rows.assign(hours=pd.to_numeric(rows["hours"], errors="coerce")).groupby("email")
    out = roster[["team", "email", "name"]].copy()
    out["team"] = out["team"].fillna("No team")
    out["name"] = out["name"].fillna(out["email"])
    out["hours"] = out["email"].map(reported["hours"].sum()).fillna(0.0).astype(float)
    out["weeks_reported"] = out["email"].map(reported["week"].nunique()).fillna(0).astype(int)
    # Missed weeks are unknown, not zero: shares compare each member's mean reported week, and
    # members without reported hours have no share (NaN) and do not count towards an equal share.
    out["mean_hours"] = out["email"].map(reported["hours"].mean()).astype(float)
    team_total = out.groupby("team")["mean_hours"].transform("sum")
    size = out.groupby("team")["mean_hours"].transform("count")
    out["share"] = (out["mean_hours"] / team_total.where(team_total > 0)).round(3)
    out["equal_share"] = (1 / size.where(size > 0)).round(3)
    out["carrying"] = (size > 1) & (out["share"] >= thresholds.team_carry_factor / size)
    return out.sort_values(["team", "share"], ascending=[True, False]).reset_index(drop=True)[columns]


def staff_load(
    teams: pd.DataFrame,
    people: pd.DataFrame,
    one_to_ones: pd.DataFrame | None,
    open_frame: pd.DataFrame | None,
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """Navigators' and Captains' load: Djangonauts each looks after, one-to-ones held, open signals."""
    columns = ["email", "name", "role", "teams", "djangonauts", "limit", "over_limit", "one_to_ones", "open_signals"]
    if teams is None or teams.empty:
        return pd.DataFrame(columns=columns)
    roster = people[people["role"] == "djangonaut"] if len(people) else people
    members = roster.groupby("team")["email"].apply(set).to_dict() if len(roster) else {}
    names = people.drop_duplicates("email").set_index("email")["name"].to_dict() if len(people) else {}
    load: dict[tuple[str, str], dict] = {}
    for _, team in teams.iterrows():
        # Lower-case, as the people table stores e-mails: a Captain listed as 'CAPA@...' among another team's
        # Navigators is the same person, not a second one named by their address.
        staff = [(n, "Navigator") for n in email_list(team["navigators"])] + (
            [(team["captain"], "Captain")] if isinstance(team["captain"], str) and team["captain"] else []
        )
        for email, role in staff:
            entry = load.setdefault((email, role), {"teams": [], "djangonauts": set()})
            entry["teams"].append(team["name"])
            entry["djangonauts"] |= members.get(team["name"], set())
    held_by = one_to_ones["email"].value_counts().to_dict() if one_to_ones is not None and len(one_to_ones) else {}
    open_by = open_frame["email"].value_counts().to_dict() if open_frame is not None and len(open_frame) else {}
    rows = []
    for (email, role), entry in sorted(load.items()):
        djangonauts = entry["djangonauts"]
        held = sum(held_by.get(e, 0) for e in djangonauts) if role == "Captain" else 0
        open_count = sum(open_by.get(e, 0) for e in djangonauts)
        limit = thresholds.navigator_max_djangonauts if role == "Navigator" else None
        rows.append(
            {
                "email": email,
                "name": names.get(email) or email,
                "role": role,
                "teams": ", ".join(entry["teams"]),
                "djangonauts": len(djangonauts),
                "limit": limit,
                "over_limit": bool(limit is not None and len(djangonauts) > limit),
                "one_to_ones": held if role == "Captain" else None,
                "open_signals": open_count,
            }
        )
    return pd.DataFrame(rows, columns=columns)
