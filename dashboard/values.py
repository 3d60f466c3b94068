"""Cleaning one stored value: a date, a number or a yes/no, with missing values (None, NaN, NaT) as None."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd


def as_date(value) -> date | None:
    """A date, datetime or timestamp as a date; None for a missing value."""
    if value is None or (not isinstance(value, (date, datetime)) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()
