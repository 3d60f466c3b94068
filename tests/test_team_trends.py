"""Team-level wellbeing trends: each team's weekly figures match its own check-ins, and only numbers leave."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import access, reads, team_trends, wellbeing

ORGANISER = access.Viewer(email="", roles=frozenset({access.ORGANISER}))


@pytest.fixture
def trends(demo_url, settings):
    sessions = reads.sessions_frame(demo_url)
    sid = int(sessions.loc[sessions["name"] == "2026 Session 6", "id"].iloc[0])
    data = wellbeing.load_for_viewer(demo_url, sid, ORGANISER)
    signals = wellbeing.compute_for(data, settings)
    return data, signals, team_trends.team_weekly(data, signals)


def test_each_team_week_is_computed_from_that_teams_check_ins(trends):
    data, signals, weekly = trends
    team_of = data.people.set_index("email")["team"]
    rows = data.checkins.assign(team=data.checkins["email"].map(team_of))
    assert set(weekly["team"]) == set(data.people["team"])
    assert sorted(set(weekly["week"])) == list(range(1, signals.upto_week + 1))
    for record in weekly.sample(8, random_state=1).itertuples():
        mine = rows[(rows["team"] == record.team) & (rows["week"] == record.week)]
        assert record.checkins == mine["email"].nunique()
        assert record.checkin_rate == pytest.approx(mine["email"].nunique() / record.djangonauts, abs=0.001)
        assert record.mean_burnout == pytest.approx(pd.to_numeric(mine["burnout"]).mean(), abs=0.01)
        assert record.median_hours == pytest.approx(pd.to_numeric(mine["hours"], errors="coerce").median(), abs=0.01)
    assert weekly["signals"].sum() == len(signals.history)  # every firing belongs to one team and week


def test_planted_patterns_show_in_their_teams(trends, demo_data):
    data, _, weekly = trends
    team_of = data.people.set_index("email")["team"]
    burnout_team = team_of[demo_data.planted["burnout"][0]]
    mine = weekly[weekly["team"] == burnout_team].set_index("week")
    assert mine.loc[[5, 6, 7], "mean_burnout"].mean() > mine.loc[[1, 2], "mean_burnout"].mean()
    stuck_team = team_of[demo_data.planted["stuck"][0]]
    assert weekly.set_index(["team", "week"]).loc[[(stuck_team, 5), (stuck_team, 6)], "blockers"].min() >= 1


def test_only_numbers_per_team_and_week_leave(trends):
    data, _, weekly = trends
    assert list(weekly.columns) == team_trends.COLUMNS
    chart = str(team_trends.team_heatmap(weekly, "mean_burnout").to_dict())
    assert not any(email in chart for email in data.people["email"])
    assert not any(name in chart for name in data.people["name"] if isinstance(name, str))
    assert "Mean burnout" in chart


def test_a_session_without_check_ins_has_no_trends(demo_url, settings):
    sid = int(reads.sessions_frame(demo_url)["id"].iloc[0])  # 2024 Session 1: no check-ins
    data = wellbeing.load_for_viewer(demo_url, sid, ORGANISER)
    weekly = team_trends.team_weekly(data, wellbeing.compute_for(data, settings))
    assert weekly["checkins"].sum() == 0 and weekly["signals"].sum() == 0
