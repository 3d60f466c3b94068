"""Wellbeing signals: who needs a check-in this week, and why, from the weekly check-ins.

Every rule is a pure function of one person's weeks. A week without a check-in is
"missing" (unknown), never zero hours; weeks before a person's first check-in are
"not started" (people who join late are not drifting); session-wide holiday weeks are
"holiday". Thresholds come from dashboard.toml [wellbeing] and scale with the session's
expected hours. A signal fires in a week when its rule holds on the data up to that week;
a Captain's one-to-one held on or after the evidence marks it handled until a later
check-in fires it again.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields as dc_fields
from datetime import date, datetime, timedelta
from statistics import median

import pandas as pd
from sqlalchemy import select

from dashboard import access, audit, db as dbmod, models, store
from dashboard.config import ConfigError, Settings

SIGNALS = ("overwork", "no_break", "burnout", "energy_drop", "drifting", "stuck", "wants_one_to_one")
SIGNAL_LABELS = {
    "overwork": "Overwork", "no_break": "No break", "burnout": "Burnout", "energy_drop": "Energy drop",
    "drifting": "Drifting", "stuck": "Stuck", "wants_one_to_one": "Wants a one-to-one",
}
SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
# Signals that a later check-in without the pattern clears (they came back, got unstuck,
# took a lighter week). The others stay open until a Captain has talked to the person.
CLEARED_BY_RECOVERY = frozenset({"drifting", "stuck", "no_break"})
NO_BLOCKER_ANSWERS = frozenset({"", "no", "none", "nope", "n/a", "na", "-", "nothing", "no blockers", "not really",
                                "nothing blocking", "all good", "0"})
SIGNAL_COLUMNS = ["email", "week", "signal", "severity", "reason"]
MAX_NOTE_LENGTH = 1000


@dataclass(frozen=True)
class Thresholds:
    """The [wellbeing] rules; hours are multiples of the session's expected hours."""

    overwork_ratio: float = 2.0  # at least 2x expected ...
    overwork_weeks: int = 2  # ... in this many consecutive weeks
    overwork_single_week_ratio: float = 3.0  # or 3x expected in any one week
    no_break_weeks: int = 4  # above expected every week for this many weeks
    burnout_at_least: int = 3  # single-item burnout answer (1 = enjoys it, 5 = completely burned out)
    energy_drop: float = 2.0  # energy this far below the person's median of earlier weeks
    energy_min_history: int = 2  # earlier check-ins needed before a drop means anything
    drifting_missed_weeks: int = 2  # consecutive weeks without a check-in
    drifting_active_weeks: int = 2  # active weeks before a 0-hour week counts as falling to 0
    stuck_weeks: int = 2  # consecutive weeks reporting blockers
    holiday_weeks: tuple[int, ...] = ()  # session-wide breaks: no check-in expected
    expected_band: tuple[float, float] = (0.5, 1.5)  # "about the expected hours" on charts
    team_carry_factor: float = 1.5  # a member with this many times an equal share carries the team
    navigator_max_djangonauts: int = 4


def load_thresholds(settings: Settings | None) -> Thresholds:
    """Thresholds from dashboard.toml [wellbeing]; defaults for anything not set."""
    cfg = settings.section("wellbeing") if settings is not None else {}
    values = {}
    known = {f.name: f for f in dc_fields(Thresholds)}
    for name, value in cfg.items():
        if name not in known:
            raise ConfigError(f"Unknown setting '{name}' in dashboard.toml [wellbeing]; "
                              f"use one of: {', '.join(known)}.")
        default = getattr(Thresholds(), name)
        try:
            if isinstance(default, tuple):
                values[name] = tuple(type(default[0])(v) if default else int(v) for v in value)
            else:
                values[name] = type(default)(value)
        except (TypeError, ValueError):
            raise ConfigError(f"dashboard.toml [wellbeing] {name} = {value!r} is not valid; "
                              f"use a value like {default!r}.") from None
    return Thresholds(**values)


@dataclass(frozen=True)
class Signal:
    """One rule firing for one person in one week, with the numbers that made it fire."""

    email: str
    week: int
    signal: str
    severity: str
    reason: str
    evidence_on: date | None = None  # when the latest evidence arrived (check-in date or missed week)
    handled: bool = False

    def as_dict(self) -> dict:
        """The contract shape: email, week, signal, severity, reason."""
        return {k: getattr(self, k) for k in SIGNAL_COLUMNS}


# --- formatting -------------------------------------------------------------------------

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


# --- one person's weeks -------------------------------------------------------------------

def has_blockers(value) -> bool:
    """True when a blockers answer says something is blocking ('no', 'none', '-' do not)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    return str(value).strip().lower().rstrip(".!") not in NO_BLOCKER_ANSWERS


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _truthy(value) -> bool:
    return value is True or (not isinstance(value, str) and _number(value) == 1)


def _stamp_date(value) -> date | None:
    if value is None or (not isinstance(value, (date, datetime)) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


WEEK_COLUMNS = ["week", "status", "hours", "energy", "burnout", "blockers", "wants_one_to_one", "evidence_on"]


def _records(rows: pd.DataFrame | list[dict] | None) -> list[dict]:
    if rows is None:
        return []
    return rows if isinstance(rows, list) else rows.to_dict("records")


def _by_person(rows: pd.DataFrame | None) -> dict[str, list[dict]]:
    """Each person's rows as plain records, in one pass (a small frame per person is far slower)."""
    grouped: dict[str, list[dict]] = {}
    for record in _records(rows if rows is not None and len(rows) else None):
        grouped.setdefault(str(record["email"]), []).append(record)
    return grouped


def _week_list(rows: pd.DataFrame | list[dict], upto_week: int, thresholds: Thresholds,
               start_date: date | None) -> list[dict]:
    """One person's weeks 1..upto_week as plain dicts (fast; the rules run on these)."""
    records = _records(rows)
    by_week = {int(r["week"]): r for r in records if _number(r.get("week")) is not None}
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
        week_start = start_date + timedelta(days=7 * (week - 1)) if start_date else None
        get = row.get if row is not None else (lambda name: None)
        out.append({
            "week": week, "status": status, "hours": _number(get("hours")), "energy": _number(get("energy")),
            "burnout": _number(get("burnout")), "blockers": has_blockers(get("blockers")),
            "wants_one_to_one": _truthy(get("wants_one_to_one")),
            "evidence_on": (_stamp_date(get("submitted_at")) or (week_start + timedelta(days=6) if week_start else None))
            if row is not None else week_start,
        })
    return out


def person_weeks(rows: pd.DataFrame, upto_week: int, thresholds: Thresholds = Thresholds(),
                 start_date: date | None = None) -> pd.DataFrame:
    """One person's weeks 1..upto_week: status (reported/missing/holiday/not started) and answers."""
    return pd.DataFrame(_week_list(rows, upto_week, thresholds, start_date), columns=WEEK_COLUMNS)


def _run_back(weeks: list[dict], index: int, test) -> list[dict]:
    """The consecutive weeks ending at index for which test(week) holds, oldest first."""
    run = []
    i = index
    while i >= 0 and test(weeks[i]):
        run.append(weeks[i])
        i -= 1
    return run[::-1]


def _reported_hours(row: dict) -> float | None:
    return row["hours"] if row["status"] == "reported" else None


def signals_for_person(email: str, rows: pd.DataFrame | list[dict], expected_hours: float, upto_week: int,
                       thresholds: Thresholds = Thresholds(), start_date: date | None = None) -> list[Signal]:
    """Every signal that fires for one person in each week 1..upto_week."""
    t = thresholds
    weeks = _week_list(rows, upto_week, t, start_date)
    expected = float(expected_hours or 4.0)
    found: list[Signal] = []

    def add(row: dict, name: str, severity: str, reason: str) -> None:
        found.append(Signal(email, int(row["week"]), name, severity, reason, row["evidence_on"]))

    for i, row in enumerate(weeks):
        week = row["week"]
        reported = row["status"] == "reported"
        hours = _reported_hours(row)

        # overwork: 2x expected in consecutive weeks, or 3x in any one week
        if hours is not None:
            heavy = _run_back(weeks, i, lambda r: _reported_hours(r) is not None
                              and _reported_hours(r) >= t.overwork_ratio * expected)
            parts, severity = [], None
            if len(heavy) >= t.overwork_weeks:
                parts.append(f"worked {_hours_list([r['hours'] for r in heavy])} in "
                             f"{weeks_text([r['week'] for r in heavy])}; about {_h(expected)} h is expected")
                severity = "high" if len(heavy) > t.overwork_weeks else "medium"
            if hours >= t.overwork_single_week_ratio * expected:
                parts.append(f"{_h(hours)} h in week {week} is at least {_h(t.overwork_single_week_ratio)}x "
                             f"the {_h(expected)} h expected")
                severity = "high"
            if parts:
                add(row, "overwork", severity, "; ".join(parts))

        # no_break: above expected every week for N consecutive weeks
        if hours is not None and hours > expected:
            run = _run_back(weeks, i, lambda r: _reported_hours(r) is not None and _reported_hours(r) > expected)
            if len(run) >= t.no_break_weeks:
                add(row, "no_break", "high" if len(run) >= t.no_break_weeks + 2 else "medium",
                    f"above the expected {_h(expected)} h every week for {len(run)} weeks in a row "
                    f"({weeks_text([r['week'] for r in run])}: {_hours_list([r['hours'] for r in run])}); "
                    f"no lighter week yet")

        # burnout: single-item answer at or above the threshold
        if reported and row["burnout"] is not None and row["burnout"] >= t.burnout_at_least:
            score = int(row["burnout"])
            add(row, "burnout", "high" if score >= t.burnout_at_least + 1 else "medium",
                f"answered {score} of 5 on the burnout question in week {week} "
                f"(1 = enjoys the work, 5 = completely burned out)")

        # energy_drop: well below the person's own median of earlier weeks
        if reported and row["energy"] is not None:
            history = [r for r in weeks[:i] if r["status"] == "reported" and r["energy"] is not None]
            if len(history) >= t.energy_min_history:
                usual = float(median(r["energy"] for r in history))
                drop = usual - row["energy"]
                if drop >= t.energy_drop:
                    add(row, "energy_drop", "high" if drop >= t.energy_drop + 1 else "medium",
                        f"energy {_h(row['energy'])} of 5 in week {week}, {_h(drop)} below their usual {_h(usual)} "
                        f"(median of {weeks_text([r['week'] for r in history])})")

        # drifting: consecutive weeks without a check-in (holidays skipped), or hours fall to 0
        if row["status"] == "missing":
            missed = []
            for r in reversed(weeks[: i + 1]):
                if r["status"] == "holiday":
                    continue
                if r["status"] != "missing":
                    break
                missed.append(r["week"])
            if len(missed) >= t.drifting_missed_weeks:
                last = [r for r in weeks[:i] if r["status"] == "reported"][-1:]
                since = ""
                if last:
                    since = f" (last check-in: week {last[0]['week']}" + (
                        f", {_h(last[0]['hours'])} h)" if last[0]["hours"] is not None else ")")
                add(row, "drifting", "high" if len(missed) > t.drifting_missed_weeks else "medium",
                    f"no check-in in {weeks_text(missed)}{since}")
        elif hours is not None and hours == 0 and week not in t.holiday_weeks:
            active = [r for r in weeks[:i] if r["status"] == "reported" and (r["hours"] or 0) > 0]
            if len(active) >= t.drifting_active_weeks:
                last = active[-1]
                add(row, "drifting", "medium",
                    f"reported 0 h in week {week} after {len(active)} active weeks "
                    f"(last: {_h(last['hours'])} h in week {last['week']})")

        # stuck: blockers in consecutive reported weeks (holiday weeks without a check-in skipped)
        if reported and row["blockers"]:
            run = []
            for r in reversed(weeks[: i + 1]):
                if r["status"] == "holiday":
                    continue
                if r["status"] != "reported" or not r["blockers"]:
                    break
                run.append(r["week"])
            if len(run) >= t.stuck_weeks:
                add(row, "stuck", "medium" if len(run) > t.stuck_weeks else "low",
                    f"reported something blocking them in {weeks_text(run)}")

        if reported and row["wants_one_to_one"]:
            add(row, "wants_one_to_one", "high", f"asked for a one-to-one with their Captain in week {week}")
    return found


# --- the whole session ----------------------------------------------------------------

def last_week(checkins: pd.DataFrame | None, weeks: int) -> int:
    """The session's last week: its length, or the latest check-in's week if later."""
    last = int(checkins["week"].max()) if checkins is not None and len(checkins) else 0
    return max(int(weeks or 1), last)


def detect_signals(checkins: pd.DataFrame, expected_hours: float, upto_week: int,
                   thresholds: Thresholds = Thresholds(), start_date: date | None = None,
                   roster: list[str] | None = None) -> list[Signal]:
    """Every firing for everyone up to a week; roster e-mails with no check-in at all are drifting."""
    found: list[Signal] = []
    rows = checkins[checkins["week"] <= upto_week] if checkins is not None and len(checkins) else pd.DataFrame(
        columns=["email", "week"])
    by_person = _by_person(rows)
    for email in sorted(by_person):
        found += signals_for_person(email, by_person[email], expected_hours, upto_week, thresholds, start_date)
    # A roster member with no check-in at all is drifting, but only once check-ins are being
    # collected: a session whose check-ins were never imported has no evidence either way.
    silent = sorted(set(roster or []) - set(by_person)) if by_person else []
    working = [w for w in range(1, upto_week + 1) if w not in thresholds.holiday_weeks]
    if len(working) >= thresholds.drifting_missed_weeks:
        evidence = start_date + timedelta(days=7 * (upto_week - 1)) if start_date else None
        for email in silent:
            found.append(Signal(email, upto_week, "drifting", "high" if len(working) > thresholds.drifting_missed_weeks
                                else "medium", f"no check-in yet ({weeks_text(working)})", evidence))
    return found


def mark_handled(signals: list[Signal], one_to_ones: pd.DataFrame | None) -> list[Signal]:
    """Signals with handled=True where a one-to-one was held on or after their evidence."""
    latest: dict[str, date] = {}
    if one_to_ones is not None and len(one_to_ones):
        for email, held in zip(one_to_ones["email"], one_to_ones["held_on"]):
            held = _stamp_date(held)
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
    frame = pd.DataFrame([asdict(s) for s in signals],
                         columns=[*SIGNAL_COLUMNS, "evidence_on", "handled"])
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
    return signals_frame([Signal(**r) for r in latest[~cleared][[*SIGNAL_COLUMNS, "evidence_on", "handled"]]
                          .to_dict("records")])


def open_signals(current: pd.DataFrame) -> pd.DataFrame:
    """Current signals nobody has followed up yet, most severe first."""
    return current[~current["handled"].astype(bool)].reset_index(drop=True) if len(current) else current


def who_to_check_on(open_frame: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person with open signals: top severity, signal names and reasons, most severe first."""
    columns = ["email", "name", "team", "severity", "signals", "reasons", "week"]
    if open_frame is None or open_frame.empty:
        return pd.DataFrame(columns=columns)
    info = people.drop_duplicates("email").set_index("email")[["name", "team"]].to_dict("index") \
        if people is not None and len(people) else {}
    ordered = open_frame.assign(rank=open_frame["severity"].map(SEVERITY_RANK)).sort_values(
        ["rank", "week"], ascending=False, kind="stable")
    rows = []
    for email, group in sorted(_by_person(ordered).items()):  # most severe and latest first within each person
        known = info.get(email, {})
        latest = max(int(r["week"]) for r in group)
        rows.append({
            "email": email,
            "name": str(known["name"]) if pd.notna(known.get("name")) else email,
            "team": str(known["team"]) if pd.notna(known.get("team")) else "",
            "severity": group[0]["severity"],
            "signals": [SIGNAL_LABELS[r["signal"]] for r in group],
            "reasons": [f"{SIGNAL_LABELS[r['signal']]}: {r['reason']}" for r in group],
            "week": latest,
            "_rank": (group[0]["rank"], len(group), latest),
        })
    rows.sort(key=lambda r: (-r["_rank"][0], -r["_rank"][1], -r["_rank"][2], r["name"]))
    return pd.DataFrame(rows, columns=columns)


def one_to_ones_upto(one_to_ones: pd.DataFrame | None, start_date: date | None, upto_week: int) -> pd.DataFrame:
    """One-to-ones held before the end of a week (all of them when the session has no start date)."""
    if one_to_ones is None or one_to_ones.empty or start_date is None:
        return one_to_ones if one_to_ones is not None else pd.DataFrame(columns=["email", "held_on"])
    end = start_date + timedelta(days=7 * upto_week)
    keep = [(_stamp_date(d) or end) < end for d in one_to_ones["held_on"]]
    return one_to_ones[keep]


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


def compute(checkins: pd.DataFrame, one_to_ones: pd.DataFrame | None, *, expected_hours: float, weeks: int,
            start_date: date | None, thresholds: Thresholds = Thresholds(), as_of_week: int | None = None,
            roster: list[str] | None = None) -> SessionSignals:
    """Signals for a session's check-ins as of a week (default: this week), with handled flags from the one-to-ones."""
    checkins = checkins if checkins is not None else pd.DataFrame(columns=["email", "week"])
    # Weeks that have not happened yet are not missed weeks: by default look no further than this week.
    upto = int(as_of_week) if as_of_week else default_week(checkins, {"start_date": start_date, "weeks": weeks})
    # Looking back at an earlier week ignores later one-to-ones; at the session's last week
    # (or later) every one-to-one counts, including those held after the session ended.
    meetings = one_to_ones_upto(one_to_ones, start_date, upto) if upto < last_week(checkins, weeks) else one_to_ones
    found = mark_handled(detect_signals(checkins, expected_hours, upto, thresholds, start_date, roster), meetings)
    current = current_signals(found, checkins, upto)
    return SessionSignals(upto, float(expected_hours or 4.0), thresholds, signals_frame(found), current,
                          open_signals(current), found)


# --- loading (access applied where the data is loaded) ----------------------------------

@dataclass
class WellbeingData:
    """What one viewer may see of a session's wellbeing data."""

    session: dict
    checkins: pd.DataFrame
    people: pd.DataFrame  # the visible Djangonauts
    staff: pd.DataFrame  # Navigators and Captains of the visible teams
    teams: pd.DataFrame
    one_to_ones: pd.DataFrame
    surveys: pd.DataFrame


def session_info(url: str, session_id: int) -> dict:
    """A session's name, start date, weeks and expected hours as a dict."""
    frame = store.sessions_frame(url)
    row = frame[frame["id"] == session_id]
    if row.empty:
        raise LookupError(f"Session {session_id} not found; pick a session that exists.")
    info = row.iloc[0].to_dict()
    info["start_date"] = _stamp_date(info.get("start_date"))
    info["weeks"] = int(info.get("weeks") or 8)
    info["expected_hours"] = float(info.get("expected_hours") or 4.0)
    return info


def for_viewer(viewer: access.Viewer, session: dict, checkins: pd.DataFrame, people: pd.DataFrame,
               teams: pd.DataFrame, one_to_ones: pd.DataFrame, surveys: pd.DataFrame, *,
               individual: bool = True) -> WellbeingData:
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
    return WellbeingData(session, checkins.reset_index(drop=True), djangonauts, staff.reset_index(drop=True),
                         shown_teams.reset_index(drop=True), meetings.reset_index(drop=True), surveys.reset_index(drop=True))


def load_for_viewer(url: str, session_id: int, viewer: access.Viewer, *, individual: bool = True) -> WellbeingData:
    """Check-ins, Djangonauts, teams, one-to-ones and surveys of a session that this viewer may see (for_viewer)."""
    return for_viewer(viewer, session_info(url, session_id), store.load_table(url, session_id, "checkins"),
                      store.load_table(url, session_id, "people"), store.load_table(url, session_id, "teams"),
                      store.load_one_to_ones(url, session_id), store.load_table(url, session_id, "surveys"),
                      individual=individual)


def compute_for(data: WellbeingData, settings: Settings | None, as_of_week: int | None = None) -> SessionSignals:
    """Signals for what a viewer may see (the roster makes silent Djangonauts count as drifting)."""
    s = data.session
    return compute(data.checkins, data.one_to_ones, expected_hours=s["expected_hours"], weeks=s["weeks"],
                   start_date=s["start_date"], thresholds=load_thresholds(settings), as_of_week=as_of_week,
                   roster=list(data.people["email"]))


def session_signals(url: str, session_id: int, settings: Settings | None,
                    as_of_week: int | None = None) -> SessionSignals:
    """All of a session's signals (organiser's view), as of a week (default: this week)."""
    info = session_info(url, session_id)
    people = store.load_table(url, session_id, "people")
    roster = list(people.loc[people["role"] == "djangonaut", "email"]) if len(people) else []
    return compute(store.load_table(url, session_id, "checkins"), store.load_one_to_ones(url, session_id),
                   expected_hours=info["expected_hours"], weeks=info["weeks"], start_date=info["start_date"],
                   thresholds=load_thresholds(settings), as_of_week=as_of_week, roster=roster)


def default_week(data_checkins: pd.DataFrame | None, session: dict, today: date | None = None) -> int:
    """'This week' (the one place that decides it): the session's calendar week, or the latest week with check-ins if later."""
    calendar = store.current_week(session.get("start_date"), session.get("weeks") or 8, today)
    latest = int(data_checkins["week"].max()) if data_checkins is not None and len(data_checkins) else 1
    return max(calendar, latest)


def over_expected(checkins: pd.DataFrame, expected_hours: float, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Check-ins that report hours, flagged 'over_expected' above the top of the expected band (missing hours left out)."""
    hours = pd.to_numeric(checkins["hours"], errors="coerce")
    reported = checkins[hours.notna()]
    return reported.assign(over_expected=hours[hours.notna()] > expected_hours * thresholds.expected_band[1])


# --- per person and per team ----------------------------------------------------------

def weekly_series(checkins: pd.DataFrame, emails: list[str], upto_week: int, expected_hours: float,
                  thresholds: Thresholds = Thresholds(), start_date: date | None = None) -> pd.DataFrame:
    """Per person and week: status, hours (NaN when unknown), energy, burnout, expected hours and band."""
    by_email = _by_person(checkins)
    rows = [{"email": email, **week} for email in emails
            for week in _week_list(by_email.get(email, []), upto_week, thresholds, start_date)]
    if not rows:
        return pd.DataFrame(columns=["email", "week", "status", "hours", "energy", "burnout", "blockers",
                                     "wants_one_to_one", "expected", "band_low", "band_high"])
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


def team_balance(checkins: pd.DataFrame, people: pd.DataFrame, upto_week: int,
                 thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Each member's share of their team's hours in a reported week; 'carrying' marks one doing much more."""
    columns = ["team", "email", "name", "hours", "mean_hours", "weeks_reported", "share", "equal_share", "carrying"]
    roster = people[people["role"] == "djangonaut"] if len(people) else people
    if roster is None or roster.empty:
        return pd.DataFrame(columns=columns)
    rows = checkins[checkins["week"] <= upto_week] if len(checkins) else pd.DataFrame(columns=["email", "week", "hours"])
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


def staff_load(teams: pd.DataFrame, people: pd.DataFrame, one_to_ones: pd.DataFrame | None,
               open_frame: pd.DataFrame | None, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Navigators' and Captains' load: Djangonauts each looks after, one-to-ones held, open signals."""
    columns = ["email", "name", "role", "teams", "djangonauts", "limit", "over_limit", "one_to_ones", "open_signals"]
    if teams is None or teams.empty:
        return pd.DataFrame(columns=columns)
    roster = people[people["role"] == "djangonaut"] if len(people) else people
    members = roster.groupby("team")["email"].apply(set).to_dict() if len(roster) else {}
    names = people.drop_duplicates("email").set_index("email")["name"].to_dict() if len(people) else {}
    load: dict[tuple[str, str], dict] = {}
    for _, team in teams.iterrows():
        navigators = team["navigators"] if isinstance(team["navigators"], (list, tuple)) else (
            [team["navigators"]] if isinstance(team["navigators"], str) and team["navigators"] else [])
        staff = [(n, "Navigator") for n in navigators] + ([(team["captain"], "Captain")] if isinstance(team["captain"], str) and team["captain"] else [])
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
        rows.append({"email": email, "name": names.get(email) or email, "role": role, "teams": ", ".join(entry["teams"]),
                     "djangonauts": len(djangonauts), "limit": limit,
                     "over_limit": bool(limit is not None and len(djangonauts) > limit),
                     "one_to_ones": held if role == "Captain" else None, "open_signals": open_count})
    return pd.DataFrame(rows, columns=columns)


# --- writes ----------------------------------------------------------------------------

def record_one_to_one(url: str, session_id: int, email: str, recorder: access.Viewer, held_on: date,
                      note: str | None = None) -> int:
    """Store a one-to-one recorded by the Djangonaut's Captain or an organiser (and its audit entry); returns its id."""
    email = (email or "").strip().lower()
    captain = (recorder.email or "").strip().lower()
    if not email or not captain:
        raise ValueError("Choose the Djangonaut and sign in as their Captain before recording a one-to-one.")
    if not isinstance(held_on, date):
        raise ValueError("Give the date of the one-to-one (YYYY-MM-DD).")
    if isinstance(held_on, datetime):
        held_on = held_on.date()
    if held_on > date.today() + timedelta(days=1):
        raise ValueError(f"{held_on.isoformat()} is in the future; record a one-to-one once it has happened.")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValueError(f"Keep the note under {MAX_NOTE_LENGTH} characters (it has {len(note)}).")
    with dbmod.write(url, actor=captain, action="one_to_one_recorded", session_id=session_id, subject=email,
                     detail=f"held on {held_on.isoformat()}") as change:
        db = change.db
        if db.get(models.Session, session_id) is None:
            raise ValueError(f"Session {session_id} not found; pick a session that exists.")
        team = db.scalar(select(models.Person.team).where(
            models.Person.session_id == session_id, models.Person.email == email, models.Person.role == "djangonaut"))
        if not access.may_read_notes(recorder, team):  # their Captain or an organiser, as for their notes
            raise PermissionError(f"Only {email}'s Captain or an organiser can record their one-to-ones, and {captain} "
                                  "is neither; sign in as their Captain or ask an organiser to record it.")
        meeting = models.OneToOne(session_id=session_id, email=email, captain=captain, held_on=held_on, note=note or None)
        db.add(meeting)
        db.flush()
        return int(meeting.id)


def record_wellbeing_view(url: str, session_id: int, actor: str, email: str) -> None:
    """Note in the audit log that someone opened a person's wellbeing details."""
    audit.record(url, actor, "wellbeing_viewed", subject=email, detail="wellbeing details", session_id=session_id)
