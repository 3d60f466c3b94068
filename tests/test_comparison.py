"""Comparing sessions: the figures match the stored rows, every group is large enough, and the CSV export
holds exactly what is shown."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard import comparison, engagement, reads
from dashboard.config import with_overrides
from dashboard.sessions import SessionNotFound


def _sessions(url: str) -> pd.DataFrame:
    return reads.sessions_frame(url)


def test_retention_counts_a_djangonaut_until_their_last_check_in():
    people = pd.DataFrame(
        {"email": ["a@x", "b@x", "c@x", "nav@x"], "role": ["djangonaut"] * 3 + ["navigator"], "team": ["T"] * 4}
    )
    checkins = pd.DataFrame({"email": ["a@x", "a@x", "a@x", "b@x", "b@x", "nav@x"], "week": [1, 2, 4, 1, 2, 5]})
    rows = comparison.retention_rows(checkins, people).set_index(["email", "week"])["retained"]
    assert list(rows.loc["a@x"]) == [True, True, True, True]  # week 3 missed, but back in week 4: not a drop-out
    assert list(rows.loc["b@x"]) == [True, True, False, False]
    assert list(rows.loc["c@x"]) == [False] * 4  # never checked in
    assert "nav@x" not in rows.index.get_level_values("email")  # staff check-ins count for nobody
    assert rows.index.get_level_values("week").max() == 4  # up to the last week any Djangonaut checked in
    assert comparison.retention_rows(checkins.iloc[0:0], people).empty


def test_comparison_matches_the_stored_rows_of_every_session(demo_url, settings):
    result = comparison.compare_sessions(demo_url, settings, "2026 Session 6")
    sessions = _sessions(demo_url)
    assert result.sessions == list(sessions["name"])
    summary = result.summary.frame.set_index("session")
    for row in sessions.itertuples():
        apps = reads.load_table(demo_url, int(row.id), "applications")
        decisions = reads.load_table(demo_url, int(row.id), "decisions")
        people = reads.load_table(demo_url, int(row.id), "people")
        checkins = reads.load_table(demo_url, int(row.id), "checkins")
        surveys = reads.load_table(demo_url, int(row.id), "surveys")
        assert summary.at[row.name, "applicants"] == len(apps)
        accepted = decisions["status"].eq("accepted").sum()
        assert summary.at[row.name, "acceptance_rate"] == pytest.approx(accepted / len(apps), abs=0.001)
        roster = set(engagement.djangonauts(people)["email"])
        assert summary.at[row.name, "cohort"] == len(roster)
        start = pd.to_numeric(surveys.loc[surveys["stage"] == "start", "confidence"]).mean()
        assert summary.at[row.name, "confidence_start"] == pytest.approx(start, abs=0.01)
        mine = checkins[checkins["email"].isin(roster)]
        if mine.empty:
            assert row.name in result.without_checkins and pd.isna(summary.at[row.name, "retained_share"])
        else:
            last = int(mine["week"].max())
            still = (mine.groupby("email")["week"].max() >= last).sum()
            assert summary.at[row.name, "retained_to_week"] == str(last)
            assert summary.at[row.name, "retained_share"] == pytest.approx(still / len(roster), abs=0.001)
    assert result.without_checkins and len(result.without_checkins) < len(result.sessions)  # the demo has both kinds


def test_every_published_group_has_at_least_the_minimum(demo_url, settings):
    strict = with_overrides(settings, privacy={"min_group_size": 19})  # above the demo's 18-strong cohorts
    result = comparison.compare_sessions(demo_url, strict, "2026 Session 6")
    for safe, column in (
        (result.applications, "people"),
        (result.confidence, "people"),
        (result.summary, "smallest_group"),
    ):
        assert not safe.frame.empty and safe.frame[column].min() >= 19
    assert result.retention.frame.empty  # 18 Djangonauts are too few to publish their retention
    summary = result.summary.frame.set_index("session")
    assert summary.loc["2026 Session 6", ["cohort", "retained_share"]].isna().all()
    assert summary.loc["2024 Session 2", "cohort"] == 24  # large enough


def test_compare_with_picks_the_sessions_and_names_unknown_ones(demo_url, settings):
    result = comparison.compare_sessions(demo_url, settings, "2026 Session 6", compare_with=["2024 Session 1"])
    assert result.sessions == ["2024 Session 1", "2026 Session 6"]
    assert list(result.applications.frame["session"]) == result.sessions
    with pytest.raises(
        SessionNotFound, match=r"Session\(s\) 2019 Session 0 not found \(known sessions: 2024 Session 1"
    ):
        comparison.compare_sessions(demo_url, settings, "2026 Session 6", compare_with=["2019 Session 0"])
    earlier = comparison.compare_sessions(demo_url, settings, "2025 Session 3")
    assert earlier.sessions == ["2024 Session 1", "2024 Session 2", "2025 Session 3"]  # nothing after it


def test_csv_files_hold_exactly_the_published_figures(demo_url, settings, tmp_path):
    result = comparison.compare_sessions(demo_url, settings)
    written = comparison.write_comparison(result, tmp_path)
    assert sorted(p.name for p in written) == ["applications.csv", "comparison.csv", "confidence.csv", "retention.csv"]
    summary = pd.read_csv(tmp_path / "comparison.csv")
    assert list(summary["session"]) == result.sessions
    assert summary["applicants"].tolist() == result.summary.frame["applicants"].tolist()
    retention = pd.read_csv(io.StringIO((tmp_path / "retention.csv").read_text()))
    assert "order" not in retention.columns and "session_order" not in retention.columns
    assert len(retention) == len(result.retention.frame)


def test_charts_are_titled_with_the_finding(demo_url, settings):
    result = comparison.compare_sessions(demo_url, settings, "2026 Session 6")
    last = (
        result.retention.frame.sort_values(["session_order", "order"]).groupby("session").tail(1).set_index("session")
    )
    title = comparison.retention_chart(result.retention).to_dict()["title"]["text"]
    text = " ".join(title) if isinstance(title, list) else title
    assert text.startswith(f"{last.at['2026 Session 6', 'rate'] * 100:.0f} % of 2026 Session 6 were still checking in")
    assert f"2026 Session 5: {last.at['2026 Session 5', 'rate'] * 100:.0f} %" in text
    confidence = comparison.confidence_chart(result.confidence).to_dict()["title"]["text"]
    assert confidence.startswith("Confidence rose in every session")
    empty = comparison.compare_sessions(demo_url, settings, "2025 Session 3")
    assert "No session has enough check-ins" in str(comparison.retention_chart(empty.retention).to_dict())
