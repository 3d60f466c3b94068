"""Availability: local grids and half-hour slots into UTC one-hour blocks 0..167 (Sunday 00:00 UTC)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dashboard.availability import (
    AvailabilityError, DAYS, block_label, common_blocks, day_name, from_half_hour_slots, from_local_grid,
    hour_blocks, overlap_hours, parse_grid_cells, parse_hour_label, parse_utc_blocks, utc_offset_hours, week_grid,
)

MONDAY = 24


# --- daylight saving time: the offsets of the week asked for -----------------------------------

def test_london_evening_moves_an_hour_when_british_summer_time_starts():
    # Europe/London switches on Sunday 29 March 2026 at 01:00 UTC.
    assert from_local_grid({"Monday": [18]}, "Europe/London", date(2026, 3, 22)) == [MONDAY + 18]
    assert from_local_grid({"Monday": [18]}, "Europe/London", date(2026, 3, 29)) == [MONDAY + 17]


def test_new_york_evening_moves_an_hour_when_daylight_time_ends():
    # America/New_York goes back to EST on Sunday 1 November 2026.
    assert from_local_grid({"Monday": [18]}, "America/New_York", date(2026, 10, 25)) == [MONDAY + 22]
    assert from_local_grid({"Monday": [18]}, "America/New_York", date(2026, 11, 1)) == [MONDAY + 23]
    # Any day of the week means that week (Sunday-based): Wednesday 4 November is EST too.
    assert from_local_grid({"Monday": [18]}, "America/New_York", date(2026, 11, 4)) == [MONDAY + 23]


def test_the_switch_day_itself_uses_each_hours_own_offset():
    # New York springs forward on Sunday 8 March 2026 at 02:00 local: 01:00 is EST, 03:00 is EDT.
    blocks = from_local_grid({"Sunday": [1, 3]}, "America/New_York", date(2026, 3, 8))
    assert blocks == [6, 7]  # 01:00 EST = 06:00 UTC, 03:00 EDT = 07:00 UTC


# --- half-hour and quarter-hour time zones lose the hours they only half cover -------------

def test_india_two_local_hours_make_one_whole_utc_hour():
    # Asia/Kolkata is UTC+05:30: 09:00-11:00 local is 03:30-05:30 UTC, which wholly covers only 04:00-05:00.
    assert from_local_grid({"Monday": [9, 10]}, "Asia/Kolkata") == [MONDAY + 4]
    assert from_local_grid({"Monday": [9]}, "Asia/Kolkata") == []


def test_newfoundland_keeps_only_whole_hours_in_winter_and_summer():
    # America/St_Johns: UTC-03:30 in January, UTC-02:30 in July.
    assert from_local_grid({"Monday": [18, 19]}, "America/St_Johns", date(2026, 1, 4)) == [MONDAY + 22]
    assert from_local_grid({"Monday": [18, 19]}, "America/St_Johns", date(2026, 7, 5)) == [MONDAY + 21]
    assert from_local_grid({"Monday": [18]}, "America/St_Johns", date(2026, 1, 4)) == []


def test_nepal_quarter_hour_offset_does_not_claim_a_partly_busy_hour():
    # Asia/Kathmandu is UTC+05:45: 09:00-12:00 local is 03:15-06:15 UTC: whole hours 04 and 05 only.
    assert from_local_grid({"Monday": [9, 10, 11]}, "Asia/Kathmandu") == [MONDAY + 4, MONDAY + 5]


# --- the week wraps around at Saturday 23:00 -> Sunday 00:00 UTC -----------------------------

def test_saturday_night_and_sunday_morning_wrap_around():
    assert from_local_grid({"Saturday": [23]}, "UTC") == [167]
    assert from_local_grid({"Sunday": [0]}, "UTC") == [0]
    # Tokyo's Sunday midnight is Saturday 15:00 UTC; New York's Saturday 22:00 is Sunday 03:00 UTC.
    assert from_local_grid({"Sunday": [0]}, "Asia/Tokyo") == [6 * 24 + 15]
    assert from_local_grid({"Saturday": [22]}, "America/New_York", date(2026, 1, 4)) == [3]


def test_half_hour_zone_across_the_week_boundary():
    # Kolkata Sunday 04:00-06:00 local = Saturday 22:30 - Sunday 00:30 UTC: only Saturday 23:00 is whole.
    assert from_local_grid({"Sunday": [4, 5]}, "Asia/Kolkata") == [167]
    # Sunday 05:00-07:00 local = Saturday 23:30 - Sunday 01:30 UTC: only Sunday 00:00 is whole.
    assert from_local_grid({"Sunday": [5, 6]}, "Asia/Kolkata") == [0]


# --- Djangonaut Space's half-hour UTC slots ----------------------------------------------------

def test_half_hour_slots_need_both_halves():
    assert from_half_hour_slots([0.0, 0.5, 1.0]) == [0]
    assert from_half_hour_slots([167.0, 167.5]) == [167]
    assert from_half_hour_slots([167.5, 0.0]) == []  # the wrap does not join two half hours into one
    assert from_half_hour_slots([]) == []


def test_parse_utc_blocks_reads_blocks_slots_and_rejects_nonsense():
    assert parse_utc_blocks("1, 2, 2, 167") == [1, 2, 167]
    assert parse_utc_blocks("[0.0, 0.5, 3.0]") == [0]
    assert parse_utc_blocks([5, 3]) == [3, 5]
    assert parse_utc_blocks(None) == [] and parse_utc_blocks("") == []
    with pytest.raises(AvailabilityError, match="outside 0-167"):
        parse_utc_blocks("12, 168")
    with pytest.raises(AvailabilityError, match="not a list of UTC hour blocks"):
        parse_utc_blocks("evenings")


def test_a_list_of_numbers_is_hour_blocks_and_only_text_holds_half_hour_slots():
    assert parse_utc_blocks([18.0, 19.0, 20.0]) == [18, 19, 20]  # JSON numbers, not half-hour slots
    assert parse_utc_blocks(["18", 19.0, 19]) == [18, 19]
    assert hour_blocks((0, 167.0)) == [0, 167]
    assert parse_utc_blocks("18.0, 18.5, 19.0") == [18]  # Djangonaut Space's export, as text, is unchanged


@pytest.mark.parametrize("bad, message", [
    ([18.5], "18.5 is not a whole hour"), ([168.0], "outside 0-167"), ([-1], "outside 0-167"),
    ([True], "not a UTC hour block"), (["evening"], "not a UTC hour block"), (7, "not a list"),
])
def test_a_list_of_hour_blocks_refuses_half_hours_and_nonsense(bad, message):
    with pytest.raises(AvailabilityError, match=message):
        parse_utc_blocks(bad)


# --- Google Forms grid cells ---------------------------------------------------------------------

def test_grid_cells_in_local_time():
    cells = {"Mon": "9 AM, 10 AM", "Tuesday": "14:00-15:00", "Wednesday": ""}
    assert parse_grid_cells(cells, "UTC") == [MONDAY + 9, MONDAY + 10, 2 * 24 + 14]
    assert parse_hour_label("12 am") == 0 and parse_hour_label("12 PM") == 12 and parse_hour_label("7 p.m.") == 19
    with pytest.raises(AvailabilityError):
        parse_hour_label("noonish")
    with pytest.raises(AvailabilityError):
        day_name("Someday")
    with pytest.raises(AvailabilityError, match="time zone"):
        from_local_grid({"Monday": [9]}, "Mars/Olympus")


def test_overlap_common_blocks_labels_and_week_grid():
    assert overlap_hours([1, 2, 3], [2, 3, 4]) == 2
    assert common_blocks([1, 2, 3], [2, 3], [3, 9]) == {3} and common_blocks() == set()
    assert block_label(0) == "Sun 00:00 UTC" and block_label(167) == "Sat 23:00 UTC"
    grid = week_grid({"a": [1, 2], "b": [2]})
    assert len(grid) == 168
    assert grid.loc[grid["block"] == 2, ["free", "common"]].values.tolist() == [[2, True]]
    assert grid.loc[grid["block"] == 1, ["free", "share", "common"]].values.tolist() == [[1, 0.5, False]]
    assert grid["common"].sum() == 1
    assert utc_offset_hours("America/St_Johns", date(2026, 1, 4)) == -3.5
    assert utc_offset_hours("Not/AZone") is None and utc_offset_hours(None) is None


# --- properties ----------------------------------------------------------------------------------

grids = st.dictionaries(st.sampled_from(DAYS), st.lists(st.integers(0, 23), max_size=24, unique=True), max_size=7)
ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu",
         "Australia/Sydney", "Pacific/Chatham", "Asia/Tokyo"]
weeks = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))


def _free_minutes(grid, tz, week_of) -> set[int]:
    """Brute force: every UTC minute of the week that falls in a ticked local hour."""
    zone = ZoneInfo(tz)
    sunday = week_of - timedelta(days=(week_of.weekday() + 1) % 7)
    minutes = set()
    for day, hours in grid.items():
        for hour in hours:
            local = datetime.combine(sunday + timedelta(days=DAYS.index(day)), time(hour), tzinfo=zone)
            utc = local.astimezone(timezone.utc)
            start = ((utc.weekday() + 1) % 7) * 1440 + utc.hour * 60 + utc.minute
            minutes.update((start + m) % (168 * 60) for m in range(60))
    return minutes


@hsettings(max_examples=60, deadline=None)
@given(grids, st.sampled_from(ZONES), weeks)
def test_a_block_is_free_exactly_when_every_minute_of_it_is(grid, tz, week_of):
    blocks = set(from_local_grid(grid, tz, week_of))
    minutes = _free_minutes(grid, tz, week_of)
    expected = {h for h in range(168) if all(h * 60 + m in minutes for m in range(60))}
    assert blocks == expected


@hsettings(max_examples=40, deadline=None)
@given(grids)
def test_utc_grid_is_the_identity(grid):
    expected = sorted({DAYS.index(day) * 24 + h for day, hours in grid.items() for h in hours})
    assert from_local_grid(grid, "UTC") == expected


@hsettings(max_examples=40, deadline=None)
@given(grids, st.sampled_from(["Asia/Tokyo", "Etc/GMT+5", "Asia/Kolkata", "America/St_Johns"]))
def test_whole_hour_zones_shift_and_half_hour_zones_only_lose(grid, tz):
    ticked = len({(d, h) for d, hours in grid.items() for h in hours})
    blocks = from_local_grid(grid, tz, date(2026, 1, 4))
    if tz in ("Asia/Tokyo", "Etc/GMT+5"):
        offset = 9 if tz == "Asia/Tokyo" else -5
        expected = sorted({(DAYS.index(d) * 24 + h - offset) % 168 for d, hours in grid.items() for h in hours})
        assert blocks == expected
    else:
        assert len(blocks) <= ticked


@hsettings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 167)), st.sets(st.integers(0, 167)))
def test_half_hour_slots_round_trip_and_overlap_is_symmetric(a, b):
    slots = [h + half for h in a for half in (0.0, 0.5)]
    assert from_half_hour_slots(slots) == sorted(a)
    assert parse_utc_blocks(", ".join(f"{s:.1f}" for s in slots)) == sorted(a)
    assert overlap_hours(a, b) == overlap_hours(b, a) <= min(len(a), len(b))
