"""Sessions whose data is valid but unusual, as real organisers' data will be: every screen, report and
notebook must say something sensible about them, never crash or mislead.

Each session is built through the real import path (dashboard.importer.import_tables, as the demo
and the Data page do) from small synthetic frames of strings named like the canonical fields.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard import db as dbmod, models, reads, review
from dashboard.criteria import load_criteria
from dashboard.importer import TableInput, import_tables
from dashboard.sessions import create_session
from tests.apptest_support import run_app, texts

TODAY = date.today()
ORDER = ("people", "teams", "applications", "reviews", "decisions", "checkins", "surveys")


def build_session(url: str, settings, name: str, start: date | None, tables: dict[str, list[dict]], weeks: int = 8):
    """A session created with its calendar, then its tables imported in one transaction (the real write path)."""
    dbmod.migrate(url)
    with dbmod.write(url, actor="test", action="demo_built", subject=name, detail="session created") as change:
        if change.db.scalar(select(models.Session).where(models.Session.name == name)) is None:
            change.session_id = create_session(change.db, settings, name, start_date=start, weeks=weeks).id
    inputs = [
        TableInput(table, pd.DataFrame(tables[table]).fillna("").astype(str), table)
        for table in ORDER
        if table in tables
    ]
    for result in import_tables(url, settings, inputs, source="edge test", session_name=name, actor="test"):
        assert not result.rows_rejected, result.detail_lines(5)
    return int(reads.sessions_frame(url).set_index("name").at[name, "id"])


def applications(n: int, prefix: str = "a") -> list[dict]:
    return [
        {"response_id": f"{prefix}{i}", "email": f"{prefix}{i}@example.org", "name": f"Applicant {i}"} for i in range(n)
    ]


PEOPLE = [
    {"email": "cap@example.org", "name": "Cap One", "role": "captain", "team": "Solo"},
    {"email": "nav@example.org", "name": "Nav One", "role": "navigator", "team": "Solo"},
    {"email": "d1@example.org", "name": "Dee One", "role": "djangonaut", "team": "Solo"},
    {"email": "d2@example.org", "name": "Dee Two", "role": "djangonaut", "team": "Solo"},
]
ONE_TEAM = [{"name": "Solo", "project": "Django core", "navigators": "nav@example.org", "captain": "cap@example.org"}]
# Week 1 of a session too small for any group to be shown: 3 applicants, none reviewed, a team of 2, one check-in.
TINY = {
    "applications": applications(3),
    "people": PEOPLE,
    "teams": ONE_TEAM,
    "checkins": [{"email": "d1@example.org", "week": "1", "hours": "3", "energy": "4", "burnout": "2"}],
}


# --- the calendar: before the start, week 1 ----------------------------------------------


def test_overview_of_a_session_that_has_not_started_asks_for_no_check_ins(monkeypatch, empty_url, settings, local_mode):
    start = TODAY + timedelta(days=30)
    build_session(empty_url, settings, "Future", start, {"people": PEOPLE, "teams": ONE_TEAM})
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="Future")
    assert not at.exception
    shown = texts(at)
    assert f"starts {start} (in 30 days)" in shown and "started" not in shown
    assert "send a reminder" not in shown and "Checked in, week" not in shown
    assert f"from week 1, starting {start}" in shown


def test_overview_in_week_one_counts_one_check_in_in_words(monkeypatch, empty_url, settings, local_mode):
    build_session(
        empty_url,
        settings,
        "Week one",
        TODAY - timedelta(days=2),
        {
            **TINY,
            "checkins": [{"email": "d1@example.org", "week": "1", "hours": "80", "energy": "1", "burnout": "5"}],
            "reviews": [{"response_id": f"a{i}", "reviewer": "r@example.org", "motivation": "3"} for i in (0, 1)],
        },
    )
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="Week one")
    assert not at.exception
    shown = texts(at)
    assert "Checked in, week 1 of 8 50%" in shown and "1 of 2 Djangonauts" in shown
    assert "send a reminder" in shown  # week 1 has begun: a missing check-in is worth a reminder
    assert "1 application has no review yet" in shown
    assert "1 Djangonaut has open wellbeing signals" in shown


# --- reviews -------------------------------------------------------------------------------


def test_review_statistics_of_a_session_without_reviews_rank_and_compare(empty_url, settings):
    sid = build_session(
        empty_url, settings, "Just created", TODAY + timedelta(days=60), {"applications": applications(3)}
    )
    stats = review.review_stats(
        reads.load_table(empty_url, sid, "reviews"),
        load_criteria(settings),
        settings,
        response_ids=reads.load_table(empty_url, sid, "applications")["response_id"],
    )
    effect = review.normalising_effect(stats.applications, 18)  # the notebook's default places
    assert effect["applications scored"] == 0 and effect["places compared"] == 0
    assert stats.reviewers.round(3).empty


# --- notebooks -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_url(_migrated_template, tmp_path_factory, settings) -> str:
    """A database holding the TINY session."""
    from tests.conftest import migrated_copy

    url = migrated_copy(_migrated_template, tmp_path_factory.mktemp("tiny") / "tiny.db")
    build_session(url, settings, "Tiny", TODAY - timedelta(days=2), TINY)
    return url


@pytest.mark.parametrize("name", ["review_calibration", "session_report", "session_comparison", "wellbeing_trends"])
def test_every_notebook_runs_on_a_session_too_small_to_show_any_group(monkeypatch, tiny_url, name):
    from dashboard import notebooks
    from dashboard.config import PROJECT_ROOT

    # The kernel imports this checkout's dashboard/, not whichever one `pip install -e` pointed the venv at.
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    notebooks.execute(name, {"database_url": tiny_url, "session": "Tiny"})  # NotebookError names the failing cell


def test_the_site_export_says_why_it_holds_no_rows(empty_url, settings, command_line):
    decisions = [{"response_id": f"r{i}", "status": "accepted", "rank": rank} for i, rank in enumerate((1, 1, 5, 9))]
    build_session(
        empty_url, settings, "Form ids", TODAY, {"applications": applications(4, "r"), "decisions": decisions}
    )
    done = command_line(
        "djangonaut-space", "export", "--session", "Form ids", env={"DASHBOARD_DATABASE_URL": empty_url}
    )
    assert done.returncode == 0 and done.stdout == "Response ID,Score,Selection Rank\n"  # still a CSV the site reads
    assert "Left out: 4 whose response id is not one of the site's numbers" in done.stderr


# --- check-ins past the planned weeks ------------------------------------------------------


def test_a_late_check_in_after_the_end_makes_nobody_drift_after_the_end(
    monkeypatch, empty_url, settings, local_mode, command_line
):
    one = [{"email": "d1@example.org", "week": str(w), "hours": "4", "energy": "3"} for w in range(1, 9)]
    two = [{"email": "d2@example.org", "week": str(w), "hours": "4", "energy": "3"} for w in range(1, 6)]
    late = [{"email": "d1@example.org", "week": "11", "hours": "2", "energy": "3"}]  # a straggler, 3 weeks after
    build_session(
        empty_url,
        settings,
        "Long over",
        date(2024, 1, 8),
        {"people": PEOPLE, "teams": ONE_TEAM, "checkins": one + two + late},
    )
    done = command_line("signals", "--session", "Long over", env={"DASHBOARD_DATABASE_URL": empty_url})
    drifting = [line for line in done.stdout.splitlines() if "drifting" in line]
    # Dee Two stopped in week 5 of 8: that is drifting. Nobody is drifting for weeks 9-11, after the end.
    assert any("d2@example.org: no check-in in weeks 6-8 " in line for line in drifting), done.stdout
    assert all("d2@example.org" in line and int(line.split()[1]) <= 8 for line in drifting), done.stdout
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="Long over")
    assert not at.exception
    assert "send a reminder" not in texts(at)  # week 11 of an 8-week session: nobody is late
    at = run_app(monkeypatch, empty_url, page="app_pages/wellbeing.py", session="Long over")
    assert not at.exception
    shown = texts(at)
    assert "1 Djangonaut with open signals" in shown and "Dee Two · Solo" in shown and "Dee One · Solo" not in shown


# --- teams ---------------------------------------------------------------------------------


def test_who_fits_a_team_says_when_nobody_gave_availability(monkeypatch, empty_url, settings, local_mode):
    accepted = [{"response_id": f"a{i}", "status": "accepted", "rank": "1"} for i in range(4)]
    staff = [p for p in PEOPLE if p["role"] != "djangonaut"]  # a Captain and a Navigator, neither gave times
    build_session(
        empty_url,
        settings,
        "No times",
        TODAY + timedelta(days=10),
        {
            "applications": [{**a, "project_preferences": "Django core"} for a in applications(4)],
            "decisions": accepted,
            "people": staff,
            "teams": ONE_TEAM,
        },
    )
    at = run_app(monkeypatch, empty_url, page="app_pages/selection.py", session="No times")
    assert not at.exception
    assert "4 accepted for 4 places (1 Navigator x 4 Djangonauts)" in texts(at)
    placement = next(df.value for df in at.dataframe if "Placement" in df.value.columns)["Placement"]
    assert set(placement) == {
        "They gave no availability, so no team can share the 3 hours with a Captain and 5 with the Navigators that "
        "the rules ask: add their weekly times."
    }
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="No times")
    assert "No accepted applicant is in a team yet: place them on the Teams page" in texts(at)


def test_agreement_over_one_shared_application_is_not_called_weak(empty_url, settings, command_line):
    scores = {"x@example.org": ("5", "2"), "y@example.org": (None, "4")}  # only a1 is scored by both
    reviews = [
        {"response_id": f"a{i}", "reviewer": who, **dict.fromkeys(("motivation", "resilience", "knowledge"), score)}
        for who, pair in scores.items()
        for i, score in enumerate(pair)
        if score is not None
    ]
    build_session(empty_url, settings, "One overlap", TODAY, {"applications": applications(2), "reviews": reviews})
    done = command_line("review-stats", "--session", "One overlap", env={"DASHBOARD_DATABASE_URL": empty_url})
    assert done.returncode == 0
    assert "not measurable" in done.stdout and "Weak" not in done.stdout, done.stdout
    assert "at least two applications scored by the same reviewers" in done.stdout
    assert "  y@example.org: 1 review, mean" in done.stdout  # not "1 reviews"


def test_agreement_when_every_score_is_the_same_says_there_is_nothing_to_compare(empty_url, settings, command_line):
    reviews = [
        {"response_id": f"a{i}", "reviewer": who, **dict.fromkeys(("motivation", "resilience", "knowledge"), "3")}
        for who in ("x@example.org", "y@example.org")
        for i in range(6)
    ]
    build_session(empty_url, settings, "All threes", TODAY, {"applications": applications(6), "reviews": reviews})
    done = command_line("review-stats", "--session", "All threes", env={"DASHBOARD_DATABASE_URL": empty_url})
    assert done.returncode == 0 and "6 of 6 applications reviewed, 2 reviewers" in done.stdout
    assert "when every score is the same there is nothing to agree or disagree on" in done.stdout, done.stdout


# --- one person, several roles -------------------------------------------------------------


def test_a_captain_listed_in_capitals_among_another_teams_navigators_is_one_person(
    monkeypatch, empty_url, settings, local_mode
):
    people = [
        {"email": "capa@example.org", "name": "Captain A 🚀", "role": "captain", "team": "Alpha"},
        {"email": "navb@example.org", "name": "نافيجيتور", "role": "navigator", "team": "Beta"},
        {"email": "d1@example.org", "name": "Dee One", "role": "djangonaut", "team": "Alpha"},
        {"email": "d2@example.org", "name": "Dee Two", "role": "djangonaut", "team": "Beta"},
    ]
    teams = [
        {"name": "Alpha", "project": "Django core", "navigators": "navb@example.org", "captain": "capa@example.org"},
        {"name": "Beta", "project": "django CMS", "navigators": "navb@example.org, CAPA@Example.org ", "captain": ""},
    ]
    checkins = [{"email": e, "week": "1", "hours": "4"} for e in ("d1@example.org", "d2@example.org")]
    build_session(
        empty_url,
        settings,
        "Two hats",
        TODAY - timedelta(days=3),
        {"people": people, "teams": teams, "checkins": checkins},
    )
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="Two hats")
    assert "Beta has no Captain: nobody but the organisers sees their Djangonauts' wellbeing" in texts(at)
    at = run_app(monkeypatch, empty_url, page="app_pages/wellbeing.py", session="Two hats")
    assert not at.exception
    load = next(df.value for df in at.dataframe if "open_signals" in df.value.columns)
    assert sorted(zip(load["name"], load["role"], load["teams"])) == [
        ("Captain A 🚀", "Captain", "Alpha"),
        ("Captain A 🚀", "Navigator", "Beta"),
        ("نافيجيتور", "Navigator", "Alpha, Beta"),
    ]


# --- hours: none, zero -----------------------------------------------------------------------


def test_zero_hours_every_week_is_drifting_and_blank_hours_are_not_zero(monkeypatch, empty_url, settings, local_mode):
    blank = [{"email": "d1@example.org", "week": str(w), "hours": "", "energy": "", "burnout": ""} for w in (1, 2, 3)]
    zero = [
        {"email": e, "week": str(w), "hours": "0", "energy": "3"}
        for e in ("d2@example.org", "d3@example.org")
        for w in (1, 2, 3)
    ]
    loose = {"email": "d3@example.org", "name": "Dee Three", "role": "djangonaut", "team": ""}
    build_session(
        empty_url, settings, "Idle", None, {"people": [*PEOPLE, loose], "teams": ONE_TEAM, "checkins": blank + zero}
    )  # no start date: the weeks are the check-ins' own
    at = run_app(monkeypatch, empty_url, page="app_pages/wellbeing.py", session="Idle")
    assert not at.exception
    shown = texts(at)
    assert "2 Djangonauts with open signals" in shown and "Dee Two · Solo" in shown  # a card: name · team
    assert "Dee Three · in no team" in shown
    assert "reported 0 h in weeks 1-3, and no hours in any week yet" in shown
    assert "Dee One · Solo" not in shown  # checked in every week without saying how long: unknown hours, not zero


def test_check_ins_from_people_who_are_no_djangonaut_are_pointed_out(monkeypatch, empty_url, settings, local_mode):
    checkins = [{"email": f"p{i}@example.org", "week": str(w), "hours": "3"} for i in range(6) for w in (1, 2)]
    build_session(empty_url, settings, "Check-ins first", TODAY - timedelta(days=10), {"checkins": checkins})
    at = run_app(monkeypatch, empty_url, page="app_pages/overview.py", session="Check-ins first")
    assert not at.exception
    assert "6 people have checked in without being a Djangonaut of this session" in texts(at)
    at = run_app(monkeypatch, empty_url, page="app_pages/wellbeing.py", session="Check-ins first")
    assert not at.exception
    assert "Import the people (role djangonaut, with their team) on the Data page" in texts(at)


def test_the_organisers_digest_counts_djangonauts_in_no_team_as_not_reached(
    empty_url, settings, command_line, tmp_path
):
    people = [*PEOPLE, {"email": "d3@example.org", "name": "Dee Three", "role": "djangonaut", "team": ""}]
    checkins = [{"email": p["email"], "week": "1", "hours": "4"} for p in people if p["role"] == "djangonaut"]
    build_session(
        empty_url,
        settings,
        "Loose",
        TODAY - timedelta(days=9),
        {"people": people, "teams": ONE_TEAM, "checkins": checkins},
    )
    config = tmp_path / "dashboard.toml"
    config.write_text('[session]\nname = "Loose"\n[roles]\norganisers = ["org@example.org"]\n')
    env = {"DASHBOARD_DATABASE_URL": empty_url, "DASHBOARD_CONFIG": str(config)}
    done = command_line("digest", "send", "--dry-run", str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    organiser = next((tmp_path / "out").glob("*organiser*.txt")).read_text()
    assert "1 Djangonaut is in no team: their signals reach nobody by e-mail." in organiser
    assert "Dee Three" not in organiser  # the organisers' digest names no Djangonaut


def test_allocating_teams_before_anyone_is_accepted_points_to_the_selection_page(empty_url, settings, command_line):
    build_session(empty_url, settings, "Undecided", TODAY, {"applications": applications(3), "teams": ONE_TEAM})
    done = command_line("teams", "allocate", "--session", "Undecided", env={"DASHBOARD_DATABASE_URL": empty_url})
    assert done.returncode == 1 and "accept some on the Selection page first" in done.stdout + done.stderr


def test_proposing_a_cohort_without_applications_says_so(empty_url, settings, command_line):
    build_session(empty_url, settings, "Staff only", TODAY, {"people": PEOPLE, "teams": ONE_TEAM})
    done = command_line("cohort", "propose", "--session", "Staff only", env={"DASHBOARD_DATABASE_URL": empty_url})
    assert done.returncode == 1, done.stdout  # was 'Proposed cohort of 0 ... Proven optimal'
    assert "Staff only has no applications to choose a cohort from; import them first." in done.stdout + done.stderr


def test_the_selection_page_without_teams_does_not_offer_a_cohort_of_at_most_0(
    monkeypatch, empty_url, settings, local_mode
):
    build_session(empty_url, settings, "No teams", TODAY, {"applications": applications(3)})
    at = run_app(monkeypatch, empty_url, page="app_pages/selection.py", session="No teams")
    assert not at.exception
    shown = texts(at)
    assert "this session has none yet: add teams" in shown and "at most 0" not in shown


def test_proposing_a_cohort_before_any_review_says_a_proposal_needs_scores(empty_url, settings, command_line):
    slots = ", ".join(str(x / 2) for x in range(48, 68))  # Monday 00:00-10:00 UTC, for everyone
    apps = [{**a, "project_preferences": "Django core", "availability": slots} for a in applications(4)]
    staff = [{**p, "availability": slots} for p in PEOPLE if p["role"] != "djangonaut"]
    build_session(empty_url, settings, "Unscored", TODAY, {"applications": apps, "people": staff, "teams": ONE_TEAM})
    done = command_line("cohort", "propose", "--session", "Unscored", env={"DASHBOARD_DATABASE_URL": empty_url})
    assert done.returncode == 1, done.stdout  # was 'Proposed cohort of 0 ... the top 0 all fit in teams'
    assert "No application that fits a team has a review score yet" in done.stdout + done.stderr


def test_before_teams_are_proposed_nobody_is_told_that_not_enough_people_fit(
    monkeypatch, empty_url, settings, local_mode
):
    slots = ", ".join(str(x / 2) for x in range(48, 68))  # Monday 00:00-10:00 UTC, for everyone
    apps = [{**a, "project_preferences": "Django core", "availability": slots} for a in applications(4)]
    staff = [{**p, "availability": slots} for p in PEOPLE if p["role"] != "djangonaut"]
    accepted = [{"response_id": a["response_id"], "status": "accepted", "rank": "1"} for a in apps]
    build_session(
        empty_url,
        settings,
        "Fresh cohort",
        TODAY,
        {"applications": apps, "decisions": accepted, "people": staff, "teams": ONE_TEAM},
    )
    at = run_app(monkeypatch, empty_url, page="app_pages/teams.py", session="Fresh cohort")
    assert not at.exception
    why = next(df.value for df in at.dataframe if "Why" in df.value.columns)["Why"]
    assert len(why) == 4 and set(why) == {
        "Nobody is placed in Solo yet, and enough unplaced people fit it for a team of 3: propose teams, or move them "
        "there."
    }


def test_someone_who_applied_twice_is_one_djangonaut_on_the_teams_page(monkeypatch, empty_url, settings, local_mode):
    slots = ", ".join(str(x / 2) for x in range(48, 68))  # Monday 00:00-10:00 UTC, for everyone
    apps = [{**a, "project_preferences": "Django core", "availability": slots} for a in applications(5)]
    apps[1]["email"] = " A0@Example.org"  # the same person again, written differently
    staff = [{**p, "availability": slots} for p in PEOPLE if p["role"] != "djangonaut"]
    accepted = [{"response_id": a["response_id"], "status": "accepted", "rank": str(i + 1)} for i, a in enumerate(apps)]
    build_session(
        empty_url,
        settings,
        "Twice",
        TODAY,
        {"applications": apps, "decisions": accepted, "people": staff, "teams": ONE_TEAM},
    )
    at = run_app(monkeypatch, empty_url, page="app_pages/teams.py", session="Twice")
    assert not at.exception
    editor = next(df.value for df in at.dataframe if {"email", "rank", "team"} <= set(df.value.columns))
    assert sorted(editor["email"]) == [f"a{i}@example.org" for i in (0, 2, 3, 4)]
    assert editor.set_index("email").at["a0@example.org", "rank"] == 1  # on their better-ranked application
