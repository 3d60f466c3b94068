"""Saved column mappings on SQLite and PostgreSQL: used by every import of their source, before dashboard.toml."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, mapping_store, models, reads
from dashboard.file_import import import_file
from dashboard.importer import ImportFailed
from data_sources.files import RawSheet

FORM = pd.DataFrame(
    {
        "Contact e-mail": ["ada@example.org", "bram@example.org"],
        "Email Address": ["old@example.org", "old@example.org"],  # dashboard.toml maps this one to email
        "Which week?": ["1", "1"],
        "Hours you put in": ["4", "2"],
    }
)


def raw(frame: pd.DataFrame = FORM, name: str = "week1") -> RawSheet:
    return RawSheet(name, frame, [i + 2 for i in range(len(frame))])


def stored(url: str, session: str = "S") -> pd.DataFrame:
    sessions = reads.sessions_frame(url).set_index("name")
    return reads.load_table(url, int(sessions.loc[session, "id"]), "checkins")


CONFIRMED = {"Contact e-mail": "email", "Email Address": "", "Which week?": "week", "Hours you put in": "hours"}


def test_a_saved_mapping_wins_over_dashboard_toml_and_serves_every_import_of_its_source(storage_url, settings):
    assert settings.mapping("checkins")["Email Address"] == "email"
    first = import_file(storage_url, settings, raw(), "checkins", name="week1.csv", session_name="S", mapping=CONFIRMED)
    assert (first.rows_stored, first.rows_rejected) == (2, 0)
    assert sorted(stored(storage_url)["email"]) == ["ada@example.org", "bram@example.org"]
    # cron's import of the same file, with no mapping given, uses the saved one
    again = FORM.assign(**{"Which week?": ["2", "2"], "Hours you put in": ["5", "6"]})
    second = import_file(storage_url, settings, raw(again), "checkins", name="week1.csv", session_name="S")
    assert second.rows_inserted == 2
    # another file of the session with the same questions falls back to the session's saved mappings
    third = import_file(
        storage_url,
        settings,
        raw(again.assign(**{"Which week?": ["3", "3"]})),
        "checkins",
        name="week3.csv",
        session_name="S",
    )
    assert third.rows_inserted == 2 and "old@example.org" not in set(stored(storage_url)["email"])


def test_a_refused_import_saves_no_mapping(storage_url, settings):
    with pytest.raises(ImportFailed):
        import_file(
            storage_url,
            settings,
            raw(),
            "checkins",
            name="week1.csv",
            session_name="S",
            mapping={"Contact e-mail": "", "Email Address": "", "Which week?": "week"},
        )
    with OrmSession(dbmod.get_engine(storage_url)) as db:
        assert db.scalars(select(models.ColumnMapping)).all() == []


def test_mappings_of_an_earlier_session_only_suggest(storage_url, settings):
    import_file(storage_url, settings, raw(), "checkins", name="week1.csv", session_name="S", mapping=CONFIRMED)
    with pytest.raises(ImportFailed, match="not found in sheet"):  # nothing maps 'Contact e-mail' in the new session
        import_file(
            storage_url,
            settings,
            raw(FORM.drop(columns=["Email Address"])),
            "checkins",
            name="week1.csv",
            session_name="Next",
        )
    known = mapping_store.known(storage_url, settings, "checkins", session_name="Next", source="file:week1.csv")
    contact = next(k for k in known if k.question == "Contact e-mail")
    assert (contact.target, contact.origin) == ("email", "saved for 'week1.csv' in S")
    toml_rank = next(k.rank for k in known if k.origin.startswith("mapped in dashboard.toml"))
    assert toml_rank < contact.rank, "dashboard.toml comes before an earlier session's mapping"


def test_the_command_line_import_uses_the_mapping_saved_in_the_app(tmp_path, settings, command_line):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    dbmod.migrate(url)
    mapping_store.save_now(url, settings, "file:week1.csv", "checkins", CONFIRMED, session_name="S")
    path = tmp_path / "week1.csv"
    FORM.to_csv(path, index=False)
    done = command_line(
        "import", str(path), "--table", "checkins", "--session", "S", env={"DASHBOARD_DATABASE_URL": url}
    )
    assert done.returncode == 0, done.stderr
    assert "2 read, 2 stored" in done.stdout
    assert sorted(stored(url)["email"]) == ["ada@example.org", "bram@example.org"]
