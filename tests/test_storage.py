"""Storage on SQLite and PostgreSQL: schema, the demo through the importer, transactions, types."""

import json
from pathlib import Path
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, demo, models, reads
from dashboard.importer import TableInput, import_tables


def counts(url):
    with OrmSession(dbmod.get_engine(url)) as db:
        return {name: db.scalar(select(func.count()).select_from(model)) for name, model in models.TABLE_MODELS.items()}


def test_migration_creates_every_canonical_table(storage_url):
    tables = set(inspect(dbmod.get_engine(storage_url)).get_table_names())
    assert (
        set(models.TABLE_MODELS)
        | {"sessions", "sync_runs", "raw_rows", "rejected_rows", "one_to_ones", "audit_log", "alembic_version"}
        <= tables
    )
    dbmod.migrate(storage_url)  # running it again is harmless


def test_demo_builds_and_reads_back_with_types_intact(storage_url, settings):
    demo.build(storage_url, settings, seed=7, scale=1)
    with OrmSession(dbmod.get_engine(storage_url)) as db:
        current = db.scalar(select(models.Session).where(models.Session.name == demo.CURRENT_SESSION[0]))
    apps = reads.load_table(storage_url, current.id, "applications")
    assert len(apps) == 90
    assert all(
        isinstance(blocks, list) and all(0 <= b < 168 for b in blocks) for blocks in apps["availability"].dropna()
    )
    assert apps["project_preferences"].dropna().map(type).eq(list).all()
    checkins = reads.load_table(storage_url, current.id, "checkins")
    assert checkins["week"].between(1, 8).all()
    # The demo's one unreadable hours answer is stored empty, with a warning; every other one is read.
    assert checkins["hours"].isna().sum() == 1 and checkins["hours"].dropna().ge(0).all()
    assert reads.import_warnings_frame(storage_url, current.id)["code"].tolist() == ["bad_hours"]
    reviews = reads.load_table(storage_url, current.id, "reviews")
    assert (
        reviews["scores"]
        .map(lambda s: set(s) == {"motivation", "resilience", "knowledge", "availability", "community"})
        .all()
    )
    assert reads.sessions_frame(storage_url)["start_date"].iloc[-1] == date(2026, 9, 28)


def test_same_seed_same_data_on_both_backends(storage_url, settings, tmp_path):
    demo.build(storage_url, settings, seed=3, scale=1)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    demo.build(other, settings, seed=3, scale=1)
    assert counts(storage_url) == counts(other)
    sid = lambda url: int(reads.sessions_frame(url).iloc[-1]["id"])  # noqa: E731
    left = (
        reads.load_table(storage_url, sid(storage_url), "checkins")
        .sort_values(["email", "week"])
        .reset_index(drop=True)
    )
    right = reads.load_table(other, sid(other), "checkins").sort_values(["email", "week"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_a_failed_import_leaves_the_database_as_it_was(storage_url, settings, demo_data):
    tables = demo_data.sessions[-1]["tables"]
    import_tables(
        storage_url, settings, [TableInput("checkins", tables["checkins"], "Check-ins")], source="t", session_name="S"
    )
    before = counts(storage_url)
    broken = tables["applications"].rename(columns={"Email Address": "Mail"})
    with pytest.raises(Exception, match="not found in sheet"):
        import_tables(
            storage_url,
            settings,
            [
                TableInput("surveys", tables["surveys"], "Surveys"),
                TableInput("applications", broken, "Form Responses 1"),
            ],
            source="t",
            session_name="S",
        )
    assert counts(storage_url) == before
    with OrmSession(dbmod.get_engine(storage_url)) as db:
        runs = db.execute(select(models.SyncRun.status)).scalars().all()
    assert sorted(runs) == ["failed", "ok"]


def test_every_write_bumps_the_data_version(storage_url, settings, demo_data):
    tables = demo_data.sessions[-1]["tables"]
    import_tables(
        storage_url, settings, [TableInput("surveys", tables["surveys"], "Surveys")], source="t", session_name="S"
    )
    session_id = int(reads.sessions_frame(storage_url).iloc[0]["id"])
    first = dbmod.data_version(storage_url, session_id)
    import_tables(
        storage_url, settings, [TableInput("surveys", tables["surveys"], "Surveys")], source="t", session_name="S"
    )
    assert dbmod.data_version(storage_url, session_id) == first  # nothing changed, caches stay valid
    changed = tables["surveys"].copy()
    changed.iloc[0, 3] = "5" if changed.iloc[0, 3] != "5" else "4"
    import_tables(storage_url, settings, [TableInput("surveys", changed, "Surveys")], source="t", session_name="S")
    assert dbmod.data_version(storage_url, session_id) > first


def test_the_screens_writes_round_trip_on_both_backends(storage_url, settings):
    """Review, blind mode, decisions, teams and one-to-ones: each write is stored, audited and versioned."""
    from dashboard import access, audit, reviewing, selection, teams, wellbeing

    demo.build(storage_url, settings, seed=7, scale=1)
    sid = int(reads.sessions_frame(storage_url).iloc[-1]["id"])
    version = dbmod.data_version(storage_url, sid)
    apps = reads.load_table(storage_url, sid, "applications")
    first, second = apps["response_id"].iloc[0], apps["response_id"].iloc[1]

    reviewing.save_review(
        storage_url,
        sid,
        first,
        "New.Reviewer@example.org",
        {c: 4 for c in ("motivation", "resilience", "knowledge", "availability", "community")},
        "Clear answers.",
        False,
    )
    reviewing.set_blind_review(storage_url, sid, False, "organiser1@example.org")
    assert (
        selection.save_decisions(
            storage_url, sid, [selection.DecisionChange(second, "waitlisted", 7)], "organiser1@example.org"
        )
        == 1
    )
    instance = teams.instance_from_db(storage_url, sid, teams.Rules(), settings=settings)
    people = reads.load_table(storage_url, sid, "people").set_index("email")
    mover = instance.candidates[0].email
    other_team = next(t.name for t in instance.teams if t.name != people.at[mover, "team"])
    placed = {c.email: people.at[c.email, "team"] for c in instance.candidates}
    assert (
        teams.save_assignments(storage_url, sid, instance, {**placed, mover: other_team}, "organiser1@example.org") >= 1
    )
    organiser = access.Viewer("organiser1@example.org", frozenset({access.ORGANISER}))
    wellbeing.record_one_to_one(storage_url, sid, mover, organiser, date(2026, 11, 2), "Talked about pace.")

    reviews = reads.load_table(storage_url, sid, "reviews").set_index(["response_id", "reviewer"])
    assert reviews.loc[(first, "new.reviewer@example.org"), "comment"] == "Clear answers."
    assert reads.sessions_frame(storage_url).set_index("id").at[sid, "blind_review"] in (False, 0)
    decision = reads.load_table(storage_url, sid, "decisions").set_index("response_id").loc[second]
    assert (decision["status"], int(decision["rank"])) == ("waitlisted", 7)
    assert reads.load_table(storage_url, sid, "people").set_index("email").at[mover, "team"] == other_team
    held = reads.load_one_to_ones(storage_url, sid)
    assert held[held["note"] == "Talked about pace."]["email"].tolist() == [mover]
    log = audit.entries(storage_url, sid)
    assert {"review_saved", "blind_review_changed", "decision_changed", "save_teams", "one_to_one_recorded"} <= set(
        log["action"]
    )
    assert dbmod.data_version(storage_url, sid) > version


# --- the command line on an empty or unreachable database ---------------------------------

UNREACHABLE = "postgresql+psycopg://u:secret-pw@127.0.0.1:1/x"
COMMANDS = [  # every command that reads or writes the database, --json right after its name
    ["demo"],
    ["import", "checkins.csv", "--table", "checkins"],
    ["sync", "--spreadsheet", "abc"],
    ["review-stats"],
    ["signals"],
    ["teams", "allocate"],
    ["export-charts", "--out", "charts"],
    ["djangonaut-space", "export"],
    ["djangonaut-space", "import", "full.csv"],
]


@pytest.fixture
def run_cli(command_line):
    """`python -m dashboard ARGV` (in-process) on the database at url; exit code and everything printed."""
    from dashboard.config import EXAMPLE_CONFIG_PATH

    def run(url: str, argv: list[str]) -> tuple[int, str]:
        done = command_line(
            "--config", str(EXAMPLE_CONFIG_PATH), *argv, env={"DASHBOARD_DATABASE_URL": url}, cwd=Path.cwd()
        )  # the test's folder: relative paths such as --out charts land there
        return done.returncode, done.stdout + done.stderr

    return run


@pytest.mark.parametrize("argv", [["djangonaut-space", "export"], ["export-charts", "--out", "charts"]])
@pytest.mark.parametrize("as_json", [False, True])
def test_exports_on_a_fresh_database_create_the_schema_and_say_there_is_no_session(
    argv, as_json, tmp_path, monkeypatch, run_cli
):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, printed = run_cli(url, [argv[0], *(["--json"] if as_json else []), *argv[1:]])
    assert code == 1 and "Traceback" not in printed
    message = json.loads(printed)["error"] if as_json else printed
    assert "no session yet" in message and "python -m dashboard demo" in message
    assert "sessions" in inspect(dbmod.get_engine(url)).get_table_names()
    assert not (tmp_path / "charts").exists()


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: " ".join(argv[:2]))
@pytest.mark.parametrize("as_json", [False, True])
def test_an_unreachable_database_is_one_sentence_without_the_password(argv, as_json, tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    code, printed = run_cli(UNREACHABLE, [argv[0], *(["--json"] if as_json else []), *argv[1:]])
    assert code == 1 and "secret-pw" not in printed and "Traceback" not in printed
    message = json.loads(printed)["error"] if as_json else printed
    assert message.strip().startswith(
        ("Mission Control cannot open its database", "Error: Mission Control cannot open")
    )
    assert "127.0.0.1:1" in message and "DASHBOARD_DATABASE_URL" in message


def test_demo_refuses_a_session_name_it_would_ignore(tmp_path, run_cli):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, printed = run_cli(url, ["demo", "--session", "My session", "--json"])
    assert code == 1 and "--session" in json.loads(printed)["error"]
    assert dbmod.is_empty(url)
