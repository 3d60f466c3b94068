"""Alembic upgrades keep what is stored: a database made by an older release opens with its data intact."""

import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect, text

from dashboard import db as dbmod
from dashboard.availability import count_hours


def test_upgrading_from_the_first_schema_keeps_checkins_and_adds_tickets_closed(storage_url):
    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0001")  # storage_url comes migrated to head
    engine = dbmod.get_engine(storage_url)
    assert "tickets_closed" not in {c["name"] for c in inspect(engine).get_columns("checkins")}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO checkins (session_id, email, week, hours, tickets_progressed) "
                "VALUES (1, 'dj@example.org', 2, 4.5, 1)"
            )
        )
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    assert "tickets_closed" in {c["name"] for c in inspect(engine).get_columns("checkins")}
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, week, hours, tickets_progressed, tickets_closed FROM checkins")).one()
    assert tuple(row) == ("dj@example.org", 2, 4.5, 1, None)


def test_upgrading_turns_stored_hour_blocks_into_half_hour_slots_and_back(storage_url):
    dbmod.get_engine.cache_clear()
    command.downgrade(
        dbmod.alembic_config(storage_url), "0002"
    )  # the schema and data as the previous release wrote them
    engine = dbmod.get_engine(storage_url)
    people = sa.table(
        "people", sa.column("session_id", sa.Integer), sa.column("email", sa.String), sa.column("availability", sa.JSON)
    )
    applications = sa.table(
        "applications",
        sa.column("session_id", sa.Integer),
        sa.column("response_id", sa.String),
        sa.column("email", sa.String),
        sa.column("availability", sa.JSON),
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            people.insert(),
            [
                {"session_id": 1, "email": "nav@example.org", "availability": [18, 19, 167]},
                {"session_id": 1, "email": "org@example.org", "availability": None},
                {"session_id": 1, "email": "new@example.org", "availability": []},
            ],
        )
        conn.execute(
            applications.insert(),
            [{"session_id": 1, "response_id": "r-1", "email": "dj@example.org", "availability": [24, 25, 26]}],
        )
    dbmod.migrate(storage_url)

    def stored(table) -> dict:
        with dbmod.get_engine(storage_url).connect() as conn:
            return dict(conn.execute(sa.select(table.c.email, table.c.availability)).all())

    assert stored(people) == {
        "nav@example.org": [18.0, 18.5, 19.0, 19.5, 167.0, 167.5],
        "org@example.org": None,
        "new@example.org": [],
    }
    assert stored(applications) == {"dj@example.org": [24.0, 24.5, 25.0, 25.5, 26.0, 26.5]}
    assert count_hours(stored(applications)["dj@example.org"]) == 3  # the same 3 hours as before

    with dbmod.get_engine(storage_url).begin() as conn:  # India: 18:00-19:00 IST is 12:30-13:30 UTC
        conn.execute(applications.update().values(availability=[36.5, 37.0, 37.5, 38.0]))
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    assert stored(people)["nav@example.org"] == [18, 19, 167]
    assert stored(applications) == {"dj@example.org": [37]}  # only whole UTC hours survive a downgrade


def test_upgrading_from_0002_keeps_decisions_and_rejections_and_adds_warnings_and_the_sites_score(storage_url):
    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    engine = dbmod.get_engine(storage_url)
    assert "import_warnings" not in inspect(engine).get_table_names()
    assert "score" not in {c["name"] for c in inspect(engine).get_columns("decisions")}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text("INSERT INTO decisions (session_id, response_id, status, rank) VALUES (1, '101', 'accepted', 2)")
        )
        conn.execute(
            text(
                "INSERT INTO raw_rows (id, session_id, table_name, source, sheet, row_number, row_hash, data) "
                "VALUES (7, 1, 'checkins', 'file:x.csv', 'x', 3, 'abc', '{}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO rejected_rows (session_id, raw_row_id, table_name, sheet, row_number, code, reason) "
                "VALUES (1, 7, 'checkins', 'x', 3, 'bad_email', 'Sheet x, row 3: no e-mail.')"
            )
        )
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    assert "import_warnings" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT response_id, status, rank, score FROM decisions")).one()) == (
            "101",
            "accepted",
            2,
            None,
        )
        assert conn.execute(text("SELECT reason FROM rejected_rows")).scalar_one() == "Sheet x, row 3: no e-mail."
        assert conn.execute(text("SELECT count(*) FROM import_warnings")).scalar_one() == 0


def test_upgrading_to_saved_column_mappings_keeps_the_data_and_accepts_a_mapping(storage_url, settings):
    from dashboard import mapping_store

    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    engine = dbmod.get_engine(storage_url)
    assert "column_mappings" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO checkins (session_id, email, week, hours, tickets_closed) "
                "VALUES (1, 'dj@example.org', 2, 4.5, 1)"
            )
        )
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, week, hours, tickets_closed FROM checkins")).one()
    assert tuple(row) == ("dj@example.org", 2, 4.5, 1)
    mapping_store.save_now(
        storage_url, settings, "file:week.csv", "checkins", {"Which week?": "week"}, session_name="Old session"
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_id, source, table_name FROM column_mappings")).one() == (
            1,
            "file:week.csv",
            "checkins",
        )


def test_the_migrations_create_exactly_the_models_schema(storage_url):
    """Alembic's autogenerate finds nothing to add, drop or alter between models.py and a migrated database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dashboard.models import Base

    dbmod.get_engine.cache_clear()
    with dbmod.get_engine(storage_url).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == []


def test_head_revision_is_alembics_head_and_a_database_there_is_not_upgraded_again(storage_url, monkeypatch):
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(dbmod.alembic_config(storage_url)).get_current_head() == dbmod.HEAD_REVISION
    assert dbmod.stored_revision(storage_url) == dbmod.HEAD_REVISION  # storage_url comes migrated to head
    upgrades = []
    monkeypatch.setattr(command, "upgrade", lambda cfg, target: upgrades.append(target))
    dbmod.migrate(storage_url)
    assert upgrades == []
    with dbmod.get_engine(storage_url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    dbmod.migrate(storage_url)
    assert upgrades == ["head"]


def test_an_empty_database_has_no_stored_revision_and_is_created(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert dbmod.stored_revision(url) is None
    dbmod.migrate(url)
    assert dbmod.stored_revision(url) == dbmod.HEAD_REVISION
