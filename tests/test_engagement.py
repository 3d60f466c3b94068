"""Engagement metrics: weekly aggregates by team, cumulative totals, the session in numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard import engagement, reads, wellbeing
from dashboard import engagement_charts as charts

START = date(2026, 9, 28)


def people(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"email": e, "role": r, "team": t, "name": e.split("@")[0]} for e, r, t in rows])


ROSTER = people(
    ("a@x.org", "djangonaut", "Comet"),
    ("b@x.org", "djangonaut", "Comet"),
    ("c@x.org", "djangonaut", "Nebula"),
    ("cap@x.org", "captain", "Comet"),
)


def checkin(email, week, standup=True, **counts) -> dict:
    return {
        "email": email,
        "week": week,
        "attended_standup": standup,
        "prs_opened": counts.get("opened", 0),
        "prs_merged": counts.get("merged", 0),
        "review_comments": counts.get("comments", 0),
        "tickets_progressed": counts.get("tickets", 0),
        "hours": 4.0,
    }


CHECKINS = pd.DataFrame(
    [
        checkin("a@x.org", 1, opened=1, comments=2),
        checkin("b@x.org", 1, standup=False),
        checkin("c@x.org", 1, tickets=1),
        checkin("a@x.org", 2, merged=1, opened=1, comments=3),
        checkin("c@x.org", 2, standup=None),
    ]
)
ONE_TO_ONES = pd.DataFrame(
    [
        {"email": "a@x.org", "held_on": date(2026, 10, 6)},  # week 2
        {"email": "c@x.org", "held_on": date(2026, 9, 30)},  # week 1
        {"email": "c@x.org", "held_on": date(2027, 1, 1)},
    ]
)  # after the session


def test_weekly_rates_divide_by_the_djangonauts_expected():
    weekly = engagement.weekly_engagement(CHECKINS, ROSTER, ONE_TO_ONES, 2, START)
    assert weekly["week"].tolist() == [1, 2]
    assert weekly["djangonauts"].tolist() == [3, 3]
    assert weekly["checkins"].tolist() == [3, 2]
    assert weekly["checkin_rate"].tolist() == [1.0, round(2 / 3, 3)]
    assert weekly["standups_attended"].tolist() == [2, 1]  # a blank stand-up answer is not attendance
    assert weekly["one_to_ones"].tolist() == [1, 1]  # the one after the session is not in a week
    assert weekly["prs_opened"].tolist() == [1, 1] and weekly["prs_merged"].tolist() == [0, 1]


def test_weekly_by_team_fills_weeks_without_checkins_with_zero_activity():
    weekly = engagement.weekly_engagement(CHECKINS, ROSTER, ONE_TO_ONES, 3, START, by_team=True)
    comet = weekly[weekly["team"] == "Comet"].set_index("week")
    assert comet.loc[1, "checkin_rate"] == 1.0 and comet.loc[2, "checkin_rate"] == 0.5
    assert comet.loc[3, "checkins"] == 0 and comet.loc[3, "checkin_rate"] == 0.0
    assert set(weekly["team"]) == {"Comet", "Nebula"}
    assert weekly.groupby("team")["djangonauts"].first().to_dict() == {"Comet": 2, "Nebula": 1}


def test_as_of_week_limits_the_weeks():
    weekly = engagement.weekly_engagement(CHECKINS, ROSTER, ONE_TO_ONES, 8, START, as_of_week=1)
    assert weekly["week"].tolist() == [1]


def test_weeks_that_have_not_happened_yet_are_not_drawn_as_zero():
    # Today is in week 2 of an 8-week session: weeks 3-8 are not there yet (not 0 % check-ins).
    start = date.today() - timedelta(days=7)
    weekly = engagement.weekly_engagement(CHECKINS, ROSTER, None, 8, start)
    assert weekly["week"].tolist() == [1, 2]
    by_team = engagement.weekly_engagement(CHECKINS.head(3), ROSTER, None, 8, start, by_team=True)
    assert sorted(set(by_team["week"])) == [1, 2]  # this week is shown even before its check-ins arrive
    assert by_team.loc[by_team["week"] == 2, "checkin_rate"].tolist() == [0.0, 0.0]


def test_cumulative_totals_run_per_team():
    weekly = engagement.weekly_engagement(CHECKINS, ROSTER, ONE_TO_ONES, 2, START, by_team=True)
    cum = engagement.cumulative(weekly).set_index(["team", "week"])
    assert cum.loc[("Comet", 2), "cum_review_comments"] == 5
    assert cum.loc[("Comet", 2), "cum_checkins"] == 3
    assert cum.loc[("Nebula", 2), "cum_tickets_progressed"] == 1
    totals = engagement.totals_by_team(weekly).set_index("team")
    assert totals.loc["Comet", "prs_opened"] == 2 and totals.loc["Nebula", "one_to_ones"] == 1


def test_session_in_numbers_has_the_talk_figures():
    surveys = pd.DataFrame(
        [
            {"email": "a@x.org", "stage": "start", "confidence": 2, "comfortable_contributing": None},
            {"email": "b@x.org", "stage": "start", "confidence": 3, "comfortable_contributing": None},
            {"email": "a@x.org", "stage": "end", "confidence": 4, "comfortable_contributing": True},
            {"email": "b@x.org", "stage": "end", "confidence": 5, "comfortable_contributing": False},
            {"email": "c@x.org", "stage": "end", "confidence": None, "comfortable_contributing": True},
        ]
    )
    numbers = engagement.session_in_numbers(CHECKINS, ROSTER, ONE_TO_ONES, surveys)
    assert numbers["tickets_progressed"] == 1
    assert numbers["prs_opened"] == 2 and numbers["prs_merged"] == 1 and numbers["review_comments"] == 5
    assert numbers["standups_attended"] == 3
    assert numbers["catch_ups_held"] == 3  # Comet wk1, Nebula wk1, Comet wk2
    assert numbers["one_to_ones_held"] == 3
    assert numbers["confidence_start"] == 2.5 and numbers["confidence_end"] == 4.5
    assert numbers["more_comfortable_share"] == round(2 / 3, 3)
    assert numbers["djangonauts"] == 3 and numbers["checkin_rate"] == round(5 / 6, 3)
    assert set(engagement.NUMBER_LABELS) <= set(numbers)


def test_session_in_numbers_with_nothing_yet():
    numbers = engagement.session_in_numbers(None, ROSTER, None, None)
    assert numbers["checkins"] == 0 and numbers["checkin_rate"] is None
    assert numbers["confidence_start"] is None and numbers["more_comfortable_share"] is None


def test_session_in_numbers_as_of_a_week():
    numbers = engagement.session_in_numbers(CHECKINS, ROSTER, ONE_TO_ONES, None, as_of_week=1, start_date=START)
    assert numbers["checkins"] == 3 and numbers["one_to_ones_held"] == 1 and numbers["review_comments"] == 2


def test_an_undated_one_to_one_counts_for_the_whole_session_but_not_up_to_a_week():
    # One rule with the Wellbeing page (wellbeing.one_to_ones_upto): a one-to-one without a
    # date is not known to have been held by week 1, so only the whole-session count has it.
    undated = pd.concat([ONE_TO_ONES, pd.DataFrame([{"email": "b@x.org", "held_on": None}])], ignore_index=True)
    as_of_1 = engagement.session_in_numbers(CHECKINS, ROSTER, undated, None, as_of_week=1, start_date=START)
    whole = engagement.session_in_numbers(CHECKINS, ROSTER, undated, None, start_date=START)
    assert as_of_1["one_to_ones_held"] == 1 and whole["one_to_ones_held"] == 4
    assert as_of_1["one_to_ones_held"] == len(wellbeing.one_to_ones_upto(undated, START, 1))


def test_demo_session_numbers_match_the_tables(demo_url):
    frame = reads.sessions_frame(demo_url)
    sid = int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])
    checkins = reads.load_table(demo_url, sid, "checkins")
    people_frame = reads.load_table(demo_url, sid, "people")
    meetings = reads.load_one_to_ones(demo_url, sid)
    surveys = reads.load_table(demo_url, sid, "surveys")
    numbers = engagement.session_in_numbers(checkins, people_frame, meetings, surveys)
    assert numbers["djangonauts"] == 18
    assert numbers["prs_merged"] == int(checkins["prs_merged"].sum())
    assert numbers["one_to_ones_held"] == len(meetings)
    assert 1 <= numbers["confidence_start"] < numbers["confidence_end"] <= 5  # the demo cohort grows in confidence
    weekly = engagement.weekly_engagement(checkins, people_frame, meetings, 8, START, by_team=True)
    assert weekly["checkins"].sum() == len(checkins)
    assert weekly["one_to_ones"].sum() == len(meetings)
    # the charts build from these frames
    for metric in ("checkin_rate", "prs_merged"):
        assert charts.engagement_by_week_chart(weekly, metric).to_dict()["mark"]["type"] == "line"
    assert charts.cumulative_chart(engagement.cumulative(weekly)).to_dict()


@pytest.mark.parametrize(
    "day,week",
    [
        (date(2026, 9, 28), 1),
        (date(2026, 10, 4), 1),
        (date(2026, 10, 5), 2),
        (date(2026, 9, 27), None),
        (date(2026, 11, 23), None),
    ],
)
def test_week_of(day, week):
    assert engagement.week_of(day, START, 8) == week


def test_tickets_closed_is_not_known_rather_than_zero_when_the_form_does_not_ask():
    people = pd.DataFrame({"email": ["a@x.org"], "role": ["djangonaut"], "team": ["Nebula"]})
    asked = pd.DataFrame(
        {
            "email": ["a@x.org", "a@x.org"],
            "week": [1, 2],
            "attended_standup": [True, False],
            "tickets_progressed": [2, 1],
            "tickets_closed": [1, None],
        }
    )
    numbers = engagement.session_in_numbers(asked, people, None, None)
    assert (numbers["tickets_progressed"], numbers["tickets_closed"]) == (3, 1)
    assert engagement.tickets_text(numbers) == "3 / 1"
    assert engagement.tickets_label(numbers) == "Tickets progressed / closed"
    not_asked = engagement.session_in_numbers(asked.drop(columns=["tickets_closed"]), people, None, None)
    assert not_asked["tickets_closed"] is None and engagement.tickets_text(not_asked) == "3"
    assert engagement.tickets_label(not_asked) == "Tickets progressed"  # the label does not promise closed tickets
