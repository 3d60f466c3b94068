"""The mapping flow in the app (AppTest): upload or sync, confirm each question's field, preview, save and import."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import audit, db as dbmod, models, reads
from dashboard.ui import auth
from tests.apptest_support import run_app, texts
from tests.fake_sheets import FakeSheets

# A check-in form worded unlike dashboard.example.toml, as Google Sheets (en_US) exports it.
WEEK1 = pd.DataFrame(
    {
        "Timestamp": ["10/5/2026 18:31:58", "10/6/2026 9:02:11", "10/6/2026 21:15:00", "10/7/2026 8:00:00"],
        "Your e-mail": ["ada@example.org", "bram@example.org", "chen at example.org", "dee@example.org"],
        "Which week is it?": ["1", "1", "1", "1"],
        "Hours you put in": ["4", "3.5", "a lot", "5"],
        "Energy (1-5)": ["4", "3", "5", "2"],
        "Anything on your mind?": ["", "Exams this week", "", "Tired"],
        "Favourite biscuit": ["Hobnob", "Digestive", "Jaffa", "Hobnob"],
    }
)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def shown(at) -> str:
    """The page's text with Markdown escapes removed (outside text is escaped before it is drawn)."""
    return texts(at).replace("\\", "")


def click(at, label: str):
    return at.button[[b.label for b in at.button].index(label)].click().run()


def field_boxes(at) -> dict[str, str]:
    """'Field for question N' -> the chosen field, in order."""
    return {s.label: s.value for s in at.selectbox if s.label.startswith("Field for question")}


def checkins(url: str, session: str) -> pd.DataFrame:
    sessions = reads.sessions_frame(url).set_index("name")
    return (
        reads.load_table(url, int(sessions.loc[session, "id"]), "checkins")
        if session in sessions.index
        else pd.DataFrame()
    )


def saved_mappings(url: str) -> list[models.ColumnMapping]:
    with OrmSession(dbmod.get_engine(url)) as db:
        return list(db.scalars(select(models.ColumnMapping)))


def test_an_unfamiliar_form_goes_from_upload_to_stored_rows(monkeypatch, empty_url, local_mode):
    at = run_app(monkeypatch, empty_url, page="app_pages/data.py")
    at.file_uploader[0].set_value(("Weekly check-in.csv", csv_bytes(WEEK1), "text/csv")).run()
    assert not at.exception
    assert list(field_boxes(at).values()) == ["submitted_at", "email", "week", "hours", "energy", "", ""]
    assert "7 questions in 'Weekly check-in', 4 rows. Mission Control suggests a field for 5 of them" in shown(at)
    assert "ada@example.org · bram@example.org · chen at example.org" in shown(at)  # sample answers
    assert 'High: the question says "hours"; only 3 of 4 answers look like hours' in shown(at)

    # The organiser corrects one suggestion and previews: nothing is stored yet.
    next(s for s in at.selectbox if s.label == "Field for question 6").set_value("notes")
    click(at, "Preview the first rows")
    assert not at.exception
    assert "Of the first 4 rows, 3 would be stored and 1 rejected." in [w.value for w in at.warning]
    preview = next(df.value for df in at.dataframe if "Result" in df.value.columns)
    assert list(preview["Result"]) == ["stored", "stored", "rejected", "stored"]
    assert "'chen at example.org' is not an e-mail address" in preview.iloc[2]["Reason"]
    assert preview.iloc[1]["notes"] == "Exams this week"
    assert "Not mapped, so kept only with the raw rows: 'Favourite biscuit'" in shown(at)
    assert reads.sessions_frame(empty_url).empty, "a preview stores nothing, not even a session"

    click(at, "Save mapping and import")
    assert not at.exception
    assert (
        "Imported Weekly check-in.csv into 2026 Session 6: 4 read, 3 stored (3 new, 0 changed, 0 unchanged), "
        "1 rejected."
    ) in shown(at)
    stored = checkins(empty_url, "2026 Session 6").set_index("email")
    assert sorted(stored.index) == ["ada@example.org", "bram@example.org", "dee@example.org"]
    assert stored.loc["bram@example.org", "notes"] == "Exams this week" and stored.loc["ada@example.org", "hours"] == 4
    [saved] = saved_mappings(empty_url)
    assert (saved.source, saved.table_name, saved.updated_by) == (
        "file:Weekly check-in.csv",
        "checkins",
        auth.local_viewer().email,
    )
    assert saved.mapping["Anything on your mind?"] == "notes" and saved.mapping["Favourite biscuit"] == ""
    actions = set(audit.entries(empty_url)["action"])
    assert {"mapping_saved", "file_imported"} <= actions
    assert not field_boxes(at), "after the import the uploader is empty again"
    assert "[mapping.checkins]" in "\n".join(c.value for c in at.code)


def test_a_reworded_header_next_session_needs_one_click(monkeypatch, empty_url, local_mode):
    at = run_app(monkeypatch, empty_url, page="app_pages/data.py")
    at.file_uploader[0].set_value(("Weekly check-in.csv", csv_bytes(WEEK1), "text/csv")).run()
    next(s for s in at.selectbox if s.label == "Field for question 6").set_value("notes")
    click(at, "Save mapping and import")

    reworded = WEEK1.rename(columns={"Which week is it?": "Which week?", "Your e-mail": "E-mail"}).drop(
        columns=["Favourite biscuit"]
    )
    at.text_input[0].set_value("2027 Session 1")
    at.file_uploader[0].set_value(("Weekly check-in.csv", csv_bytes(reworded), "text/csv")).run()
    assert not at.exception
    assert list(field_boxes(at).values()) == ["submitted_at", "email", "week", "hours", "energy", "notes"]
    why = shown(at)
    assert "it reads like 'Which week is it?', saved for 'Weekly check-in.csv' in 2026 Session 6" in why
    assert "the same question was saved for 'Weekly check-in.csv' in 2026 Session 6" in why
    click(at, "Save mapping and import")  # the one click
    assert not at.exception
    assert len(checkins(empty_url, "2027 Session 1")) == 3
    assert checkins(empty_url, "2027 Session 1").set_index("email").loc["dee@example.org", "notes"] == "Tired"


def test_one_field_for_two_questions_is_refused_with_a_sentence(monkeypatch, empty_url, local_mode):
    at = run_app(monkeypatch, empty_url, page="app_pages/data.py")
    at.file_uploader[0].set_value(("Weekly check-in.csv", csv_bytes(WEEK1), "text/csv")).run()
    next(s for s in at.selectbox if s.label == "Field for question 7").set_value("hours")
    click(at, "Save mapping and import")
    assert not at.exception
    assert any(
        "hours is chosen for 2 questions ('Hours you put in', 'Favourite biscuit')" in e.value.replace("\\", "")
        for e in at.error
    )
    assert reads.sessions_frame(empty_url).empty and not saved_mappings(empty_url)


def test_a_synced_tab_whose_questions_are_not_mapped_is_mapped_in_the_panel(demo_url):
    from tests.test_sync_panel import app_for

    server = FakeSheets(tabs={"Weekly check-in": WEEK1.copy()})
    server.start()
    try:
        at = app_for(demo_url, server, tabs={"checkins": "Weekly check-in"}).run()
        at.button(key="sync_now").click().run()
        assert not at.exception
        assert any("'email'" in e.value and "not found in sheet 'Weekly check-in'" in e.value for e in at.error)
        assert any("Some questions of the spreadsheet feed no field yet" in i.value for i in at.info)
        at.button(key="map_questions").click().run()
        assert not at.exception
        assert [e.label for e in at.expander] == ["Tab 'Weekly check-in' -> checkins: questions not mapped yet"]
        assert list(field_boxes(at).values()) == ["submitted_at", "email", "week", "hours", "energy", "", ""]
        requests = server.api_requests
        click(at, "Save mapping and sync now")
        assert not at.exception
        assert server.api_requests == requests + 2, "saving syncs once more"
        assert any(s.value.startswith("Synced 'Djangonaut Space - Session 6'") for s in at.success)
        # 'Favourite biscuit' was left out on purpose: no notice, no prompt to map it again
        assert not at.warning and not any("feed no field yet" in i.value for i in at.info)
    finally:
        server.stop()
    stored = checkins(demo_url, "2026 Session 6")
    assert {"ada@example.org", "bram@example.org", "dee@example.org"} <= set(stored["email"])
    [saved] = saved_mappings(demo_url)
    assert (
        saved.source == "google_sheets:1FakeSpreadsheetKey_mission-control" and saved.mapping["Your e-mail"] == "email"
    )
