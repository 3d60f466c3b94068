"""AppTest runs of the Overview and Data pages, as organisers and as other roles."""

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models
from dashboard.importer import import_frame
from tests.apptest_support import run_app, texts


def test_overview_shows_the_session_at_a_glance(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Applicants"] == "90"
    assert metrics["Accepted"] == "18"
    assert metrics["Teams"] == "6"
    assert any(label.startswith("Checked in, week 8") for label in metrics)
    assert "demo data" in texts(at)
    # The same open signals as the Wellbeing page's "who to check on" list, counted per person.
    wellbeing_page = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    queue = next(t for t in texts(wellbeing_page).splitlines() if "Djangonauts with open signals" in t)
    assert int(metrics["Need a check-in"]) == int(queue.split()[0]) > 0
    assert f"{metrics['Need a check-in']} Djangonauts have open wellbeing signals" in texts(at)


def test_data_page_lists_rejected_rows_and_warnings_with_what_to_do(monkeypatch, demo_url, settings, local_mode):
    bad_email = pd.DataFrame([{"Email Address": "grace at example.org", "Which week is this check-in for?": "Week 2"}])
    import_frame(demo_url, settings, "checkins", bad_email, source="file:late.csv", sheet="late")
    at = run_app(monkeypatch, demo_url, page="app_pages/data.py")
    assert not at.exception
    assert "1 row could not be stored" in texts(at)
    frames = [df.value for df in at.dataframe]
    reasons = pd.concat([f for f in frames if "reason" in f.columns])
    assert reasons["reason"].tolist() == [
        "Sheet 'late', row 2, column 'Email Address': 'grace at example.org' is not "
        "an e-mail address; the row cannot be matched to a person; fix it in the "
        "source and import again."
    ]
    # The demo's one unreadable hours answer: its check-in is stored, with the answer left empty and a warning.
    assert "1 answer in 1 stored row needs a look: stored empty because it could not be read" in texts(at)
    messages = pd.concat([f for f in frames if "message" in f.columns])
    assert len(messages) == 1 and messages.iloc[0]["value"] == "a lot"
    assert messages.iloc[0]["message"].startswith("Sheet 'Check-ins', row ")
    assert "'a lot' is not a number of hours" in messages.iloc[0]["message"]


def test_empty_database_tells_the_user_what_to_do(monkeypatch, empty_url):
    at = run_app(monkeypatch, empty_url)  # no demo, no sign-in: nobody may import or see anything
    assert not at.exception
    assert "python -m dashboard demo" in texts(at) and "DASHBOARD_LOCAL_MODE=1 make run" in texts(at)
    assert "Viewing as (demo mode)" not in [s.label for s in at.selectbox]


def test_empty_database_in_local_mode_offers_the_import(monkeypatch, empty_url, local_mode):
    at = run_app(monkeypatch, empty_url)
    assert not at.exception
    assert "python -m dashboard demo" in texts(at)
    at.switch_page("app_pages/data.py")
    at.run()
    assert not at.exception
    assert "Import a file" in texts(at)


def test_data_page_is_not_reachable_by_a_reviewer(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, persona="Reviewer", page="app_pages/data.py")
    assert not at.exception
    assert "Rejected rows" not in texts(at) and "Warnings" not in texts(at)
    assert not any({"reason", "message"} & set(df.value.columns) for df in at.dataframe)


def test_session_switch_reads_another_session(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, session="2024 Session 1")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Applicants"] == "172"


def test_a_failed_page_shows_a_sentence_not_a_traceback(monkeypatch, demo_url):
    url = demo_url
    with OrmSession(dbmod.get_engine(url)) as db:
        assert db.scalar(select(func.count()).select_from(models.Checkin)) > 0
    monkeypatch.setattr("dashboard.overview.session_at_a_glance", lambda *a, **k: 1 / 0)
    at = run_app(monkeypatch, url)
    assert not at.exception
    assert "Something went wrong while drawing this page" in texts(at)


def test_data_page_imports_an_uploaded_file_and_audits_it(monkeypatch, demo_url, local_mode):
    from dashboard import audit, reads

    csv = (
        "email,week,hours,energy\nupload1@example.org,1,4,3\nupload2.example.org,1,4,4\nupload3@example.org,1,3h,5\n"
    ).encode()
    at = run_app(monkeypatch, demo_url, page="app_pages/data.py")
    at.file_uploader[0].set_value(("week1.csv", csv, "text/csv")).run()
    at.button[[b.label for b in at.button].index("Save mapping and import")].click().run()
    assert not at.exception
    assert "3 read, 2 stored (2 new, 0 changed, 0 unchanged), 1 rejected." in texts(at)
    assert "'upload2.example.org' is not an e-mail address" in texts(at)
    sid = int(reads.sessions_frame(demo_url).set_index("name").loc["2026 Session 6", "id"])
    stored = reads.load_table(demo_url, sid, "checkins")
    assert {"upload1@example.org", "upload3@example.org"} <= set(stored["email"])
    assert not stored["email"].str.startswith("upload2").any()
    imported = audit.entries(demo_url, sid, action="file_imported")
    assert len(imported) == 1 and imported.iloc[0]["subject"] == "week1.csv"
    assert imported.iloc[0]["detail"].startswith("checkins into 2026 Session 6: 3 read, 2 stored, 1 rejected")
