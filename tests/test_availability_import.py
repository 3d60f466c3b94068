"""Availability grids from form exports into stored half-hour slots: both orientations, ranges, time
zones, and a warning (never silence) when a grid answer gives nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import reads
from dashboard.availability import count_hours
from dashboard.config import with_overrides
from dashboard.importer import ImportFailed, TableInput, import_frame, import_tables
from data_sources.files import read_sheets

MONDAY, TUESDAY = 24.0, 48.0
Q = "When are you free to meet each week?"


def hours(start: float, end: float) -> list[float]:
    return [start + i / 2 for i in range(int((end - start) * 2))]


def _forms_csv(tmp_path, header: list[str], rows: list[list[str]]):
    """A file as Google Sheets' 'Download > CSV' writes a Forms response tab, read by the app's file reader."""
    path = tmp_path / "Form Responses 1.csv"
    pd.DataFrame(rows, columns=header).to_csv(path, index=False)
    return read_sheets(path, None)[0]


def _import(url, settings, raw):
    return import_tables(
        url, settings, [TableInput("applications", raw.frame, raw.name, raw.row_numbers)], source="file:responses.csv"
    )[0]


def _stored(url) -> dict[str, list[float] | None]:
    apps = reads.load_table(url, 1, "applications")
    return {row.email: row.availability for row in apps.itertuples()}


def test_columns_are_time_ranges_and_cells_are_days(tmp_path, settings, empty_url):
    header = [
        "Timestamp",
        "Email Address",
        "Which time zone are you in?",
        f"{Q} [9:00 AM - 12:00 PM]",
        f"{Q} [12:00 PM - 6:00 PM]",
        f"{Q} [6:00 PM - 9:00 PM]",
    ]
    raw = _forms_csv(
        tmp_path,
        header,
        [
            ["10/5/2026 18:31:58", "ada@example.org", "UTC", "Monday, Tuesday", "", "Monday"],
            ["10/5/2026 19:02:11", "grace@example.org", "Asia/Kolkata", "", "", "Monday"],
        ],
    )
    result = _import(empty_url, settings, raw)
    stored = _stored(empty_url)
    # 6:00 PM - 9:00 PM is all three of its hours, not one.
    assert stored["ada@example.org"] == hours(MONDAY + 9, MONDAY + 12) + hours(MONDAY + 18, MONDAY + 21) + hours(
        TUESDAY + 9, TUESDAY + 12
    )
    assert count_hours(stored["ada@example.org"]) == 9
    # India (UTC+05:30): 6:00-9:00 PM is 12:30-15:30 UTC, still 3 hours.
    assert stored["grace@example.org"] == hours(MONDAY + 12.5, MONDAY + 15.5)
    assert count_hours(stored["grace@example.org"]) == 3
    assert result.rows_stored == 2 and result.warnings == []


def test_columns_are_days_and_cells_are_time_ranges(tmp_path, settings, empty_url):
    header = ["Email Address", "Which time zone are you in?", f"{Q} [Monday]", f"{Q} [Tuesday]"]
    raw = _forms_csv(
        tmp_path,
        header,
        [
            ["ada@example.org", "Europe/Paris", "9:00 AM - 12:00 PM, 6:00 PM - 9:00 PM", ""],
        ],
    )
    result = _import(empty_url, settings, raw)
    # Paris is UTC+2 in the session's first week (it starts 28 September 2026): 09:00 local is 07:00 UTC.
    assert _stored(empty_url)["ada@example.org"] == hours(MONDAY + 7, MONDAY + 10) + hours(MONDAY + 16, MONDAY + 19)
    assert result.warnings == []


def test_the_example_configs_grid_question_reads_both_orientations(settings, empty_url):
    question = "When are you available? (your local time)"  # mapped to availability[] in dashboard.example.toml
    frame = pd.DataFrame(
        [
            {
                "Email Address": "a@example.org",
                "Which time zone are you in?": "Asia/Kolkata",
                f"{question} [6:00 PM - 9:00 PM]": "Monday",
            },
            {
                "Email Address": "b@example.org",
                "Which time zone are you in?": "Asia/Kolkata",
                f"{question} [6:00 PM - 9:00 PM]": "",
            },
            {
                "Email Address": "c@example.org",
                "Which time zone are you in?": "UTC",
                f"{question} [6:00 PM - 9:00 PM]": "",
            },
        ]
    )
    frame[f"{question} [Monday]"] = ["", "09:00, 10:00, 11:00", "6:00 PM - 9:00 PM"]
    import_frame(empty_url, settings, "applications", frame, source="t", sheet="Apps")
    stored = _stored(empty_url)
    assert stored["a@example.org"] == hours(MONDAY + 12.5, MONDAY + 15.5)
    assert stored["b@example.org"] == hours(MONDAY + 3.5, MONDAY + 6.5)  # 09:00-12:00 IST: 3 hours, none lost
    assert count_hours(stored["c@example.org"]) == 3  # the range, not just its first hour


def test_an_unreadable_grid_answer_is_a_warning_naming_sheet_row_column_and_value(tmp_path, settings, empty_url):
    header = ["Email Address", "Which time zone are you in?", f"{Q} [Monday]", f"{Q} [Tuesday]", f"{Q} [Whenever]"]
    raw = _forms_csv(
        tmp_path,
        header,
        [
            ["ada@example.org", "UTC", "6:00 PM - 9:00 PM, evenings", "", ""],
            ["grace@example.org", "", "6:00 PM - 9:00 PM", "", ""],
            ["alan@example.org", "UTC", "", "", "Yes"],
        ],
    )
    result = _import(empty_url, settings, raw)
    assert result.rows_stored == 3 and result.rows_rejected == 0  # the rows are kept
    stored = _stored(empty_url)
    assert stored["ada@example.org"] == hours(MONDAY + 18, MONDAY + 21)  # what could be read is kept
    assert stored["grace@example.org"] is None and stored["alan@example.org"] is None
    found = {(w.row_number, w.column, w.value): w.message for w in result.warnings}
    assert set(found) == {
        (2, f"{Q} [Monday]", "evenings"),
        (3, "Which time zone are you in?", ""),
        (4, f"{Q} [Whenever]", "Yes"),
    }
    assert found[(2, f"{Q} [Monday]", "evenings")].startswith(
        f"Sheet 'Form Responses 1', row 2, column '{Q} [Monday]': 'evenings' is not a time"
    )
    assert "no time zone is given" in found[(3, "Which time zone are you in?", "")]
    assert "give a time zone such as Europe/Paris" in found[(3, "Which time zone are you in?", "")]
    assert "the grid's label 'Whenever' is neither a day" in found[(4, f"{Q} [Whenever]", "Yes")]
    assert {w["code"] for w in result.summary()["warnings"]} == {"unreadable_availability"}  # --json says it too


def test_a_grid_is_found_without_a_mapping_but_other_grids_are_left_alone(settings, empty_url):
    frame = pd.DataFrame(
        [
            {
                "Email Address": "a@example.org",
                "Which time zone are you in?": "UTC",
                f"{Q} [Monday]": "6-9 PM",
                f"{Q} [Tuesday]": "",
                "Rate your skills [Python]": "Good",
                "Rate your skills [Django]": "Some",
            }
        ]
    )
    import_frame(empty_url, settings, "applications", frame, source="t", sheet="Apps")
    apps = reads.load_table(empty_url, 1, "applications")
    assert apps.loc[0, "availability"] == hours(MONDAY + 18, MONDAY + 21)
    assert apps.loc[0, "extra"] == {"Rate your skills [Python]": "Good", "Rate your skills [Django]": "Some"}


def test_a_grid_column_mapped_by_hand_to_a_time_range(settings, empty_url):
    mapped = with_overrides(
        settings, mapping={"applications": {"Evenings?": "availability[6:00 PM - 9:00 PM]", "Zone": "timezone"}}
    )
    frame = pd.DataFrame([{"email": "a@example.org", "Zone": "America/New_York", "Evenings?": "Friday"}])
    import_frame(empty_url, mapped, "applications", frame, source="t", sheet="Apps")
    friday = 5 * 24.0
    assert _stored(empty_url)["a@example.org"] == hours(friday + 22, friday + 25)  # EDT in the session's first week
    wrong = with_overrides(settings, mapping={"applications": {"Evenings?": "availability[Someday]"}})
    with pytest.raises(ImportFailed, match=r"'Someday' is neither a day \(availability\[Monday\]\) nor a time range"):
        import_frame(empty_url, wrong, "applications", frame, source="t", sheet="Apps")


def test_a_question_in_utc_needs_no_time_zone(settings, empty_url):
    frame = pd.DataFrame(
        [
            {
                "Email Address": "a@example.org",
                "When can you meet? (UTC) [Monday]": "18:00-19:00",
                "When can you meet? (UTC) [Tuesday]": "",
            }
        ]
    )
    result = import_frame(empty_url, settings, "applications", frame, source="t", sheet="Apps")
    assert result.warnings == [] and _stored(empty_url)["a@example.org"] == [MONDAY + 18, MONDAY + 18.5]


def test_a_people_sheet_holds_the_sites_slots_or_older_hour_blocks(settings, empty_url):
    frame = pd.DataFrame(
        [
            {"email": "nav@example.org", "role": "navigator", "availability": "[38.5, 39, 39.5]"},
            {"email": "cap@example.org", "role": "captain", "availability": "18, 19"},
        ]
    )
    import_frame(empty_url, settings, "people", frame, source="t", sheet="People")
    people = reads.load_table(empty_url, 1, "people").set_index("email")["availability"]
    assert people["nav@example.org"] == [38.5, 39.0, 39.5]
    assert people["cap@example.org"] == [18.0, 18.5, 19.0, 19.5]
