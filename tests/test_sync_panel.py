"""The Data page's Google Sheets panel, run with Streamlit's AppTest against the loopback fake."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.fake_sheets import CLIENT_EMAIL, FakeSheets, demo_tab_config, demo_tabs, service_account_info


def panel_script(url: str, sources: dict) -> None:
    """A page holding only the panel, with the context streamlit_app.py would build."""
    from dashboard import access, reads
    from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings, with_overrides
    from dashboard.sessions import Session
    from dashboard.ui.context import PageContext
    from dashboard.ui.sync_panel import sync_panel

    settings = with_overrides(load_settings(EXAMPLE_CONFIG_PATH), sources=sources)
    sessions = reads.sessions_frame(url)
    current = sessions[sessions["name"] == "2026 Session 6"]
    session = Session.from_row(current.iloc[0]) if len(current) else None
    viewer = access.Viewer("organiser@example.org", frozenset({access.ORGANISER}))
    sync_panel(PageContext(settings=settings, url=url, session=session, viewer=viewer))


@pytest.fixture(scope="module")
def workbook():
    return demo_tabs(42, 1)


@pytest.fixture
def fake(workbook):
    server = FakeSheets(tabs={name: frame.copy() for name, frame in workbook.items()})
    server.start()
    yield server
    server.stop()


def app_for(url, fake=None, **sources) -> AppTest:
    cfg = {}
    if fake is not None:
        cfg = dict(
            spreadsheet=fake.spreadsheet_url,
            sheets_api_url=fake.url,
            tabs=demo_tab_config(),
            request_timeout=0.5,
            max_attempts=2,
            retry_base_delay=0.01,
        )
    cfg.update(sources)
    at = AppTest.from_function(panel_script, args=(url, cfg), default_timeout=60)
    if fake is not None:
        at.secrets["gcp_service_account"] = service_account_info(fake.token_uri)
    return at


def texts(at) -> str:
    return "\n".join(e.value for kind in (at.info, at.error, at.success, at.caption, at.warning) for e in kind)


def test_without_a_spreadsheet_the_panel_says_how_to_configure_one(demo_url):
    at = app_for(demo_url).run()
    assert not at.exception
    assert "No Google spreadsheet is configured" in texts(at)
    assert "[gcp_service_account]" in texts(at)
    assert not [b for b in at.button if b.label == "Sync now"]


def test_sync_now_stores_the_sheet_and_reruns_never_call_google(demo_url, fake):
    at = app_for(demo_url, fake).run()
    assert not at.exception
    assert fake.api_requests == 0, "drawing the page must not call Google"
    assert any(m.label == "Last successful sync" and m.value == "never" for m in at.metric)
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert fake.api_requests == 2
    assert "Synced 'Djangonaut Space - Session 6' with 2 requests" in texts(at)
    last_sync = next(m for m in at.metric if m.label == "Last successful sync")
    assert last_sync.value.endswith("UTC")
    read = next(m for m in at.metric if m.label == "Rows read")
    assert int(read.value) > 0
    at.run()  # a plain rerun reads the database only
    assert fake.api_requests == 2
    from dashboard import audit

    synced = audit.entries(demo_url, action="sheets_synced")
    assert list(synced["actor"]) == ["organiser@example.org"]
    assert synced.iloc[0]["subject"] == "Djangonaut Space - Session 6" and "stored" in synced.iloc[0]["detail"]


def test_a_failed_sync_shows_the_reason_and_stays_visible(demo_url, fake):
    fake.inject("status", status=403)
    at = app_for(demo_url, fake).run()
    at.button(key="sync_now").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(CLIENT_EMAIL in e and "not shared" in e for e in errors)
    at.run()
    assert any("Last failed attempt" in e.value and CLIENT_EMAIL in e.value for e in at.error)


def test_a_column_that_feeds_no_field_is_named_after_sync_now(demo_url, workbook):
    from dashboard import demo

    tabs = {name: frame.copy() for name, frame in workbook.items()}
    tabs[demo.SHEET_NAMES["checkins"]]["Favourite biscuit"] = "Hobnob"
    server = FakeSheets(tabs=tabs)
    server.start()
    try:
        at = app_for(demo_url, server).run()
        at.button(key="sync_now").click().run()
    finally:
        server.stop()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("Favourite biscuit" in w and "mapping" in w for w in warnings), warnings
