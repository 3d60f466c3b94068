"""Availability as Djangonaut Space's site stores and counts it: UTC half-hour slots 0.0..167.5 from
Sunday 00:00 UTC, hours counted like its count_one_hour_blocks, checkbox grids in both orientations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dashboard.availability import (
    DAYS,
    AvailabilityError,
    as_slots,
    count_hours,
    day_name,
    from_hour_blocks,
    from_local_grid,
    hour_starts,
    label_kind,
    overlap_hours,
    parse_slots_text,
    ranges_label,
    read_grid,
    slot_label,
    stored_slots,
    time_range,
    utc_offset_hours,
    week_grid,
)

MONDAY = 24.0


def hours(start: float, end: float) -> list[float]:
    """The slots from start up to end (hours since Sunday 00:00 UTC)."""
    return [start + i / 2 for i in range(int((end - start) * 2))]


# --- counting exactly like the site's count_one_hour_blocks (home/availability.py) ---------------


def test_counting_matches_the_sites_own_examples():
    # home/tests/test_availability_utils.py, test_count_one_hour_blocks
    assert count_hours([10.0, 10.5]) == 1
    assert count_hours([10.0, 10.5, 11.0, 11.5]) == 2
    assert count_hours([10.0, 10.5, 12.0, 12.5]) == 2
    assert count_hours([10.0]) == 0
    assert count_hours([]) == 0
    # test_calculate_overlap: Monday 10:00-15:00 and 12:00-16:00 share 12:00-15:00, 6 slots, 3 hours.
    assert overlap_hours(hours(34, 39), hours(36, 40)) == 3
    # The site's docstring says [2.0, 2.5, 3.0] is 2 hours; its code pairs 2.0 with 2.5 and leaves 3.0: 1 hour.
    assert count_hours([2.0, 2.5, 3.0]) == 1


def test_hours_need_not_start_on_the_hour():
    assert count_hours(hours(MONDAY + 9.5, MONDAY + 11.5)) == 2  # 09:30-11:30 is 2 hours
    assert hour_starts(hours(MONDAY + 9.5, MONDAY + 11.5)) == [MONDAY + 9.5, MONDAY + 10.5]
    assert count_hours(hours(MONDAY + 9.5, MONDAY + 12)) == 2  # 5 half-hours: the last is left over
    assert count_hours([MONDAY + 9.5, MONDAY + 11.0, MONDAY + 11.5]) == 1  # a gap breaks the pair


def test_the_sites_team_allocation_example_counts_five_then_four():
    # home/team_allocation.py's module docstring: Navigator Mon 00:00-06:00, Djangonauts 00:00-06:00, -05:00, -04:00.
    navigator, d1, d2, d3 = hours(24, 30), hours(24, 30), hours(24, 29), hours(24, 28)
    assert overlap_hours(navigator, d1) == 6 and overlap_hours(navigator, d1, d2) == 5
    assert overlap_hours(navigator, d1, d2, d3) == 4


def test_the_week_does_not_wrap_for_counting():
    # The site compares neighbours in the sorted list: Saturday 23:30 and Sunday 00:00 are not a pair.
    assert count_hours([167.5, 0.0]) == 0
    assert count_hours([0.0, 0.5, 167.5]) == 1


def _runs_oracle(slots) -> int:
    """Each maximal run of consecutive half-hours gives half its length in hours (rounded down)."""
    indexes, total, run = sorted({int(s * 2) for s in slots}), 0, 0
    for i, index in enumerate(indexes):
        run = run + 1 if i and index == indexes[i - 1] + 1 else 1
        if i == len(indexes) - 1 or indexes[i + 1] != index + 1:
            total += run // 2
    return total


slot_sets = st.frozensets(st.integers(0, 335).map(lambda i: i / 2), max_size=80)


@hsettings(max_examples=200, deadline=None)
@given(slot_sets, slot_sets)
def test_counting_is_half_of_each_run_and_overlap_is_symmetric(a, b):
    assert count_hours(a) == _runs_oracle(a) == len(hour_starts(a))
    assert overlap_hours(a, b) == overlap_hours(b, a) <= min(count_hours(a), count_hours(b))


# --- the representation ----------------------------------------------------------------------------


def test_slots_are_read_from_the_sites_json_and_refused_when_they_are_not_slots():
    assert as_slots([18, 18.5, 19]) == [18.0, 18.5, 19.0]  # JavaScript writes 18.0 as 18
    assert as_slots("[38.5, 38.0, 38.5]") == [38.0, 38.5]
    for bad, message in [
        ([18.25], "not on a half hour"),
        ([168.0], "outside 0-167.5"),
        ([-0.5], "outside"),
        ([True], "not a half-hour slot"),
        (["evening"], "not a half-hour slot"),
        (7, "not a list"),
    ]:
        with pytest.raises(AvailabilityError, match=message):
            as_slots(bad)


def test_older_hour_blocks_convert_losslessly():
    assert from_hour_blocks([18, 167]) == [18.0, 18.5, 167.0, 167.5]
    assert from_hour_blocks([]) == []
    with pytest.raises(AvailabilityError, match="not a whole hour"):
        from_hour_blocks([18.5])


@hsettings(max_examples=100, deadline=None)
@given(st.sets(st.integers(0, 167)))
def test_hour_blocks_keep_their_hours_as_slots(blocks):
    slots = from_hour_blocks(blocks)
    assert count_hours(slots) == len(blocks)
    assert {s for s in slots if s.is_integer()} == set(map(float, blocks))


def test_a_text_column_holds_slots_with_decimals_or_older_whole_hour_blocks():
    assert parse_slots_text("18.0, 18.5, 19.0") == [18.0, 18.5, 19.0]  # the site's slots as text
    assert parse_slots_text("[18, 18.5]") == [18.0, 18.5]
    assert parse_slots_text("18, 19") == [18.0, 18.5, 19.0, 19.5]  # whole numbers only: older hour blocks
    with pytest.raises(AvailabilityError, match="not a list of UTC half-hour slots"):
        parse_slots_text("evenings")
    assert stored_slots([18.0, 18.5]) == {18.0, 18.5}
    assert stored_slots(None) == stored_slots(float("nan")) == stored_slots(["x"]) == frozenset()


# --- labels --------------------------------------------------------------------------------------------


def test_labels_say_where_the_slots_are():
    assert (
        slot_label(0.0) == "Sun 00:00 UTC"
        and slot_label(38.5) == "Mon 14:30 UTC"
        and slot_label(167.5) == "Sat 23:30 UTC"
    )
    assert ranges_label(hours(18, 23) + hours(MONDAY + 9.5, MONDAY + 11.5)) == "Sun 18:00-23:00, Mon 09:30-11:30 UTC"
    assert ranges_label(hours(23, 25)) == "Sun 23:00-24:00, Mon 00:00-01:00 UTC"  # a range stops at midnight
    assert ranges_label([]) == "none"


def test_week_grid_has_a_row_per_half_hour():
    grid = week_grid({"a": hours(1, 2), "b": [1.5]})
    assert len(grid) == 336
    assert grid.loc[grid["slot"] == 1.5, ["free", "common", "time"]].values.tolist() == [[2, True, "01:30-02:00"]]
    assert grid.loc[grid["slot"] == 1.0, ["free", "share", "common"]].values.tolist() == [[1, 0.5, False]]
    assert grid["common"].sum() == 1
    assert utc_offset_hours("America/St_Johns", date(2026, 1, 4)) == -3.5
    assert utc_offset_hours("UTC+5:30") == 5.5 and utc_offset_hours("GMT-4") == -4
    assert utc_offset_hours("Not/AZone") is None and utc_offset_hours(None) is None


# --- grid labels: days, times and ranges ----------------------------------------------------------


@pytest.mark.parametrize(
    "label, minutes",
    [
        ("9:00 AM - 12:00 PM", (540, 720)),
        ("6:00 PM - 9:00 PM", (1080, 1260)),
        ("18:00-21:00", (1080, 1260)),
        ("6-9 PM", (1080, 1260)),
        ("9-12 PM", (540, 720)),
        ("11 - 1 pm", (660, 780)),
        ("10 PM - 1 AM", (1320, 1500)),
        ("9:00 PM - 12:00 AM", (1260, 1440)),
        ("noon - 2pm", (720, 840)),
        ("Evening (6:30 PM – 8 PM)", (1110, 1200)),
        ("09:00", (540, 600)),
        ("9 AM", (540, 600)),
        ("12 am", (0, 60)),
        ("7 p.m.", (1140, 1200)),
    ],
)
def test_time_labels_and_ranges(label, minutes):
    assert time_range(label) == minutes
    assert label_kind(label) == "time"


def test_day_labels_and_labels_that_are_neither():
    assert [day_name(d) for d in ("Monday", "mon.", "TUES", "Thurs", "sun")] == [
        "monday",
        "monday",
        "tuesday",
        "thursday",
        "sunday",
    ]
    assert label_kind("Saturday") == "day"
    for bad in ("Morning", "Monkey", "Week 3", "Weekends", "13 PM"):
        assert label_kind(bad) is None


# --- reading a grid in either orientation ---------------------------------------------------------

Q = "When are you free?"


def test_columns_are_days_and_cells_are_time_ranges():
    slots, problems = read_grid({f"{Q} [Monday]": ("Monday", "9:00 AM - 12:00 PM, 6:00 PM - 9:00 PM")}, "UTC")
    assert problems == []
    assert slots == hours(MONDAY + 9, MONDAY + 12) + hours(MONDAY + 18, MONDAY + 21)
    assert count_hours(slots) == 6


def test_columns_are_time_ranges_and_cells_are_days():
    slots, problems = read_grid({f"{Q} [6:00 PM - 9:00 PM]": ("6:00 PM - 9:00 PM", "Monday, Tuesday")}, "UTC")
    assert problems == []
    assert slots == hours(MONDAY + 18, MONDAY + 21) + hours(2 * 24 + 18, 2 * 24 + 21)
    assert count_hours(hours(MONDAY + 18, MONDAY + 21)) == 3  # the whole range, not 1 hour


def test_india_keeps_every_hour_of_its_range():
    # Asia/Kolkata is UTC+05:30: 6:00-9:00 PM local is 12:30-15:30 UTC, still 3 hours.
    slots, problems = read_grid({f"{Q} [6:00 PM - 9:00 PM]": ("6:00 PM - 9:00 PM", "Monday")}, "Asia/Kolkata")
    assert problems == [] and slots == hours(MONDAY + 12.5, MONDAY + 15.5) and count_hours(slots) == 3
    assert from_local_grid({"Monday": [9]}, "Asia/Kolkata") == [MONDAY + 3.5, MONDAY + 4.0]
    assert from_local_grid({"Monday": [9]}, "UTC+05:30") == [MONDAY + 3.5, MONDAY + 4.0]  # a fixed offset as written


def test_a_range_past_midnight_runs_into_the_next_day():
    slots, _ = read_grid({f"{Q} [Saturday]": ("Saturday", "10 PM - 1 AM")}, "UTC")
    assert slots == [0.0, 0.5] + hours(166, 168)  # Saturday 22:00 to Sunday 01:00, across the week's edge


def test_unreadable_parts_are_problems_naming_column_and_value_and_the_rest_is_kept():
    columns = {f"{Q} [Monday]": ("Monday", "9:00 AM - 12:00 PM, evenings"), f"{Q} [Other]": ("Other", "Sometimes")}
    slots, problems = read_grid(columns, "UTC")
    assert slots == hours(MONDAY + 9, MONDAY + 12)
    assert [(p.column, p.value) for p in problems] == [(f"{Q} [Monday]", "evenings"), (f"{Q} [Other]", "Sometimes")]
    assert "'evenings' is not a time" in problems[0].message and "fix the answer" in problems[0].message
    assert "'Other' is neither a day" in problems[1].message
    slots, problems = read_grid({f"{Q} [6:00 PM - 9:00 PM]": ("6:00 PM - 9:00 PM", "Mondays and Fridays")}, "UTC")
    assert slots == [] and "is not a day of the week" in problems[0].message


def test_no_time_zone_gives_nothing_and_says_so_unless_the_question_is_in_utc():
    slots, problems = read_grid({f"{Q} [Monday]": ("Monday", "6:00 PM - 9:00 PM")}, None)
    assert slots == [] and len(problems) == 1 and problems[0].column is None
    assert problems[0].message.startswith("no time zone is given") and "give a time zone" in problems[0].message
    slots, problems = read_grid({f"{Q} [Monday]": ("Monday", "6:00 PM - 9:00 PM")}, "Middle Earth")
    assert slots == [] and "'Middle Earth' is not one" in problems[0].message
    slots, problems = read_grid({f"{Q} (UTC) [Monday]": ("Monday", "6:00 PM - 9:00 PM")}, None)
    assert problems == [] and count_hours(slots) == 3
    assert read_grid({f"{Q} [Monday]": ("Monday", "")}, None) == ([], [])  # nothing ticked is not a problem


# --- daylight saving time: the offsets of the week asked for -----------------------------------


def test_london_evening_moves_an_hour_when_british_summer_time_starts():
    # Europe/London switches on Sunday 29 March 2026 at 01:00 UTC.
    assert from_local_grid({"Monday": [18]}, "Europe/London", date(2026, 3, 22)) == hours(MONDAY + 18, MONDAY + 19)
    assert from_local_grid({"Monday": [18]}, "Europe/London", date(2026, 3, 29)) == hours(MONDAY + 17, MONDAY + 18)


def test_new_york_evening_moves_an_hour_when_daylight_time_ends():
    assert from_local_grid({"Monday": [18]}, "America/New_York", date(2026, 10, 25)) == hours(MONDAY + 22, MONDAY + 23)
    assert from_local_grid({"Monday": [18]}, "America/New_York", date(2026, 11, 4)) == hours(MONDAY + 23, MONDAY + 24)


def test_the_switch_day_itself_uses_each_hours_own_offset():
    # New York springs forward on Sunday 8 March 2026 at 02:00 local: 01:00 is EST, 03:00 is EDT.
    assert from_local_grid({"Sunday": [1, 3]}, "America/New_York", date(2026, 3, 8)) == hours(6, 8)


def test_nepal_quarter_hour_offset_keeps_only_whole_half_hours():
    # Asia/Kathmandu is UTC+05:45: 09:00-12:00 local is 03:15-06:15 UTC: half-hours 03:30 to 06:00.
    assert from_local_grid({"Monday": [9, 10, 11]}, "Asia/Kathmandu") == hours(MONDAY + 3.5, MONDAY + 6)


def test_saturday_night_and_sunday_morning_wrap_around():
    assert from_local_grid({"Saturday": [23]}, "UTC") == [167.0, 167.5]
    assert from_local_grid({"Sunday": [0]}, "Asia/Tokyo") == [6 * 24 + 15, 6 * 24 + 15.5]
    # Kolkata Sunday 05:00 local is Saturday 23:30 UTC: one half-hour each side of the week's edge.
    assert from_local_grid({"Sunday": [5]}, "Asia/Kolkata") == [0.0, 167.5]


# --- properties ----------------------------------------------------------------------------------

grids = st.dictionaries(st.sampled_from(DAYS), st.lists(st.integers(0, 23), max_size=24, unique=True), max_size=7)
ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Asia/Tokyo",
]
weeks = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


def _free_minutes(grid, tz, week_of) -> set[int]:
    """Brute force: every UTC minute of the week that falls in a ticked local hour."""
    zone = ZoneInfo(tz)
    sunday = week_of - timedelta(days=(week_of.weekday() + 1) % 7)
    minutes = set()
    for day, ticked in grid.items():
        for hour in ticked:
            local = datetime.combine(sunday + timedelta(days=DAYS.index(day)), time(hour), tzinfo=zone)
            utc = local.astimezone(timezone.utc)
            start = ((utc.weekday() + 1) % 7) * 1440 + utc.hour * 60 + utc.minute
            minutes.update((start + m) % (168 * 60) for m in range(60))
    return minutes


@hsettings(max_examples=60, deadline=None)
@given(grids, st.sampled_from(ZONES), weeks)
def test_a_slot_is_free_exactly_when_every_minute_of_it_is(grid, tz, week_of):
    slots = set(from_local_grid(grid, tz, week_of))
    minutes = _free_minutes(grid, tz, week_of)
    assert slots == {k / 2 for k in range(336) if all(k * 30 + m in minutes for m in range(30))}


@hsettings(max_examples=40, deadline=None)
@given(grids, st.sampled_from(["UTC", "Asia/Tokyo", "Etc/GMT+5", "Asia/Kolkata", "America/St_Johns"]))
def test_whole_and_half_hour_zones_keep_every_ticked_hour(grid, tz):
    ticked = {(d, h) for d, hs in grid.items() for h in hs}
    slots = from_local_grid(grid, tz, date(2026, 1, 4))
    assert len(slots) == 2 * len(ticked)  # nothing is lost, not even at UTC+05:30
    offset = utc_offset_hours(tz, date(2026, 1, 4))
    assert set(slots) == {(DAYS.index(d) * 24 + h - offset + half) % 168 for d, h in ticked for half in (0, 0.5)}
