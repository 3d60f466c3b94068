"""Wellbeing signals: one test group per rule, with the edge cases the Captains rely on."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import delete

from dashboard import access, audit, models, reads, wellbeing
from dashboard.config import ConfigError, EXAMPLE_CONFIG_PATH, Settings, load_settings
from dashboard.sessions import Session
from dashboard.wellbeing import Thresholds

START = date(2026, 9, 28)
ALICE = "alice@example.org"


def checkins(*weeks: dict, email: str = ALICE) -> pd.DataFrame:
    """Check-in rows; each dict needs 'week' and may give hours, energy, burnout, blockers, wants_one_to_one."""
    rows = []
    for w in weeks:
        rows.append(
            {
                "email": w.get("email", email),
                "week": w["week"],
                "submitted_at": datetime.combine(START + timedelta(days=7 * (w["week"] - 1) + 5), datetime.min.time()),
                "hours": w.get("hours", 4.0),
                "energy": w.get("energy", 4),
                "burnout": w.get("burnout", 1),
                "blockers": w.get("blockers"),
                "wants_one_to_one": w.get("wants_one_to_one", False),
            }
        )
    return pd.DataFrame(
        rows, columns=["email", "week", "submitted_at", "hours", "energy", "burnout", "blockers", "wants_one_to_one"]
    )


def hours_weeks(*hours, start_week: int = 1, **extra) -> pd.DataFrame:
    """Consecutive weekly check-ins with these hours (None = no check-in that week)."""
    return checkins(*[{"week": start_week + i, "hours": h, **extra} for i, h in enumerate(hours) if h is not None])


def fired(
    frame: pd.DataFrame,
    upto: int,
    signal: str,
    thresholds: Thresholds = Thresholds(),
    expected: float = 4.0,
    roster=None,
) -> list[wellbeing.Signal]:
    found = wellbeing.detect_signals(frame, expected, upto, thresholds, START, roster)
    return [s for s in found if s.signal == signal]


# --- overwork -------------------------------------------------------------------------------


def test_overwork_two_consecutive_weeks_at_twice_expected_quotes_the_hours():
    signals = fired(hours_weeks(4, 4, 9, 11), 4, "overwork")
    assert [s.week for s in signals] == [4]
    assert signals[0].reason == "worked 9 h and 11 h in weeks 3-4; about 4 h is expected"
    assert signals[0].severity == "medium"


def test_overwork_one_heavy_week_below_three_times_is_not_overwork():
    assert fired(hours_weeks(4, 9, 4, 9), 4, "overwork") == []


def test_overwork_three_times_expected_in_a_single_week():
    signals = fired(hours_weeks(4, 12, 4), 3, "overwork")
    assert [(s.week, s.severity) for s in signals] == [(2, "high")]
    assert "12 h in week 2" in signals[0].reason and "3x" in signals[0].reason


def test_overwork_is_relative_to_the_sessions_expected_hours():
    assert fired(hours_weeks(9, 11), 2, "overwork", expected=6.0) == []
    assert len(fired(hours_weeks(12, 12), 2, "overwork", expected=6.0)) == 1


def test_overwork_missing_week_breaks_the_run():
    # 9 h, no check-in, 9 h: the middle week is unknown, not evidence of overwork
    assert fired(hours_weeks(9, None, 9), 3, "overwork") == []


def test_overwork_thresholds_come_from_config():
    strict = Thresholds(overwork_ratio=1.5)
    assert len(fired(hours_weeks(6, 6), 2, "overwork", strict)) == 1
    assert fired(hours_weeks(6, 6), 2, "overwork") == []


# --- no_break -------------------------------------------------------------------------------


def test_no_break_four_weeks_above_expected():
    signals = fired(hours_weeks(5, 5, 6, 5), 4, "no_break")
    assert [s.week for s in signals] == [4]
    assert "every week for 4 weeks" in signals[0].reason and "weeks 1-4" in signals[0].reason


def test_no_break_three_weeks_is_not_enough_and_exactly_expected_is_a_lighter_week():
    assert fired(hours_weeks(5, 5, 6), 3, "no_break") == []
    assert fired(hours_weeks(5, 5, 4, 5, 5), 5, "no_break") == []


def test_zero_hours_reported_is_a_break_but_no_report_is_unknown():
    zero = fired(hours_weeks(5, 5, 0, 5, 5, 5, 5), 7, "no_break")
    assert [s.week for s in zero] == [7]  # the run restarts after the 0 h week: weeks 4-7
    assert "weeks 4-7" in zero[0].reason
    unknown = fired(hours_weeks(5, 5, None, 5, 5, 5), 6, "no_break")
    assert unknown == []  # a missing week is neither a break nor evidence of working through


# --- burnout --------------------------------------------------------------------------------


@pytest.mark.parametrize("answer,severity", [(1, None), (2, None), (3, "medium"), (4, "high"), (5, "high")])
def test_burnout_single_item_at_three_or_more(answer, severity):
    signals = fired(checkins({"week": 1, "burnout": answer}), 1, "burnout")
    assert [s.severity for s in signals] == ([severity] if severity else [])
    if severity:
        assert f"answered {answer} of 5" in signals[0].reason


# --- energy_drop ----------------------------------------------------------------------------


def test_energy_drop_two_below_own_median():
    frame = checkins(*[{"week": w, "energy": e} for w, e in enumerate([4, 5, 4, 2], start=1)])
    signals = fired(frame, 4, "energy_drop")
    assert [s.week for s in signals] == [4]
    assert "2 below their usual 4" in signals[0].reason


def test_energy_drop_is_relative_to_the_persons_own_level():
    # someone who always reports 2 is not dropping
    frame = checkins(*[{"week": w, "energy": 2} for w in range(1, 6)])
    assert fired(frame, 5, "energy_drop") == []


def test_single_checkin_gives_no_energy_drop_or_run_signals():
    frame = checkins({"week": 1, "energy": 1, "hours": 9})
    for name in ("energy_drop", "overwork", "no_break", "drifting", "stuck"):
        assert fired(frame, 1, name) == [], name


# --- drifting -------------------------------------------------------------------------------


def test_drifting_after_two_weeks_without_checkin():
    signals = fired(hours_weeks(4, 4, 3), 5, "drifting")
    assert [s.week for s in signals] == [5]
    assert signals[0].reason == "no check-in in weeks 4-5 (last check-in: week 3, 3 h)"
    assert fired(hours_weeks(4, 4, 3), 4, "drifting") == []  # one missed week is not drifting


def test_late_joiner_is_not_drifting_before_their_first_checkin():
    frame = hours_weeks(4, 4, start_week=3)
    assert fired(frame, 4, "drifting") == []
    weeks = wellbeing.person_weeks(frame, 4)
    assert list(weeks["status"]) == ["not started", "not started", "reported", "reported"]


def test_hours_falling_to_zero_after_active_weeks_is_drifting_but_zero_from_the_start_is_not():
    signals = fired(hours_weeks(4, 3, 0), 3, "drifting")
    assert [s.week for s in signals] == [3]
    assert "reported 0 h in week 3 after 2 active weeks" in signals[0].reason
    assert fired(hours_weeks(4, 0), 2, "drifting") == []  # only 1 active week before


def test_holiday_week_is_neither_missing_nor_drifting():
    holiday = Thresholds(holiday_weeks=(4,))
    # no check-in in the holiday week and week 5: one missed working week only
    assert fired(hours_weeks(4, 4, 4, None, None), 5, "drifting", holiday) == []
    assert len(fired(hours_weeks(4, 4, 4, None, None), 5, "drifting")) == 1
    # 0 h reported in the holiday week is a break, not drifting
    assert fired(hours_weeks(4, 4, 4, 0), 4, "drifting", holiday) == []
    weeks = wellbeing.person_weeks(hours_weeks(4, 4, 4, None, 4), 5, holiday)
    assert list(weeks["status"]) == ["reported", "reported", "reported", "holiday", "reported"]


def test_roster_member_without_any_checkin_is_drifting_from_week_two():
    others = checkins({"week": 1, "email": "bob@example.org"}, {"week": 2, "email": "bob@example.org"})
    signals = fired(others, 2, "drifting", roster=[ALICE, "bob@example.org"])
    assert [(s.email, s.week) for s in signals] == [(ALICE, 2)]
    assert fired(others.iloc[:1], 1, "drifting", roster=[ALICE]) == []


def test_missing_weeks_are_unknown_never_zero_hours():
    series = wellbeing.weekly_series(hours_weeks(4, None, 5), [ALICE], 3, 4.0)
    assert series["hours"].isna().tolist() == [False, True, False]
    assert list(series["status"]) == ["reported", "missing", "reported"]


# --- stuck and wants_one_to_one -----------------------------------------------------------


def test_stuck_two_consecutive_weeks_with_blockers():
    frame = checkins(
        {"week": 1, "blockers": "Waiting for review"},
        {"week": 2, "blockers": "Still waiting"},
        {"week": 3, "blockers": "None"},
    )
    signals = fired(frame, 3, "stuck")
    assert [s.week for s in signals] == [2]
    assert "weeks 1-2" in signals[0].reason


@pytest.mark.parametrize("answer", ["", "No", "none", "N/A", "-", None, "Nothing."])
def test_no_blocker_answers_are_not_blockers(answer):
    assert not wellbeing.has_blockers(answer)


def test_wants_one_to_one():
    signals = fired(checkins({"week": 1}, {"week": 2, "wants_one_to_one": True}), 2, "wants_one_to_one")
    assert [(s.week, s.severity) for s in signals] == [(2, "high")]


# --- as of a week, handled, cleared -------------------------------------------------------


def test_as_of_week_ignores_later_checkins():
    frame = hours_weeks(4, 4, 9, 11)
    assert fired(frame, 3, "overwork") == []
    result = wellbeing.compute(frame, None, expected_hours=4, weeks=8, start_date=START, as_of_week=3)
    assert result.upto_week == 3 and result.history.empty


def test_a_session_in_progress_flags_nobody_for_weeks_that_have_not_happened():
    # Today is in week 3 of 8 and everyone has checked in every week so far: nobody is drifting.
    start = date.today() - timedelta(days=14)
    frame = pd.concat([hours_weeks(4, 4, 4), hours_weeks(5, 4, 3).assign(email="bob@example.org")])
    result = wellbeing.compute(
        frame, None, expected_hours=4, weeks=8, start_date=start, roster=[ALICE, "bob@example.org", "carol@example.org"]
    )
    assert result.upto_week == 3 == wellbeing.default_week(frame, Session.calendar(start, 8))
    drifting = result.history[result.history["signal"] == "drifting"]
    assert drifting["email"].tolist() == ["carol@example.org"]  # only the one who never checked in
    assert drifting["reason"].tolist() == ["no check-in yet (weeks 1-3)"]


def one_to_one(email: str, held_on: date) -> pd.DataFrame:
    return pd.DataFrame([{"email": email, "captain": "cap@example.org", "held_on": held_on, "note": ""}])


def test_one_to_one_after_the_evidence_marks_the_signal_handled_until_new_evidence():
    frame = hours_weeks(4, 4, 9, 11)
    after = one_to_one(ALICE, START + timedelta(days=7 * 4))  # held in week 5
    result = wellbeing.compute(frame, after, expected_hours=4, weeks=8, start_date=START, as_of_week=5)
    assert result.current["handled"].tolist() == [True] and result.open.empty
    before = one_to_one(ALICE, START + timedelta(days=7 * 3))  # held in week 4, before the week-4 check-in
    result = wellbeing.compute(frame, before, expected_hours=4, weeks=8, start_date=START, as_of_week=5)
    assert result.open["signal"].tolist() == ["overwork"]
    # new evidence: another heavy week after the one-to-one opens it again
    more = hours_weeks(4, 4, 9, 11, 10)
    result = wellbeing.compute(more, after, expected_hours=4, weeks=8, start_date=START, as_of_week=5)
    assert result.open["week"].tolist() == [5]
    assert "weeks 3-5" in result.open["reason"].iloc[0]


def test_one_to_ones_after_the_as_of_week_do_not_count():
    late = one_to_one(ALICE, START + timedelta(days=7 * 6))
    result = wellbeing.compute(
        hours_weeks(4, 4, 9, 11), late, expected_hours=4, weeks=8, start_date=START, as_of_week=4
    )
    assert result.open["signal"].tolist() == ["overwork"]


def test_a_later_active_checkin_clears_drifting_but_not_burnout():
    frame = checkins({"week": 1}, {"week": 2, "burnout": 4}, {"week": 5})
    result = wellbeing.compute(frame, None, expected_hours=4, weeks=8, start_date=START, as_of_week=5)
    assert set(result.history["signal"]) == {"drifting", "burnout"}
    assert result.open["signal"].tolist() == ["burnout"]


def test_open_signals_most_severe_first_and_who_to_check_on():
    frame = pd.concat(
        [
            checkins({"week": 1}, {"week": 2, "blockers": "x"}, {"week": 3, "blockers": "y"}),
            checkins({"week": 1}, {"week": 2}, {"week": 3, "burnout": 5}, email="bob@example.org"),
        ]
    )
    result = wellbeing.compute(frame, None, expected_hours=4, weeks=8, start_date=START, as_of_week=3)
    assert result.open["signal"].tolist() == ["burnout", "stuck"]
    people = pd.DataFrame(
        [
            {"email": ALICE, "name": "Alice", "team": "Comet"},
            {"email": "bob@example.org", "name": "Bob", "team": "Comet"},
        ]
    )
    ranked = wellbeing.who_to_check_on(result.open, people)
    assert ranked["name"].tolist() == ["Bob", "Alice"]
    assert ranked["reasons"].iloc[0][0].startswith("Burnout: answered 5 of 5")


# --- config ---------------------------------------------------------------------------------


def test_thresholds_from_the_example_config_match_the_issue_defaults():
    assert wellbeing.load_thresholds(load_settings(EXAMPLE_CONFIG_PATH)) == Thresholds()


def test_bad_threshold_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="overwork_ratio"):
        wellbeing.load_thresholds(Settings(raw={"wellbeing": {"overwork_ratio": "lots"}}))
    with pytest.raises(ConfigError, match="Unknown setting 'overwrok_ratio'"):
        wellbeing.load_thresholds(Settings(raw={"wellbeing": {"overwrok_ratio": 2}}))
    assert wellbeing.load_thresholds(Settings(raw={"wellbeing": {"holiday_weeks": [4, 5]}})).holiday_weeks == (4, 5)


def test_weeks_text():
    assert wellbeing.weeks_text([4]) == "week 4"
    assert wellbeing.weeks_text([3, 4]) == "weeks 3-4"
    assert wellbeing.weeks_text([1, 2, 3, 5]) == "weeks 1-3 and 5"


# --- the demo session -------------------------------------------------------------------

PLANTED_SIGNAL = {
    "overwork_steady": {"overwork", "no_break"},
    "overwork_burst": {"overwork"},
    "drifting": {"drifting"},
    "burnout": {"burnout", "energy_drop"},
    "stuck": {"stuck"},
    "wants_one_to_one": {"wants_one_to_one"},
}


def _demo_session_id(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


def test_demo_planted_patterns_are_flagged_and_the_steady_person_is_not(demo_url, demo_data, settings):
    result = wellbeing.session_signals(demo_url, _demo_session_id(demo_url), settings)
    assert result.upto_week == 8
    flagged = result.history.groupby("email")["signal"].apply(set).to_dict()
    for pattern, expected in PLANTED_SIGNAL.items():
        for email in demo_data.planted[pattern]:
            assert expected <= flagged.get(email, set()), (pattern, email, flagged.get(email))
    for email in demo_data.planted["steady"]:
        assert email not in flagged
    # the drop-out and the person who asked are still waiting for their Captain
    open_by = result.open.groupby("email")["signal"].apply(set).to_dict()
    assert "drifting" in open_by[demo_data.planted["drifting"][0]]
    assert "wants_one_to_one" in open_by[demo_data.planted["wants_one_to_one"][0]]


def test_demo_burst_is_handled_by_the_following_one_to_one(demo_url, demo_data, settings):
    burst = demo_data.planted["overwork_burst"][0]
    result = wellbeing.session_signals(demo_url, _demo_session_id(demo_url), settings)
    row = result.current[(result.current["email"] == burst) & (result.current["signal"] == "overwork")]
    assert row["week"].tolist() == [4] and row["handled"].tolist() == [True]
    early = wellbeing.session_signals(demo_url, _demo_session_id(demo_url), settings, as_of_week=5)
    assert burst in set(early.open.loc[early.open["signal"] == "overwork", "email"])


ORGANISER = access.Viewer("organiser1@example.org", frozenset({access.ORGANISER}))


def _captain_of_person(url: str, sid: int, email: str) -> access.Viewer:
    people = reads.load_table(url, sid, "people")
    team = people.set_index("email").at[email, "team"]
    return _captain_of(url, sid, team)[0]


def test_record_one_to_one_handles_the_signal_and_is_audited(demo_url, demo_data, settings):
    sid = _demo_session_id(demo_url)
    asked = demo_data.planted["wants_one_to_one"][0]
    captain = _captain_of_person(demo_url, sid, asked)
    version = reads.sessions_frame(demo_url).set_index("id").at[sid, "data_version"]
    before = len(wellbeing.session_signals(demo_url, sid, settings).open)
    wellbeing.record_one_to_one(demo_url, sid, asked, captain, date.today(), "Talked; all fine.")
    result = wellbeing.session_signals(demo_url, sid, settings)
    assert asked not in set(result.open["email"])
    assert len(result.open) == before - 1
    assert reads.sessions_frame(demo_url).set_index("id").at[sid, "data_version"] == version + 1
    log = audit.entries(demo_url, sid, action="one_to_one_recorded")
    assert log[["actor", "subject"]].values.tolist() == [[captain.email, asked]]
    held = reads.load_one_to_ones(demo_url, sid)
    assert "Talked; all fine." in set(held["note"])


def test_record_one_to_one_rejects_bad_input_and_stores_nothing(demo_url):
    sid = _demo_session_id(demo_url)
    count = len(reads.load_one_to_ones(demo_url, sid))
    with pytest.raises(ValueError, match="future"):
        wellbeing.record_one_to_one(demo_url, sid, ALICE, ORGANISER, date.today() + timedelta(days=10), "")
    with pytest.raises(ValueError, match="under 1000"):
        wellbeing.record_one_to_one(demo_url, sid, ALICE, ORGANISER, date.today(), "x" * 1001)
    with pytest.raises(ValueError, match="not found"):
        wellbeing.record_one_to_one(demo_url, 999, ALICE, ORGANISER, date.today(), "")
    assert len(reads.load_one_to_ones(demo_url, sid)) == count
    assert audit.entries(demo_url, sid, action="one_to_one_recorded").empty


def test_only_the_djangonauts_captain_or_an_organiser_may_record_their_one_to_one(demo_url):
    sid = _demo_session_id(demo_url)
    people = reads.load_table(demo_url, sid, "people")
    djangonauts = people[people["role"] == "djangonaut"].set_index("email")["team"]
    theirs = djangonauts[djangonauts == "Team Aurora"].index[0]
    other_team = djangonauts[djangonauts != "Team Aurora"].index[0]
    teams = reads.load_table(demo_url, sid, "teams")
    aurora_captain, _ = _captain_of(demo_url, sid, "Team Aurora")
    navigator = access.roles_for(teams.set_index("name").at["Team Aurora", "navigators"][0], {}, people, teams)
    count = len(reads.load_one_to_ones(demo_url, sid))
    for recorder, email in (
        (aurora_captain, other_team),
        (navigator, theirs),
        (access.Viewer("stranger@example.org"), theirs),
    ):
        with pytest.raises(PermissionError, match="Captain or an organiser"):
            wellbeing.record_one_to_one(demo_url, sid, email, recorder, date.today(), "")
    assert len(reads.load_one_to_ones(demo_url, sid)) == count
    assert audit.entries(demo_url, sid, action="one_to_one_recorded").empty
    wellbeing.record_one_to_one(demo_url, sid, theirs, aurora_captain, date.today(), "")
    wellbeing.record_one_to_one(demo_url, sid, other_team, ORGANISER, date.today(), "")
    held = reads.load_one_to_ones(demo_url, sid).tail(2)
    assert held[["email", "captain"]].values.tolist() == [[theirs, aurora_captain.email], [other_team, ORGANISER.email]]


def test_wellbeing_view_is_audited(demo_url):
    sid = _demo_session_id(demo_url)
    wellbeing.record_wellbeing_view(demo_url, sid, "Organiser1@example.org", ALICE)
    log = audit.entries(demo_url, sid, action="wellbeing_viewed")
    assert log[["actor", "subject"]].values.tolist() == [["organiser1@example.org", ALICE]]


def test_team_balance_and_staff_load_on_the_demo(demo_url, demo_data, settings):
    sid = _demo_session_id(demo_url)
    people = reads.load_table(demo_url, sid, "people")
    balance = wellbeing.team_balance(reads.load_table(demo_url, sid, "checkins"), people, 8)
    shares = balance.groupby("team")["share"].sum()
    assert all(abs(s - 1) < 0.01 for s in shares)
    heavy = demo_data.planted["overwork_steady"][0]
    assert balance.set_index("email").at[heavy, "carrying"]
    assert not balance.set_index("email").at[demo_data.planted["steady"][0], "carrying"]
    load = wellbeing.staff_load(
        reads.load_table(demo_url, sid, "teams"), people, reads.load_one_to_ones(demo_url, sid), None
    )
    assert set(load["role"]) == {"Navigator", "Captain"}
    assert load["djangonauts"].sum() == 2 * (people["role"] == "djangonaut").sum()


def test_team_balance_compares_mean_hours_per_reported_week_not_totals():
    # Bob checked in only in week 1 (4 h); weeks 2-4 are unknown, not zero hours. Alice worked
    # 4 h every week: the same typical week, so neither carries the team. Carol never checked in.
    frame = pd.concat([hours_weeks(4, 4, 4, 4), hours_weeks(4).assign(email="bob@example.org")])
    people = pd.DataFrame(
        [
            {"email": e, "name": e.split("@")[0].title(), "role": "djangonaut", "team": "Comet"}
            for e in (ALICE, "bob@example.org", "carol@example.org")
        ]
    )
    balance = wellbeing.team_balance(frame, people, 4).set_index("email")
    assert balance.loc[[ALICE, "bob@example.org"], "share"].tolist() == [0.5, 0.5]
    assert balance.loc[[ALICE, "bob@example.org"], "mean_hours"].tolist() == [4.0, 4.0]
    assert balance.loc[[ALICE, "bob@example.org"], "weeks_reported"].tolist() == [4, 1]
    assert not balance["carrying"].any()
    assert pd.isna(balance.at["carol@example.org", "share"])  # no hours reported: no share, not 0 %
    assert balance.at[ALICE, "equal_share"] == 0.5  # among the members who reported hours
    # a member whose reported weeks are much heavier still stands out
    heavy = pd.concat([hours_weeks(12, 12), hours_weeks(4, 4).assign(email="bob@example.org")])
    assert wellbeing.team_balance(heavy, people, 2).set_index("email").at[ALICE, "carrying"]


# --- the command-line contract -----------------------------------------------------------


@pytest.fixture
def signals(command_line):
    """`python -m dashboard signals ARGS` in the example config's folder, on the database at url."""
    env = {"DASHBOARD_CONFIG": str(EXAMPLE_CONFIG_PATH)}
    return lambda url, *args: command_line(
        "signals", *args, env={**env, "DASHBOARD_DATABASE_URL": url}, cwd=EXAMPLE_CONFIG_PATH.parent
    )


def test_signals_command_json_contract(demo_url, demo_data, signals):
    done = signals(demo_url, "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert items and all(set(i) == {"email", "week", "signal", "severity", "reason"} for i in items)
    assert {i["signal"] for i in items} <= set(wellbeing.SIGNALS)
    assert demo_data.planted["drifting"][0] in {i["email"] for i in items if i["signal"] == "drifting"}
    assert demo_data.planted["steady"][0] not in {i["email"] for i in items}
    upto4 = json.loads(signals(demo_url, "--json", "--week", "4").stdout)
    assert upto4 and max(i["week"] for i in upto4) <= 4
    assert demo_data.planted["overwork_burst"][0] in {i["email"] for i in upto4 if i["signal"] == "overwork"}


def test_signals_command_defaults_to_this_week_of_a_session_in_progress(demo_url, demo_data, edit_db, signals):
    # The demo session, moved so that today is in its week 3, with the check-ins of weeks 1-3 only.
    sid = _demo_session_id(demo_url)
    with edit_db(demo_url) as db:
        db.get(models.Session, sid).start_date = date.today() - timedelta(days=14)
        db.execute(delete(models.Checkin).where(models.Checkin.session_id == sid, models.Checkin.week > 3))
    done = signals(demo_url, "--json")
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert items and max(i["week"] for i in items) <= 3
    assert not [i for i in items if i["signal"] == "drifting" and "weeks 4" in i["reason"]]
    assert demo_data.planted["steady"][0] not in {i["email"] for i in items}
    assert "up to week 3" in signals(demo_url).stdout


def test_signals_command_unknown_session_fails_with_a_sentence(demo_url, signals):
    done = signals(demo_url, "--json", "--session", "No such session")
    assert done.returncode == 1
    assert "not found" in json.loads(done.stdout)["error"]


# --- who sees what (filtered where the data is loaded) -----------------------------------


def _captain_of(url: str, sid: int, team: str):
    from dashboard import access

    teams = reads.load_table(url, sid, "teams")
    people = reads.load_table(url, sid, "people")
    captain = teams.loc[teams["name"] == team, "captain"].iloc[0]
    return access.roles_for(captain, {}, people, teams), people


def test_captain_loads_only_their_own_teams_djangonauts(demo_url, settings):
    sid = _demo_session_id(demo_url)
    viewer, people = _captain_of(demo_url, sid, "Team Aurora")
    data = wellbeing.load_for_viewer(demo_url, sid, viewer)
    mine = set(people.loc[(people["role"] == "djangonaut") & (people["team"] == "Team Aurora"), "email"])
    others = set(people.loc[(people["role"] == "djangonaut") & (people["team"] != "Team Aurora"), "email"])
    assert set(data.people["email"]) == mine and len(mine) == 3
    assert set(data.checkins["email"]) <= mine and set(data.one_to_ones["email"]) <= mine
    assert set(data.teams["name"]) == {"Team Aurora"}
    signals = wellbeing.compute_for(data, settings)
    assert not set(signals.history["email"]) & others


def test_navigator_sees_checkins_without_notes_and_no_one_to_one_notes(demo_url):
    from dashboard import access

    sid = _demo_session_id(demo_url)
    teams = reads.load_table(demo_url, sid, "teams")
    people = reads.load_table(demo_url, sid, "people")
    navigator = teams.loc[teams["name"] == "Team Comet", "navigators"].iloc[0][0]
    viewer = access.roles_for(navigator, {}, people, teams)
    assert wellbeing.load_for_viewer(demo_url, sid, viewer).people.empty  # no one's individual wellbeing
    data = wellbeing.load_for_viewer(demo_url, sid, viewer, individual=False)  # team figures (Engagement)
    assert len(data.checkins) and data.checkins["notes"].isna().all()
    assert len(data.one_to_ones) and data.one_to_ones["note"].isna().all()
    assert "free_text" not in data.surveys


def test_reviewer_loads_no_wellbeing_data(demo_url):
    from dashboard import access

    sid = _demo_session_id(demo_url)
    data = wellbeing.load_for_viewer(
        demo_url, sid, access.Viewer("reviewer1@example.org", frozenset({access.REVIEWER}))
    )
    assert data.people.empty and data.checkins.empty and data.one_to_ones.empty


def test_charts_keep_unknown_weeks_as_gaps_not_zero():
    from dashboard.wellbeing import charts

    series = wellbeing.weekly_series(hours_weeks(4, None, 9), [ALICE], 3, 4.0)
    spec = charts.weekly_hours_chart(series).to_dict()
    rows = [v for data in spec["datasets"].values() for v in data if "status" in v]
    week2 = [r["hours"] for r in rows if r["week"] == 2]
    assert week2 and all(h is None for h in week2)
    assert {r["hours"] for r in rows if r["week"] == 3} == {9.0}
    for chart in (charts.hours_sparkline(series), charts.energy_burnout_chart(series)):
        assert chart.to_dict()


def test_a_session_without_any_checkins_flags_nobody():
    empty = checkins()
    assert wellbeing.detect_signals(empty, 4.0, 8, Thresholds(), START, roster=[ALICE, "bob@example.org"]) == []


def test_signals_command_on_a_past_session_without_checkins(demo_url, signals):
    done = signals(demo_url, "--json", "--session", "2024 Session 1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_over_expected_flags_hours_above_the_band_and_leaves_out_missing_hours():
    checkins = pd.DataFrame({"email": ["a", "b", "c", "d"], "week": [1, 1, 1, 1], "hours": [4.0, 6.5, None, 5.0]})
    flagged = wellbeing.over_expected(checkins, 4.0, wellbeing.Thresholds(expected_band=(0.5, 1.5)))
    assert flagged["email"].tolist() == ["a", "b", "d"]  # no report is not 0 h and not 'under'
    assert flagged["over_expected"].tolist() == [False, True, False]  # above 6 h, the top of the band


def test_the_fast_sparkline_spec_is_the_altair_chart_with_the_same_data():
    import altair as alt

    from dashboard.wellbeing import charts

    for weeks in ([4, None, 9, 12], [2, 3, 4, 5], [None, None, 1, 0]):
        series = wellbeing.weekly_series(hours_weeks(*weeks), [ALICE], len(weeks), 4.0)
        fast, slow = charts.hours_sparkline_spec(series), charts.hours_sparkline(series).to_dict()
        assert list(fast["datasets"].values()) == list(slow["datasets"].values())  # same rows, nulls for unknown weeks
        assert {**fast, "datasets": None, "data": None} == {**slow, "datasets": None, "data": None}
        alt.LayerChart.from_dict(fast)  # a valid Vega-Lite spec
