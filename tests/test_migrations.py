"""Alembic upgrades keep what is stored: a database made by an older release opens with its data intact."""
from alembic import command
from sqlalchemy import inspect, text

from dashboard import db as dbmod


def test_upgrading_from_the_first_schema_keeps_checkins_and_adds_tickets_closed(storage_url):
    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0001")  # storage_url comes migrated to head
    engine = dbmod.get_engine(storage_url)
    assert "tickets_closed" not in {c["name"] for c in inspect(engine).get_columns("checkins")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                          "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO checkins (session_id, email, week, hours, tickets_progressed) "
                          "VALUES (1, 'dj@example.org', 2, 4.5, 1)"))
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    assert "tickets_closed" in {c["name"] for c in inspect(engine).get_columns("checkins")}
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, week, hours, tickets_progressed, tickets_closed FROM checkins")).one()
    assert tuple(row) == ("dj@example.org", 2, 4.5, 1, None)


def test_upgrading_to_saved_column_mappings_keeps_the_data_and_accepts_a_mapping(storage_url, settings):
    from dashboard import mapping_store

    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    engine = dbmod.get_engine(storage_url)
    assert "column_mappings" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                          "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO checkins (session_id, email, week, hours, tickets_closed) "
                          "VALUES (1, 'dj@example.org', 2, 4.5, 1)"))
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT email, week, hours, tickets_closed FROM checkins")).one()
    assert tuple(row) == ("dj@example.org", 2, 4.5, 1)
    mapping_store.save_now(storage_url, settings, "file:week.csv", "checkins", {"Which week?": "week"}, session_name="Old session")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT session_id, source, table_name FROM column_mappings")).one() == (1, "file:week.csv", "checkins")
