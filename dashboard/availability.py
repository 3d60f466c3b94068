"""Weekly availability as canonical UTC one-hour blocks 0..167 from Sunday 00:00 UTC.

Forms give it either as a checkbox grid of local-time hours per weekday plus a time zone,
or (Djangonaut Space's site) as half-hour UTC slots 0.0..167.5. Both become one set of
whole UTC hours; an hour counts only when all of it is free, so half-hour time zones
(India, Newfoundland) lose the hours they only half cover.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

HOURS_PER_WEEK = 168
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DAY_ABBREVIATIONS = {d[:3]: d for d in DAYS}


class AvailabilityError(ValueError):
    """An availability answer that cannot be read."""


def from_half_hour_slots(slots: Iterable[float]) -> list[int]:
    """UTC blocks from half-hour slots: hour h is free when slots h and h+0.5 both are."""
    halves = {int(round(float(s) * 2)) % (HOURS_PER_WEEK * 2) for s in slots}
    return sorted(h for h in range(HOURS_PER_WEEK) if 2 * h in halves and 2 * h + 1 in halves)


def parse_utc_blocks(raw: str | Iterable) -> list[int]:
    """Read '0, 1, 2' (UTC hour blocks) or '0.0, 0.5, 1.0' (half-hour slots) into blocks."""
    if not isinstance(raw, str):
        values = list(raw)
        text_values = [str(v) for v in values]
    else:
        text_values = [v for v in re.split(r"[\s,;\[\]]+", raw.strip()) if v]
    try:
        numbers = [float(v) for v in text_values]
    except ValueError:
        raise AvailabilityError(
            f"'{raw}' is not a list of UTC hour blocks; write numbers 0-167 separated by commas"
        ) from None
    if any(n < 0 or n >= HOURS_PER_WEEK for n in numbers):
        raise AvailabilityError(f"'{raw}' has hours outside 0-167 (Sunday 00:00 UTC is 0)")
    if any("." in v for v in text_values):
        return from_half_hour_slots(numbers)
    return sorted({int(n) for n in numbers})


_HOUR_LABEL = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)


def parse_hour_label(label: str) -> int:
    """The starting hour of a grid column label: '09:00', '9 AM', '14:00-15:00', '12 pm'."""
    m = _HOUR_LABEL.match(label)
    if not m:
        raise AvailabilityError(f"'{label}' is not an hour such as 09:00 or 9 AM")
    hour = int(m.group(1))
    suffix = (m.group(3) or "").lower().replace(".", "")
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    if not 0 <= hour <= 23:
        raise AvailabilityError(f"'{label}' is not an hour of the day")
    return hour


def day_name(label: str) -> str:
    """Canonical weekday name from a grid row label such as 'Monday' or 'Mon'."""
    key = label.strip().lower()[:3]
    if key not in DAY_ABBREVIATIONS:
        raise AvailabilityError(f"'{label}' is not a day of the week")
    return DAY_ABBREVIATIONS[key]


def from_local_grid(grid: Mapping[str, Iterable[int]], tz: str, week_of: date | None = None) -> list[int]:
    """UTC blocks from local hours per weekday in a time zone, using the offsets of week_of."""
    zone = ZoneInfo(tz)
    week_of = week_of or date(2026, 1, 4)
    sunday = week_of - timedelta(days=(week_of.weekday() + 1) % 7)
    halves: set[int] = set()
    for day, hours in grid.items():
        offset_days = DAYS.index(day_name(day))
        for hour in hours:
            local = datetime.combine(sunday + timedelta(days=offset_days), time(int(hour)), tzinfo=zone)
            utc = local.astimezone(timezone.utc)
            minutes = ((utc.weekday() + 1) % 7) * 24 * 60 + utc.hour * 60 + utc.minute
            start_half = minutes // 30
            halves.update({start_half % 336, (start_half + 1) % 336})
    return sorted(h for h in range(HOURS_PER_WEEK) if 2 * h in halves and 2 * h + 1 in halves)


def parse_grid_cells(cells: Mapping[str, str], tz: str, week_of: date | None = None) -> list[int]:
    """UTC blocks from a Google Forms checkbox grid: {day label: 'label, label'} in local time."""
    grid = {
        day: [parse_hour_label(label) for label in re.split(r"\s*[,;]\s*", text) if label.strip()]
        for day, text in cells.items()
        if text and str(text).strip()
    }
    return from_local_grid(grid, tz, week_of)


def common_blocks(*block_sets: Iterable[int]) -> set[int]:
    """The hour blocks every one of the given people shares."""
    sets = [set(b or ()) for b in block_sets]
    return set.intersection(*sets) if sets else set()


def overlap_hours(a: Iterable[int], b: Iterable[int]) -> int:
    """Whole common one-hour blocks between two people."""
    return len(common_blocks(a, b))


def block_label(block: int) -> str:
    """'Mon 14:00 UTC' for a block number."""
    return f"{DAYS[block // 24][:3].title()} {block % 24:02d}:00 UTC"
