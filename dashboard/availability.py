"""Weekly availability as canonical UTC one-hour blocks 0..167 from Sunday 00:00 UTC.

Forms give it either as a checkbox grid of local-time hours per weekday plus a time zone,
or (Djangonaut Space's site, as text) as half-hour UTC slots 0.0..167.5; JSON and the
database give a list of hour-block numbers. All become one set of whole UTC hours; an hour
counts only when all of it is free, so half-hour time zones (India, Newfoundland) lose the
hours they only half cover.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    import pandas as pd

from dashboard.timezones import zone_info

HOURS_PER_WEEK = 168
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DAY_ABBREVIATIONS = {d[:3]: d for d in DAYS}


class AvailabilityError(ValueError):
    """An availability answer that cannot be read."""


def from_half_hour_slots(slots: Iterable[float]) -> list[int]:
    """UTC blocks from half-hour slots: hour h is free when slots h and h+0.5 both are."""
    halves = {int(round(float(s) * 2)) % (HOURS_PER_WEEK * 2) for s in slots}
    return sorted(h for h in range(HOURS_PER_WEEK) if 2 * h in halves and 2 * h + 1 in halves)


def hour_blocks(values: Iterable) -> list[int]:
    """A list of numbers as UTC hour blocks: whole numbers 0..167 (18.0 is hour 18; 18.5 is refused)."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise AvailabilityError(f"{values!r} is not a list of UTC hour blocks 0-167 (Sunday 00:00 UTC is 0)")
    blocks = set()
    for value in values:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if isinstance(value, bool) or number != number:
            raise AvailabilityError(f"{value!r} is not a UTC hour block; give whole numbers 0-167 (Sunday 00:00 UTC is 0)")
        if not 0 <= number < HOURS_PER_WEEK:
            raise AvailabilityError(f"{value!r} is outside 0-167 (Sunday 00:00 UTC is 0)")
        if not number.is_integer():
            raise AvailabilityError(f"{value!r} is not a whole hour; hour blocks are whole numbers 0-167, not half-hour slots")
        blocks.add(int(number))
    return sorted(blocks)


def parse_utc_blocks(raw: str | Iterable) -> list[int]:
    """Read text '0, 1, 2' (UTC hour blocks) or '0.0, 0.5, 1.0' (half-hour slots), or a list of hour blocks."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return []
    if not isinstance(raw, str):
        # A list holds numbers, which are hour blocks: 18.0 is hour 18. Only text in Djangonaut Space's
        # export writes half-hour slots with a decimal point.
        return hour_blocks(raw)
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


QUARTERS_PER_WEEK = HOURS_PER_WEEK * 4


def _week_minute(moment: datetime) -> int:
    """Minutes since Sunday 00:00 UTC of the week a UTC moment falls in."""
    utc = moment.astimezone(timezone.utc)
    return ((utc.weekday() + 1) % 7) * 24 * 60 + utc.hour * 60 + utc.minute


def _blocks_from_quarters(quarters: set[int]) -> list[int]:
    """Whole UTC hours whose four quarter-hours are all free."""
    return sorted(h for h in range(HOURS_PER_WEEK) if all((4 * h + q) in quarters for q in range(4)))


def from_local_grid(grid: Mapping[str, Iterable[int]], tz: str, week_of: date | None = None) -> list[int]:
    """UTC blocks from local hours per weekday in a time zone, using the offsets of week_of."""
    try:
        zone = zone_info(tz)
    except KeyError as exc:
        raise AvailabilityError(f"'{tz}' is not a time zone name such as Europe/London") from exc
    week_of = week_of or date(2026, 1, 4)
    sunday = week_of - timedelta(days=(week_of.weekday() + 1) % 7)
    # Quarter-hours, not half-hours: Nepal (+05:45) and Chatham (+12:45) are off by 15 minutes,
    # and an hour only counts when every minute of it is free.
    quarters: set[int] = set()
    for day, hours in grid.items():
        offset_days = DAYS.index(day_name(day))
        for hour in hours:
            hour = int(hour)
            if not 0 <= hour <= 23:
                raise AvailabilityError(f"{hour} is not an hour of the day (0-23)")
            local = datetime.combine(sunday + timedelta(days=offset_days), time(hour), tzinfo=zone)
            start = _week_minute(local)
            first, last = -(-start // 15), (start + 60) // 15  # quarters fully inside [start, start+60)
            quarters.update(q % QUARTERS_PER_WEEK for q in range(first, last))
    return _blocks_from_quarters(quarters)


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


def day_label(block: int) -> str:
    """The UTC weekday abbreviation of a block: 'Sun' .. 'Sat'."""
    return DAYS[(block % HOURS_PER_WEEK) // 24][:3].title()


def week_grid(block_sets: Mapping[str, Iterable[int]]) -> "pd.DataFrame":
    """One row per UTC block (day x hour): how many of the given people are free, and if all are."""
    import pandas as pd

    sets = [set(blocks or ()) for blocks in block_sets.values()]
    total = len(sets)
    rows = []
    for block in range(HOURS_PER_WEEK):
        free = sum(block in s for s in sets)
        rows.append({"block": block, "day": day_label(block), "day_index": block // 24, "hour": block % 24,
                     "free": free, "people": total, "share": free / total if total else 0.0,
                     "common": bool(total) and free == total})
    return pd.DataFrame(rows)


def utc_offset_hours(tz: str | None, on: date | None = None) -> float | None:
    """A time zone's UTC offset in hours on a date (None when the zone is unknown)."""
    if not tz or not isinstance(tz, str):
        return None
    try:
        zone = zone_info(tz)
    except KeyError:
        return None
    moment = datetime.combine(on or date(2026, 1, 4), time(12), tzinfo=zone)
    return moment.utcoffset().total_seconds() / 3600
