"""A session's signals as of a week: which are current, which a one-to-one has handled, who to check on.

"This week" is decided here (default_week). A Captain's one-to-one held on or after a
signal's evidence marks it handled until a later check-in fires it again; looking back at an
earlier week ignores the one-to-ones held after it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date

import pandas as pd

from dashboard.models import DEFAULT_EXPECTED_HOURS
from dashboard.sessions import Session, week_end
from dashboard.values import as_date
from dashboard.wellbeing.signals import CLEARED_BY_RECOVERY, SIGNAL_LABELS, detect_signals
from dashboard.wellbeing.thresholds import SEVERITY_RANK, SIGNAL_COLUMNS, Signal, Thresholds
from dashboard.wellbeing.weeks import by_person


def last_week(checkins: pd.DataFrame | None, weeks: int) -> int:
    """The session's last week: its length, or the latest check-in's week if later."""
    last = int(checkins["week"].max()) if checkins is not None and len(checkins) else 0
    return max(int(weeks or 1), last)


def default_week(data_checkins: pd.DataFrame | None, session: Session, today: date | None = None) -> int:
    """'This week' (the one place that decides it): the session's calendar week, or the latest week with check-ins if later."""
    calendar = session.current_week(today)
    latest = int(data_checkins["week"].max()) if data_checkins is not None and len(data_checkins) else 1
    return max(calendar, latest)


def one_to_ones_upto(one_to_ones: pd.DataFrame | None, start_date: date | None, upto_week: int | None) -> pd.DataFrame:
    """One-to-ones held before the end of a week (all of them when there is no week or no start date to count from).

    One rule for every count "up to a week": a one-to-one without a date is not known to have
    been held by then, so it counts only when nothing is cut off (the whole session).
    """
    if one_to_ones is None:
        return pd.DataFrame(columns=["email", "held_on"])
    if one_to_ones.empty or start_date is None or upto_week is None:
        return one_to_ones
    end = week_end(start_date, upto_week)
    held = [as_date(d) for d in one_to_ones["held_on"]]
    return one_to_ones[[d is not None and d < end for d in held]]


def mark_handled(signals: list[Signal], one_to_ones: pd.DataFrame | None) -> list[Signal]:
    """Signals with handled=True where a one-to-one was held on or after their evidence."""
    latest: dict[str, date] = {}
    if one_to_ones is not None and len(one_to_ones):
        for email, held in zip(one_to_ones["email"], one_to_ones["held_on"]):
            held = as_date(held)
            if held and (email not in latest or held > latest[email]):
                latest[email] = held
    out = []
    for s in signals:
        held = latest.get(s.email)
        handled = bool(held and s.evidence_on and held >= s.evidence_on)
        out.append(Signal(**{**asdict(s), "handled": handled}))
    return out


def signals_frame(signals: list[Signal]) -> pd.DataFrame:
    """Signals as a DataFrame, most severe first, then latest week."""
    frame = pd.DataFrame([asdict(s) for s in signals], columns=[*SIGNAL_COLUMNS, "evidence_on", "handled"])
    if frame.empty:
        return frame
    frame["rank"] = frame["severity"].map(SEVERITY_RANK)
    frame = frame.sort_values(["rank", "week", "email", "signal"], ascending=[False, False, True, True])
    return frame.drop(columns="rank").reset_index(drop=True)


def current_signals(signals: list[Signal], checkins: pd.DataFrame, upto_week: int) -> pd.DataFrame:
    """Each person's latest firing per signal that is still current (not cleared by a later check-in)."""
    frame = signals_frame(signals)
    if frame.empty:
        return frame
    latest = frame.sort_values("week").groupby(["email", "signal"], as_index=False).tail(1)
    reported = checkins[checkins["week"] <= upto_week].groupby("email")["week"].max().to_dict() if len(checkins) else {}
    cleared = latest["signal"].isin(CLEARED_BY_RECOVERY) & (latest["email"].map(reported).fillna(0) > latest["week"])
    return signals_frame(
        [Signal(**r) for r in latest[~cleared][[*SIGNAL_COLUMNS, "evidence_on", "handled"]].to_dict("records")]
    )


def open_signals(current: pd.DataFrame) -> pd.DataFrame:
    """Current signals nobody has followed up yet, most severe first."""
    return current[~current["handled"].astype(bool)].reset_index(drop=True) if len(current) else current


def who_to_check_on(open_frame: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person with open signals: top severity, signal names and reasons, most severe first."""
    columns = ["email", "name", "team", "severity", "signals", "reasons", "week"]
    if open_frame is None or open_frame.empty:
        return pd.DataFrame(columns=columns)
    info = (
        people.drop_duplicates("email").set_index("email")[["name", "team"]].to_dict("index")
        if people is not None and len(people)
        else {}
    )
    ordered = open_frame.assign(rank=open_frame["severity"].map(SEVERITY_RANK)).sort_values(
        ["rank", "week"], ascending=False, kind="stable"
    )
    rows = []
    for email, group in sorted(by_person(ordered).items()):  # most severe and latest first within each person
        known = info.get(email, {})
        latest = max(int(r["week"]) for r in group)
        rows.append(
            {
                "email": email,
                "name": str(known["name"]) if pd.notna(known.get("name")) else email,
                "team": str(known["team"]) if pd.notna(known.get("team")) else "",
                "severity": group[0]["severity"],
                "signals": [SIGNAL_LABELS[r["signal"]] for r in group],
                "reasons": [f"{SIGNAL_LABELS[r['signal']]}: {r['reason']}" for r in group],
                "week": latest,
                "_rank": (group[0]["rank"], len(group), latest),
            }
        )
    rows.sort(key=lambda r: (-r["_rank"][0], -r["_rank"][1], -r["_rank"][2], r["name"]))
    return pd.DataFrame(rows, columns=columns)


@dataclass
class SessionSignals:
    """Signals of one session as of a week: every firing, the current ones, the open ones."""

    upto_week: int
    expected_hours: float
    thresholds: Thresholds
    history: pd.DataFrame
    current: pd.DataFrame
    open: pd.DataFrame
    signals: list[Signal] = field(default_factory=list)


def compute(
    checkins: pd.DataFrame,
    one_to_ones: pd.DataFrame | None,
    *,
    expected_hours: float,
    weeks: int,
    start_date: date | None,
    thresholds: Thresholds = Thresholds(),
    as_of_week: int | None = None,
    roster: list[str] | None = None,
) -> SessionSignals:
    """Signals for a session's check-ins as of a week (default: this week), with handled flags from the one-to-ones."""
    checkins = checkins if checkins is not None else pd.DataFrame(columns=["email", "week"])
    # Weeks that have not happened yet are not missed weeks: by default look no further than this week.
    upto = int(as_of_week) if as_of_week else default_week(checkins, Session.calendar(start_date, weeks))
    # Weeks after the planned ones (a few late check-ins stretch "this week" past the end) expect no
    # check-in, like a session-wide break: nobody who stopped when the session ended is drifting.
    after_the_end = tuple(range(int(weeks or upto) + 1, upto + 1))
    if after_the_end:
        thresholds = replace(thresholds, holiday_weeks=tuple(sorted({*thresholds.holiday_weeks, *after_the_end})))
    # Looking back at an earlier week ignores later one-to-ones; at the session's last week
    # (or later) every one-to-one counts, including those held after the session ended.
    meetings = one_to_ones_upto(one_to_ones, start_date, upto) if upto < last_week(checkins, weeks) else one_to_ones
    found = mark_handled(detect_signals(checkins, expected_hours, upto, thresholds, start_date, roster), meetings)
    current = current_signals(found, checkins, upto)
    return SessionSignals(
        upto,
        float(expected_hours or DEFAULT_EXPECTED_HOURS),
        thresholds,
        signals_frame(found),
        current,
        open_signals(current),
        found,
    )
