"""Wellbeing signals: who needs a check-in this week, and why, from the weekly check-ins.

Every rule is a pure function of one person's weeks. A week without a check-in is
"missing" (unknown), never zero hours; weeks before a person's first check-in are
"not started" (people who join late are not drifting); session-wide holiday weeks are
"holiday". Thresholds come from dashboard.toml [wellbeing] and scale with the session's
expected hours. A signal fires in a week when its rule holds on the data up to that week;
a Captain's one-to-one held on or after the evidence marks it handled until a later
check-in fires it again.

The modules, in the order the data flows:
    thresholds  Thresholds ([wellbeing]) and the Signal record
    weeks       one person's weeks: reported, missing, holiday or not started
    rules       each signal's rule, one small function each
    signals     the registry of signals (SIGNAL_RULES) and the loop that runs it
    session     a session's signals as of a week: current, handled, open, who to check on
    series      per person and week, for the charts; one person's summary
    balance     team balance and Navigator/Captain load
    loading     what one viewer may see (access applied where it is loaded)
    writes      recording a one-to-one; noting a wellbeing view in the audit log
    charts      the Wellbeing page's charts (imported on its own: it loads Altair)
"""

from dashboard.wellbeing.balance import staff_load, team_balance
from dashboard.wellbeing.loading import WellbeingData, compute_for, for_viewer, load_for_viewer, session_signals
from dashboard.wellbeing.rules import weeks_text
from dashboard.wellbeing.series import over_expected, person_summary, weekly_series
from dashboard.wellbeing.session import (
    SessionSignals,
    compute,
    default_week,
    last_week,
    one_to_ones_upto,
    who_to_check_on,
)
from dashboard.wellbeing.signals import SIGNAL_LABELS, SIGNAL_RULES, SIGNALS, detect_signals
from dashboard.wellbeing.thresholds import SEVERITY_RANK, Signal, Thresholds, load_thresholds
from dashboard.wellbeing.weeks import has_blockers, person_weeks
from dashboard.wellbeing.writes import MAX_NOTE_LENGTH, record_one_to_one, record_wellbeing_view

__all__ = [
    "MAX_NOTE_LENGTH",
    "SEVERITY_RANK",
    "SIGNALS",
    "SIGNAL_LABELS",
    "SIGNAL_RULES",
    "SessionSignals",
    "Signal",
    "Thresholds",
    "WellbeingData",
    "compute",
    "compute_for",
    "default_week",
    "detect_signals",
    "for_viewer",
    "has_blockers",
    "last_week",
    "load_for_viewer",
    "load_thresholds",
    "one_to_ones_upto",
    "over_expected",
    "person_summary",
    "person_weeks",
    "record_one_to_one",
    "record_wellbeing_view",
    "session_signals",
    "staff_load",
    "team_balance",
    "weekly_series",
    "weeks_text",
    "who_to_check_on",
]
