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


def test_upgrading_from_0002_keeps_decisions_and_rejections_and_adds_warnings_and_the_sites_score(storage_url):
    dbmod.get_engine.cache_clear()
    command.downgrade(dbmod.alembic_config(storage_url), "0002")
    engine = dbmod.get_engine(storage_url)
    assert "import_warnings" not in inspect(engine).get_table_names()
    assert "score" not in {c["name"] for c in inspect(engine).get_columns("decisions")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sessions (id, name, weeks, expected_hours, blind_review, data_version, created_at) "
                          "VALUES (1, 'Old session', 8, 4, true, 1, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO decisions (session_id, response_id, status, rank) VALUES (1, '101', 'accepted', 2)"))
        conn.execute(text("INSERT INTO raw_rows (id, session_id, table_name, source, sheet, row_number, row_hash, data) "
                          "VALUES (7, 1, 'checkins', 'file:x.csv', 'x', 3, 'abc', '{}')"))
        conn.execute(text("INSERT INTO rejected_rows (session_id, raw_row_id, table_name, sheet, row_number, code, reason) "
                          "VALUES (1, 7, 'checkins', 'x', 3, 'bad_email', 'Sheet x, row 3: no e-mail.')"))
    dbmod.migrate(storage_url)
    engine = dbmod.get_engine(storage_url)
    assert "import_warnings" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert tuple(conn.execute(text("SELECT response_id, status, rank, score FROM decisions")).one()) == ("101", "accepted", 2, None)
        assert conn.execute(text("SELECT reason FROM rejected_rows")).scalar_one() == "Sheet x, row 3: no e-mail."
        assert conn.execute(text("SELECT count(*) FROM import_warnings")).scalar_one() == 0
