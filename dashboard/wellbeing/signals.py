"""The signals a Captain sees, in one registry, and the loop that runs them over everyone's weeks.

A signal fires in a week when its rule (dashboard.wellbeing.rules) holds on the data up to
that week. Some signals clear when a later check-in no longer shows the pattern (they came
back, got unstuck, took a lighter week); the others stay open until a Captain has talked to
the person (dashboard.wellbeing.session marks them handled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.models import DEFAULT_EXPECTED_HOURS
from dashboard.sessions import week_start
from dashboard.wellbeing import rules
from dashboard.wellbeing.thresholds import Signal, Thresholds
from dashboard.wellbeing.weeks import READ_COLUMNS, by_person, week_list


@dataclass(frozen=True)
class SignalRule:
    """One signal: its name (the `signals --json` contract), its label on screen, its rule, how it clears."""

    name: str
    label: str
    fires: Callable[[list[dict], int, float, Thresholds], rules.Firing | None]
    cleared_by_recovery: bool = False  # a later check-in without the pattern clears it


SIGNAL_RULES = (
    SignalRule("overwork", "Overwork", rules.overwork),
    SignalRule("no_break", "No break", rules.no_break, cleared_by_recovery=True),
    SignalRule("burnout", "Burnout", rules.burnout),
    SignalRule("energy_drop", "Energy drop", rules.energy_drop),
    SignalRule("drifting", "Drifting", rules.drifting, cleared_by_recovery=True),
    SignalRule("stuck", "Stuck", rules.stuck, cleared_by_recovery=True),
    SignalRule("wants_one_to_one", "Wants a one-to-one", rules.wants_one_to_one),
)
SIGNALS = tuple(rule.name for rule in SIGNAL_RULES)
SIGNAL_LABELS = {rule.name: rule.label for rule in SIGNAL_RULES}
CLEARED_BY_RECOVERY = frozenset(rule.name for rule in SIGNAL_RULES if rule.cleared_by_recovery)


def signals_for_person(
    email: str,
    rows: pd.DataFrame | list[dict],
    expected_hours: float,
    upto_week: int,
    thresholds: Thresholds = Thresholds(),
    start_date: date | None = None,
) -> list[Signal]:
    """Every signal that fires for one person in each week 1..upto_week."""
    weeks = week_list(rows, upto_week, thresholds, start_date)
    expected = float(expected_hours or DEFAULT_EXPECTED_HOURS)
    return [
        Signal(email, int(week["week"]), rule.name, *firing, week["evidence_on"])
        for i, week in enumerate(weeks)
        for rule in SIGNAL_RULES
        if (firing := rule.fires(weeks, i, expected, thresholds)) is not None
    ]


def detect_signals(
    checkins: pd.DataFrame,
    expected_hours: float,
    upto_week: int,
    thresholds: Thresholds = Thresholds(),
    start_date: date | None = None,
    roster: list[str] | None = None,
) -> list[Signal]:
    """Every firing for everyone up to a week; roster e-mails with no check-in at all are drifting."""
    found: list[Signal] = []
    rows = (
        checkins[checkins["week"] <= upto_week]
        if checkins is not None and len(checkins)
        else pd.DataFrame(columns=["email", "week"])
    )
    people = by_person(rows, READ_COLUMNS)
    for email in sorted(people):
        found += signals_for_person(email, people[email], expected_hours, upto_week, thresholds, start_date)
    # A roster member with no check-in at all is drifting, but only once check-ins are being
    # collected: a session whose check-ins were never imported has no evidence either way.
    silent = sorted(set(roster or []) - set(people)) if people else []
    firing = rules.never_checked_in(
        [w for w in range(1, upto_week + 1) if w not in thresholds.holiday_weeks], thresholds
    )
    if firing is not None:
        evidence = week_start(start_date, upto_week) if start_date else None
        found += [Signal(email, upto_week, "drifting", *firing, evidence) for email in silent]
    return found
