"""Weekly availability as Djangonaut Space's site stores it: UTC half-hour slots 0.0..167.5.

The one module that knows the representation. A person's availability is a sorted list of
half-hour slots counted in hours from Sunday 00:00 UTC (Monday 14:30 UTC is 38.5), the site's
``UserAvailability.slots``. Hours of overlap are counted the way the site's
``count_one_hour_blocks`` (home/availability.py) counts them: walk the sorted slots and count
each pair of consecutive half-hours once, so 09:30-11:30 is 2 hours and a time zone at
UTC+05:30 loses nothing. Older data stored whole UTC hour blocks 0..167; block h is slots h
and h+0.5. Forms give a checkbox grid in local time, either orientation (``read_grid``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:
    import pandas as pd

from dashboard.timezones import fixed_offset, iana_name, offset_minutes, zone_info

SLOT_HOURS = 0.5
HOURS_PER_WEEK = 168
SLOTS_PER_WEEK = 336
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DEFAULT_WEEK = date(2026, 1, 4)  # the offsets used when no session start date is known
DAY_WORDS = (
    {d: d for d in DAYS} | {d[:3]: d for d in DAYS} | {"tues": "tuesday", "thur": "thursday", "thurs": "thursday"}
)


class AvailabilityError(ValueError):
    """An availability answer that cannot be read."""


# --- the representation -------------------------------------------------------------------


def _slot_index(value: Any) -> int:
    """The half-hour number 0..335 of a slot value, or AvailabilityError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or math.isnan(number):
        raise AvailabilityError(f"{value!r} is not a half-hour slot (a number of hours from Sunday 00:00 UTC)")
    if not 0 <= number < HOURS_PER_WEEK:
        raise AvailabilityError(f"{value!r} is outside 0-167.5 (Sunday 00:00 UTC is 0)")
    if not (number * 2).is_integer():
        raise AvailabilityError(f"{value!r} is not on a half hour; slots are 0.0, 0.5, 1.0 ... 167.5")
    return int(number * 2)


def _numbers(raw: Any) -> list:
    """The values of a list, or of text such as '18, 18.5' or '[18.0, 18.5]'."""
    if isinstance(raw, str):
        return [v for v in re.split(r"[\s,;\[\]]+", raw.strip()) if v]
    if isinstance(raw, (bytes, Mapping)) or not isinstance(raw, Iterable):
        raise AvailabilityError(f"{raw!r} is not a list of numbers")
    return list(raw)


def as_slots(values: Any) -> list[float]:
    """Half-hour slots (a list, or text such as the site's JSON '[18, 18.5, 19]'), checked and sorted."""
    return sorted({index / 2 for index in map(_slot_index, _numbers(values))})


def from_hour_blocks(values: Any) -> list[float]:
    """Slots from whole UTC hour blocks 0..167 (the older storage): block h is slots h and h+0.5."""
    slots = set()
    for value in _numbers(values):
        index = _slot_index(value)
        if index % 2:
            raise AvailabilityError(f"{value!r} is not a whole hour; hour blocks are whole numbers 0-167")
        slots.update((index / 2, index / 2 + SLOT_HOURS))
    return sorted(slots)


def parse_slots_text(raw: Any) -> list[float]:
    """A text column: half-hour slots when any value has a decimal point ('18.0, 18.5'), else older hour blocks ('18, 19')."""
    values = _numbers(raw)
    if not all(re.fullmatch(r"\d+(\.\d*)?", str(v)) for v in values):
        raise AvailabilityError(
            f"'{raw}' is not a list of UTC half-hour slots such as 18.0, 18.5 (hours from Sunday 00:00 UTC)"
        )
    return as_slots(values) if any("." in str(v) for v in values) else from_hour_blocks(values)


def stored_slots(value: Any) -> frozenset[float]:
    """A stored availability (JSON list of slots) as a set; empty when missing or unreadable."""
    if value is None or isinstance(value, float):  # None or NaN: not given
        return frozenset()
    try:
        return frozenset(as_slots(value))
    except AvailabilityError:
        return frozenset()


def all_slots() -> set[float]:
    """Every slot of the week (the common time of a group with no availability given)."""
    return {index / 2 for index in range(SLOTS_PER_WEEK)}


# --- counting, as the site does -----------------------------------------------------------


def hour_starts(slots: Iterable[float]) -> list[float]:
    """The first slot of each hour counted: the site's count_one_hour_blocks pairing (sorted, consecutive pairs, no wrap)."""
    indexes = sorted({round(float(s) * 2) for s in slots})
    starts, i = [], 0
    while i < len(indexes) - 1:
        if indexes[i + 1] == indexes[i] + 1:
            starts.append(indexes[i] / 2)
            i += 2  # both halves of this hour are used up
        else:
            i += 1
    return starts


def count_hours(slots: Iterable[float]) -> int:
    """Hours in a set of half-hour slots, counted like the site's count_one_hour_blocks."""
    return len(hour_starts(slots))


def common_slots(*slot_sets: Iterable[float]) -> set[float]:
    """The slots every one of the given people shares."""
    sets = [set(s or ()) for s in slot_sets]
    return set.intersection(*sets) if sets else set()


def overlap_hours(*slot_sets: Iterable[float]) -> int:
    """Hours all the given people share, counted like the site's calculate_overlap."""
    return count_hours(common_slots(*slot_sets))


# --- labels ----------------------------------------------------------------------------------


def day_label(slot: float) -> str:
    """The UTC weekday abbreviation of a slot: 'Sun' .. 'Sat'."""
    return DAYS[int(float(slot) // 24) % 7][:3].title()


def clock(hours: float) -> str:
    """'14:30' for 14.5 hours into a day (24:00 for the end of a day)."""
    return f"{int(hours):02d}:{round(hours % 1 * 60):02d}"


def slot_label(slot: float) -> str:
    """'Mon 14:30 UTC' for a slot."""
    return f"{day_label(slot)} {clock(float(slot) % 24)} UTC"


def ranges_label(slots: Iterable[float]) -> str:
    """Consecutive slots as ranges: 'Sun 18:00-23:00, Mon 09:30-11:30 UTC' (a range ends at midnight)."""
    indexes = sorted({round(float(s) * 2) for s in slots})
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][1] and index % 48:
            runs[-1][1] = index + 1
        else:
            runs.append([index, index + 1])
    parts = [f"{day_label(a / 2)} {clock(a / 2 % 24)}-{clock(b / 2 - 24 * (a // 48))}" for a, b in runs]
    return ", ".join(parts) + " UTC" if parts else "none"


# --- time zones --------------------------------------------------------------------------------


def zone(name: str | None) -> tzinfo | None:
    """A stored time zone (dashboard.timezones) or one as a form wrote it ('UTC+5:30', 'GMT-4'); None when unknown."""
    if not name or not isinstance(name, str):
        return None
    text = name.strip()
    try:
        return zone_info(iana_name(text) or text)
    except KeyError:
        minutes = offset_minutes(text)
        return None if minutes is None else fixed_offset(minutes)


def utc_offset_hours(tz: str | None, on: date | None = None) -> float | None:
    """A time zone's UTC offset in hours on a date (None when the zone is unknown)."""
    found = zone(tz)
    if found is None:
        return None
    return datetime.combine(on or DEFAULT_WEEK, time(12), tzinfo=found).utcoffset().total_seconds() / 3600


# --- local times into slots ---------------------------------------------------------------------


def _week_minute(moment: datetime) -> int:
    """Minutes since Sunday 00:00 UTC of the week a moment falls in."""
    utc = moment.astimezone(timezone.utc)
    return ((utc.weekday() + 1) % 7) * 1440 + utc.hour * 60 + utc.minute


def from_local_times(intervals: Iterable[tuple[str, int, int]], tz: str, week_of: date | None = None) -> list[float]:
    """Slots wholly inside local (day, start minute, end minute) intervals, with the zone's offsets in week_of's week."""
    found = zone(tz)
    if found is None:
        raise AvailabilityError(f"'{tz}' is not a time zone such as Europe/London or UTC+05:30")
    week_of = week_of or DEFAULT_WEEK
    sunday = week_of - timedelta(days=(week_of.weekday() + 1) % 7)
    week = HOURS_PER_WEEK * 60
    pieces: list[tuple[int, int]] = []  # UTC minutes of the week, split at the week's edge
    for day, start, end in intervals:
        midnight = datetime.combine(sunday + timedelta(days=DAYS.index(day_name(day))), time(0))
        # Each end of the interval takes its own offset (a range can cross a daylight-saving switch).
        first = (midnight + timedelta(minutes=start)).replace(tzinfo=found)
        last = (midnight + timedelta(minutes=end)).replace(tzinfo=found)
        begins = _week_minute(first)
        ends = begins + int((last - first).total_seconds() // 60)
        pieces += [(begins, min(ends, week))] + ([(0, ends - week)] if ends > week else [])
    indexes: set[int] = set()
    merged_start, merged_end = None, None
    for begins, ends in sorted(pieces) + [(week + 1, week + 1)]:  # a sentinel closes the last run
        if merged_end is not None and begins <= merged_end:
            merged_end = max(merged_end, ends)
            continue
        if merged_start is not None:
            # Only half-hours wholly inside count: Nepal (+05:45) is off by a quarter of an hour.
            indexes.update(range(-(-merged_start // 30), merged_end // 30))
        merged_start, merged_end = begins, ends
    return sorted(k / 2 for k in indexes)


def from_local_grid(grid: Mapping[str, Iterable[int]], tz: str, week_of: date | None = None) -> list[float]:
    """Slots from whole local hours per weekday ({'Monday': [18, 19]}: 18:00-20:00 local)."""
    return from_local_times(
        ((day, 60 * int(h), 60 * int(h) + 60) for day, hours in grid.items() for h in hours), tz, week_of
    )


# --- reading grid labels -------------------------------------------------------------------------

_TIME = r"(?<![\d:])(\d{1,2})(?::([0-5]\d))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?(?![\d:])"
_RANGE = re.compile(_TIME + r"\s*(?:-|–|—|to|until|till)\s*" + _TIME, re.I)
_SINGLE = re.compile(_TIME, re.I)
_WORDS = {"noon": "12:00 pm", "midday": "12:00 pm", "midnight": "12:00 am"}


def day_name(label: str) -> str:
    """Canonical weekday from a label such as 'Monday', 'Mon' or 'tues.'."""
    words = re.findall(r"[a-z]+", str(label).lower())
    if len(words) != 1 or words[0] not in DAY_WORDS:
        raise AvailabilityError(f"'{label}' is not a day of the week")
    return DAY_WORDS[words[0]]


def _minutes(hour: str, minute: str | None, suffix: str | None) -> int | None:
    """Minutes after midnight of a clock time, None when it is not one ('13 PM')."""
    h, m = int(hour), int(minute or 0)
    if suffix:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if suffix.lower().startswith("p") else 0)
    elif h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def time_range(label: str) -> tuple[int, int]:
    """Local (start, end) minutes of a label: '6:00 PM - 9:00 PM', '18:00-21:00', '6-9pm' or one hour '09:00'."""
    text = str(label).lower()
    for word, written in _WORDS.items():
        text = text.replace(word, written)
    if m := _RANGE.search(text):
        end = _minutes(m.group(4), m.group(5), m.group(6))
        starts = [_minutes(m.group(1), m.group(2), m.group(3))]
        if not m.group(3) and m.group(6) and int(m.group(1)) <= 12:
            # '6-9 PM': the start takes the end's half of the day when that gives the shorter range.
            starts.append(_minutes(m.group(1), m.group(2), m.group(6)))
        starts = [s for s in starts if s is not None]
        if end is None or not starts:
            raise AvailabilityError(f"'{label}' is not a time range such as 6:00 PM - 9:00 PM")
        start = min(starts, key=lambda s: (end - s) % 1440 or 1440)
        return start, start + ((end - start) % 1440 or 1440)  # past midnight runs into the next day
    m = _SINGLE.search(text)
    if m and (m.group(2) or m.group(3) or text.strip() == m.group(0)):
        start = _minutes(m.group(1), m.group(2), m.group(3))
        if start is not None and start < 1440:
            return start, start + 60  # one checkbox per hour: '09:00' is 09:00-10:00
    raise AvailabilityError(f"'{label}' is not a time such as 09:00 or a range such as 6:00 PM - 9:00 PM")


def label_kind(label: str) -> str | None:
    """'day' for a weekday label, 'time' for a time or time range, None for anything else."""
    for kind, reader in (("day", day_name), ("time", time_range)):
        try:
            reader(label)
            return kind
        except AvailabilityError:
            continue
    return None


_GRID_LABEL = re.compile(r"\[([^\[\]]+)\]\s*$")
_UTC_QUESTION = re.compile(r"(?:\bin|\()\s*(?:UTC|GMT)\b(?!\s*[+-]\d)", re.I)


def grid_label(header: str) -> str | None:
    """The row label Google Forms puts in brackets after a grid question: 'When? [Monday]' -> 'Monday'."""
    m = _GRID_LABEL.search(str(header))
    return m.group(1).strip() if m else None


def asks_in_utc(header: str) -> bool:
    """True when the question says its times are UTC ('When are you free? (UTC) [Monday]')."""
    return bool(_UTC_QUESTION.search(str(header)))


# --- reading a grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridProblem:
    """Part of a grid answer that gave no slots: which column, the value as written, what to do."""

    column: str | None  # None: the row's time zone
    value: str
    message: str


def read_grid(
    columns: Mapping[str, tuple[str, Any]], tz: str | None, week_of: date | None = None
) -> tuple[list[float], list[GridProblem]]:
    """Slots from one person's checkbox grid, {header: (label, answer)}, in either orientation, and what could not be read.

    A label that is a day has times in its answer ('9:00 AM - 12:00 PM, 6:00 PM - 9:00 PM'); a label
    that is a time or range has days ('Monday, Tuesday'). Times are local to tz, unless the question
    says UTC. Everything readable is kept; each unreadable label, answer or missing time zone is a problem.
    """
    intervals: list[tuple[str, int, int]] = []
    problems: list[GridProblem] = []
    in_utc = False
    for header, (label, answer) in columns.items():
        pieces = [p.strip() for p in re.split(r"[,;\n]", "" if answer is None else str(answer)) if p.strip()]
        if not pieces:
            continue
        in_utc = in_utc or asks_in_utc(header)
        kind = label_kind(label)
        if kind is None:
            problems.append(
                GridProblem(
                    header,
                    str(answer),
                    f"'{answer}' gives no availability: the grid's label "
                    f"'{label}' is neither a day (Monday) nor a time or range (6:00 PM - 9:00 PM); "
                    "rename the form's row or map the column in dashboard.toml",
                )
            )
            continue
        for piece in pieces:
            try:
                day, (start, end) = (
                    (label, time_range(piece)) if kind == "day" else (day_name(piece), time_range(label))
                )
            except AvailabilityError as exc:
                wanted = "a time or range such as 6:00 PM - 9:00 PM" if kind == "day" else "a day such as Monday"
                problems.append(
                    GridProblem(
                        header,
                        piece,
                        f"{exc}, so it gives no availability (answers under "
                        f"'{label}' are each {wanted}); fix the answer or the form's options",
                    )
                )
                continue
            intervals.append((day, start, end))
    if not intervals:
        return [], problems
    if in_utc:
        tz = "UTC"
    if zone(tz) is None:
        given = f"the time zone '{tz}' is not one Mission Control knows" if tz else "no time zone is given"
        problems.append(
            GridProblem(
                None,
                str(tz or ""),
                f"{given}, so the local times of the availability grid cannot "
                "be placed in UTC and none are stored; give a time zone such as Europe/Paris or "
                "UTC+05:30 and import again",
            )
        )
        return [], problems
    return from_local_times(intervals, tz, week_of), problems


# --- a frame for the week charts -----------------------------------------------------------------


def week_grid(slot_sets: Mapping[str, Iterable[float]]) -> "pd.DataFrame":
    """One row per UTC half-hour: how many of the given people are free, and if all are."""
    import pandas as pd

    sets = [set(map(float, slots or ())) for slots in slot_sets.values()]
    total = len(sets)
    rows = []
    for index in range(SLOTS_PER_WEEK):
        slot = index / 2
        free = sum(slot in s for s in sets)
        start = slot % 24
        rows.append(
            {
                "slot": slot,
                "day": day_label(slot),
                "day_index": index // 48,
                "start": start,
                "end": start + SLOT_HOURS,
                "time": f"{clock(start)}-{clock(start + SLOT_HOURS)}",
                "free": free,
                "people": total,
                "share": free / total if total else 0.0,
                "common": bool(total) and free == total,
            }
        )
    return pd.DataFrame(rows)
