"""AppTest runs of the Overview and Data pages, as organisers and as other roles."""
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models
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


def test_data_page_lists_rejected_rows_with_reasons(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, page="app_pages/data.py")
    assert not at.exception
    assert "1 row could not be stored" in texts(at)
    frames = [df.value for df in at.dataframe]
    reasons = pd.concat([f for f in frames if "reason" in f.columns])
    assert reasons["reason"].str.contains("'a lot' is not a number of hours").any()
    assert reasons["reason"].str.contains("Sheet 'Check-ins', row").any()


def test_empty_database_tells_the_user_what_to_do(monkeypatch, empty_url):
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
    assert "Rejected rows" not in texts(at)
    assert not any("reason" in df.value.columns for df in at.dataframe)


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
