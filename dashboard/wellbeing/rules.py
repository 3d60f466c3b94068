"""The signal rules, one small function each: does this signal fire in this week, how severe, and why.

Every rule reads one person's weeks (dashboard.wellbeing.weeks) up to and including week
index i, the session's expected hours and the thresholds, and returns (severity, reason) or
None. The reason quotes the numbers that made it fire, in words a Captain can act on.
dashboard.wellbeing.signals lists the rules in one registry and runs them.
"""

from __future__ import annotations

from statistics import median

from dashboard.wellbeing.thresholds import Thresholds
from dashboard.wellbeing.weeks import reported_hours, run_back

Firing = tuple[str, str]  # (severity, reason)


# --- the words of a reason --------------------------------------------------------------------


def _h(value: float) -> str:
    return f"{round(float(value), 1):g}"


def weeks_text(weeks: list[int]) -> str:
    """'week 4', 'weeks 3-4', 'weeks 1-3 and 5'."""
    weeks = sorted(set(int(w) for w in weeks))
    if not weeks:
        return "no weeks"
    runs: list[list[int]] = []
    for w in weeks:
        if runs and w == runs[-1][-1] + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("week " if len(weeks) == 1 else "weeks ") + joined


def _hours_list(values: list[float]) -> str:
    values = [_h(v) for v in values]
    if len(values) == 1:
        return f"{values[0]} h"
    if len(values) == 2:
        return f"{values[0]} h and {values[1]} h"
    return ", ".join(values[:-1]) + f" and {values[-1]} h"


# --- the rules ----------------------------------------------------------------------------------


def overwork(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """2x the expected hours in consecutive weeks, or 3x in any one week."""
    hours = reported_hours(weeks[i])
    if hours is None:
        return None
    heavy = run_back(
        weeks, i, lambda r: reported_hours(r) is not None and reported_hours(r) >= t.overwork_ratio * expected
    )
    parts, severity = [], None
    if len(heavy) >= t.overwork_weeks:
        parts.append(
            f"worked {_hours_list([r['hours'] for r in heavy])} in "
            f"{weeks_text([r['week'] for r in heavy])}; about {_h(expected)} h is expected"
        )
        severity = "high" if len(heavy) > t.overwork_weeks else "medium"
    if hours >= t.overwork_single_week_ratio * expected:
        parts.append(
            f"{_h(hours)} h in week {weeks[i]['week']} is at least {_h(t.overwork_single_week_ratio)}x "
            f"the {_h(expected)} h expected"
        )
        severity = "high"
    return (severity, "; ".join(parts)) if parts else None


def no_break(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """Above the expected hours every week for N consecutive weeks (a missing week is not a break)."""
    hours = reported_hours(weeks[i])
    if hours is None or hours <= expected:
        return None
    run = run_back(weeks, i, lambda r: reported_hours(r) is not None and reported_hours(r) > expected)
    if len(run) < t.no_break_weeks:
        return None
    return (
        "high" if len(run) >= t.no_break_weeks + 2 else "medium",
        f"above the expected {_h(expected)} h every week for {len(run)} weeks in a row "
        f"({weeks_text([r['week'] for r in run])}: {_hours_list([r['hours'] for r in run])}); no lighter week yet",
    )


def burnout(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """The single-item burnout answer at or above the threshold."""
    row = weeks[i]
    if row["status"] != "reported" or row["burnout"] is None or row["burnout"] < t.burnout_at_least:
        return None
    score = int(row["burnout"])
    return (
        "high" if score >= t.burnout_at_least + 1 else "medium",
        f"answered {score} of 5 on the burnout question in week {row['week']} "
        f"(1 = enjoys the work, 5 = completely burned out)",
    )


def energy_drop(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """Energy well below the person's own median of earlier weeks (someone always at 2 is not dropping)."""
    row = weeks[i]
    if row["status"] != "reported" or row["energy"] is None:
        return None
    history = [r for r in weeks[:i] if r["status"] == "reported" and r["energy"] is not None]
    if len(history) < t.energy_min_history:
        return None
    usual = float(median(r["energy"] for r in history))
    drop = usual - row["energy"]
    if drop < t.energy_drop:
        return None
    return (
        "high" if drop >= t.energy_drop + 1 else "medium",
        f"energy {_h(row['energy'])} of 5 in week {row['week']}, {_h(drop)} below their usual {_h(usual)} "
        f"(median of {weeks_text([r['week'] for r in history])})",
    )


def drifting(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """Consecutive weeks without a check-in (holidays skipped), hours falling to 0 after active weeks, or 0 h in
    consecutive check-ins from the first one on."""
    row = weeks[i]
    if row["status"] == "missing":
        missed = run_back(weeks, i, lambda r: r["status"] == "missing", skip_holidays=True)
        if len(missed) < t.drifting_missed_weeks:
            return None
        last = [r for r in weeks[:i] if r["status"] == "reported"][-1:]
        since = ""
        if last:
            since = f" (last check-in: week {last[0]['week']}" + (
                f", {_h(last[0]['hours'])} h)" if last[0]["hours"] is not None else ")"
            )
        return (
            "high" if len(missed) > t.drifting_missed_weeks else "medium",
            f"no check-in in {weeks_text([r['week'] for r in missed])}{since}",
        )
    if reported_hours(row) != 0 or row["week"] in t.holiday_weeks:
        return None
    active = [r for r in weeks[:i] if r["status"] == "reported" and (r["hours"] or 0) > 0]
    if not active:  # checking in with 0 h week after week, never any hours: as drifting as not checking in
        idle = run_back(weeks, i, lambda r: r["status"] == "reported" and reported_hours(r) == 0, skip_holidays=True)
        if len(idle) < t.drifting_missed_weeks:
            return None
        return "medium", f"reported 0 h in {weeks_text([r['week'] for r in idle])}, and no hours in any week yet"
    if len(active) < t.drifting_active_weeks:
        return None
    return (
        "medium",
        f"reported 0 h in week {row['week']} after {len(active)} active weeks "
        f"(last: {_h(active[-1]['hours'])} h in week {active[-1]['week']})",
    )


def never_checked_in(working_weeks: list[int], t: Thresholds) -> Firing | None:
    """Drifting for someone on the roster with no check-in at all, once enough working weeks have passed."""
    if len(working_weeks) < t.drifting_missed_weeks:
        return None
    return (
        "high" if len(working_weeks) > t.drifting_missed_weeks else "medium",
        f"no check-in yet ({weeks_text(working_weeks)})",
    )


def stuck(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """Blockers reported in consecutive check-ins (holiday weeks without a check-in skipped)."""
    row = weeks[i]
    if row["status"] != "reported" or not row["blockers"]:
        return None
    run = run_back(weeks, i, lambda r: r["status"] == "reported" and r["blockers"], skip_holidays=True)
    if len(run) < t.stuck_weeks:
        return None
    return (
        "medium" if len(run) > t.stuck_weeks else "low",
        f"reported something blocking them in {weeks_text([r['week'] for r in run])}",
    )


def wants_one_to_one(weeks: list[dict], i: int, expected: float, t: Thresholds) -> Firing | None:
    """They asked for a one-to-one with their Captain in their check-in."""
    row = weeks[i]
    if row["status"] != "reported" or not row["wants_one_to_one"]:
        return None
    return "high", f"asked for a one-to-one with their Captain in week {row['week']}"
