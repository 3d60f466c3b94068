"""Value parsers: answers as people really type them into forms."""

from datetime import datetime

import pytest

from dashboard import fields
from dashboard.parsing import (
    BadValue,
    parse_bool,
    parse_datetime,
    parse_hours,
    parse_list,
    parse_scale,
    parse_timezone,
    parse_value,
)


@pytest.mark.parametrize(
    "raw, hours",
    [
        ("4", 4),
        ("3.5", 3.5),
        ("3,5", 3.5),
        ("4-5", 4.5),
        ("4 - 5", 4.5),
        ("3h", 3),
        ("3 hours", 3),
        ("~6", 6),
        ("four", 4),
        ("Four", 4),
        (" 0 ", 0),
        ("about 5", 5),
        ("10+", 10),
        ("2 to 4", 3),
        # As organisers' sheets and free-text answers write them
        ("2h30", 2.5),
        ("4h30m", 4.5),
        ("1h 30m", 1.5),
        ("2:30", 2.5),
        ("90 minutes", 1.5),
        ("4ish", 4),
        ("Between 3 and 4", 3.5),
        ("3 or 4", 3.5),
        ("3-4h", 3.5),
        ("5 hours a week", 5),
        ("4 hrs per week", 4),
    ],
)
def test_hours_as_people_write_them(raw, hours):
    assert parse_hours(raw) == hours


@pytest.mark.parametrize("raw", ["a lot", "??", "-3", "200", "2h75"])
def test_hours_that_cannot_be_read_say_what_to_write(raw):
    with pytest.raises(BadValue, match="hours"):
        parse_hours(raw)


@pytest.mark.parametrize(
    "raw, value",
    [
        ("TRUE", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        ("x", True),
        ("Prefer not to say", None),
        ("Yeah", True),
        ("Yep", True),
        ("Nah", False),
        ("Not really", False),
        ("Not this week", False),
        ("Not applicable", None),
    ],
)
def test_checkbox_and_yes_no_answers(raw, value):
    assert parse_bool(raw) is value


def test_google_forms_scale_labels_keep_their_number():
    assert parse_scale("4 - often") == 4
    with pytest.raises(BadValue, match="1-5"):
        parse_scale("7")


def test_multi_select_answers_are_split_on_commas():
    assert parse_list("Django core, django CMS") == ["Django core", "django CMS"]
    assert parse_list("Django core,  ") == ["Django core"]


def test_timestamps_follow_the_sheet_locale_and_time_zone():
    assert parse_datetime("9/28/2026 18:05:09", "MDY", "UTC") == datetime(2026, 9, 28, 18, 5, 9)
    assert parse_datetime("28/09/2026 18:05:09", "DMY", "Europe/Paris") == datetime(2026, 9, 28, 16, 5, 9)
    assert parse_datetime("2026-09-28T18:05:09Z") == datetime(2026, 9, 28, 18, 5, 9)
    with pytest.raises(BadValue, match="DMY"):
        parse_datetime("9/28/2026 18:05:09", "DMY")


def test_time_zones_are_iana_names_or_offsets():
    assert parse_timezone("Asia/Kolkata") == "Asia/Kolkata"
    assert parse_timezone("America/St Johns") == "America/St_Johns"
    with pytest.raises(BadValue, match="Europe/Paris.*UTC\\+05:30"):
        parse_timezone("somewhere nice")


def test_week_answers_like_week_3():
    week = fields.table("checkins").field("week")
    assert parse_value(week, "Week 3") == 3
    assert parse_value(week, "3") == 3
    assert parse_value(week, "") is None
    # A form's dropdown labels often carry the dates; people also write W3 or 3rd.
    for answer in ("Week 3 (Oct 12-18)", "3 (12 Oct - 18 Oct)", "W3", "3rd", "Week 03", "week three"):
        assert parse_value(week, answer) == 3, answer
    with pytest.raises(BadValue):
        parse_value(week, "Week 0")


def test_a_date_column_is_read_in_the_order_its_own_dates_prove():
    from dashboard.parsing import column_date_order

    assert column_date_order(["10/5/2026 9:00", "10/13/2026 9:00", ""], "DMY") == ("MDY", "10/13/2026 9:00")
    assert column_date_order(["5/10/2026", "13/10/2026"], "MDY") == ("DMY", "13/10/2026")
    assert column_date_order(["5/10/2026", "6/10/2026"], "MDY") == ("MDY", None)  # nothing proves it
    assert column_date_order(["13/10/2026", "10/13/2026"], "MDY") == ("MDY", None)  # mixed: each row says so


@pytest.mark.parametrize(
    "raw, choices, value",
    [
        ("Mid-session survey", fields.SURVEY_STAGES, "mid"),
        ("End of session", fields.SURVEY_STAGES, "end"),
        ("Start of the session", fields.SURVEY_STAGES, "start"),
        ("Midpoint", fields.SURVEY_STAGES, "mid"),
        ("Navigator (mentor)", fields.ROLES, "navigator"),
        ("Organizer", fields.ROLES, "organiser"),
        ("Accept", fields.DECISION_STATUSES, "accepted"),
        ("Waitlist", fields.DECISION_STATUSES, "waitlisted"),
    ],
)
def test_a_forms_own_labels_name_their_choice(raw, choices, value):
    assert parse_value(fields.Field("x", fields.CHOICE, choices=choices), raw) == value


@pytest.mark.parametrize("raw", ["Not accepted", "Captain / Navigator", "Whenever"])
def test_a_negated_or_ambiguous_label_is_no_choice(raw):
    with pytest.raises(BadValue, match="is not one of"):
        parse_value(fields.Field("x", fields.CHOICE, choices=fields.ROLES + fields.DECISION_STATUSES), raw)


@pytest.mark.parametrize(
    "raw, zone",
    [
        ("Paris", "Europe/Paris"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Kolkata, India", "Asia/Kolkata"),
        ("Eastern Time", "America/New_York"),
        ("Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("Central European Summer Time", "Europe/Paris"),
        ("India Standard Time", "Asia/Kolkata"),
    ],
)
def test_a_time_zone_written_as_a_city_or_in_words_is_that_places_zone(raw, zone):
    assert parse_timezone(raw) == zone
