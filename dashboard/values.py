"""Cleaning one stored value: a date, a number, a yes/no or a list of e-mails.

The one rule for missing values: None, NaN, NaT and pd.NA are missing (is_missing). A missing or
unreadable number is None, never 0 (a week without hours is unknown, not zero hours); a missing
yes/no is False (an unknown answer is never a yes). Code that must tell "no" from "unknown"
checks is_missing first.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

YES_ANSWERS = frozenset({"yes", "true", "1", "y"})


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pd.NA (not for text, lists or other values)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not one missing value
        return False


def number(value) -> float | None:
    """A float, or None for a missing or unreadable value (None, NaN, '', text)."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def as_bool(value) -> bool:
    """Yes/true/1/y (any case, as text) or a true value; a missing value (NaN included) is False."""
    if isinstance(value, str):
        return value.strip().lower() in YES_ANSWERS
    return False if is_missing(value) else bool(value)


def as_date(value) -> date | None:
    """A date, datetime or timestamp as a date; None for a missing value."""
    if value is None or (not isinstance(value, (date, datetime)) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def email_list(value) -> list[str]:
    """A stored list of e-mails (a team's Navigators) as lower-case addresses: a list, or text split at commas."""
    if is_missing(value):
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [str(item).strip().lower() for item in items if str(item).strip()]
