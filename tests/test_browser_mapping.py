"""Real Chromium: a new organiser's form, worded unlike the example config, goes from upload to stored rows.

Nothing is written to disk on the way: the CSV is handed to the browser's file input from memory,
and no configuration file is edited.
"""

from __future__ import annotations

from playwright.sync_api import expect

from dashboard import db as dbmod
from tests.browser_support import assert_no_exception, open_page, screenshot, shown, streamlit_server, wait_for_app
from tests.test_pages_mapping import WEEK1, checkins, csv_bytes, saved_mappings

WIDTH = 1440


def whole_page(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its own container, so grow the window to fit it."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": min(max(900, height), 6000)})
    page.wait_for_timeout(300)
    screenshot(page, name)
    page.set_viewport_size({"width": WIDTH, "height": 1000})


def choose(page, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox found by its (possibly hidden) label."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.press_sequentially(option)  # the list is virtualised: filter it so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=label)).to_have_value(option)


def test_an_unfamiliar_csv_goes_from_upload_to_stored_rows(tmp_path, page):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    dbmod.migrate(url)
    with streamlit_server(url, env={"DASHBOARD_LOCAL_MODE": "1"}) as base:
        page.set_viewport_size({"width": WIDTH, "height": 1000})
        open_page(page, base, "data")
        page.locator("input[type='file']").set_input_files(
            files=[{"name": "Weekly check-in.csv", "mimeType": "text/csv", "buffer": csv_bytes(WEEK1)}]
        )
        assert shown(page.get_by_text("Sample answers").first, timeout=30_000)
        wait_for_app(page)
        expect(page.get_by_role("combobox", name="Field for question 3")).to_have_value("week")
        expect(page.get_by_role("combobox", name="Field for question 6")).to_have_value("(not mapped)")
        whole_page(page, "mapping-suggested")

        choose(page, "Field for question 6", "notes")
        page.get_by_role("button", name="Preview the first rows").click()
        assert shown(page.get_by_text("Of the first 4 rows, 3 would be stored and 1 rejected."), timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        whole_page(page, "mapping-preview")
        assert checkins(url, "2026 Session 6").empty, "the preview stores nothing"

        page.get_by_role("button", name="Save mapping and import").click()
        assert shown(page.get_by_text("Imported Weekly check-in.csv into 2026 Session 6").first, timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        whole_page(page, "mapping-imported")
    rows = checkins(url, "2026 Session 6").set_index("email")
    assert sorted(rows.index) == ["ada@example.org", "bram@example.org", "dee@example.org"]
    assert rows.loc["bram@example.org", "notes"] == "Exams this week"
    assert saved_mappings(url)[0].mapping["Anything on your mind?"] == "notes"


def test_a_synced_tab_is_mapped_in_the_sheets_panel(tmp_path, page):
    """The Sheets panel after a sync that could not read a tab's questions: map them, save, synced."""
    import json

    from dashboard.config import EXAMPLE_CONFIG_PATH
    from tests.fake_sheets import FakeSheets, service_account_info

    server = FakeSheets(tabs={"Weekly check-in": WEEK1.copy()})
    server.start()
    try:
        config = tmp_path / "dashboard.toml"
        config.write_text(
            EXAMPLE_CONFIG_PATH.read_text().replace(
                "[sources.tabs]",
                f'spreadsheet = "{server.spreadsheet_url}"\nsheets_api_url = "{server.url}"\n'
                'max_attempts = 2\n\n[sources.tabs]\ncheckins = "Weekly check-in"',
            )
        )
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[gcp_service_account]\n"
            + "\n".join(f"{key} = {json.dumps(value)}" for key, value in service_account_info(server.token_uri).items())
        )
        url = f"sqlite:///{tmp_path / 'new.db'}"
        dbmod.migrate(url)
        with streamlit_server(
            url,
            env={"DASHBOARD_CONFIG": str(config), "DASHBOARD_LOCAL_MODE": "1"},
            args=["--secrets.files", str(secrets)],
        ) as base:
            page.set_viewport_size({"width": WIDTH, "height": 1000})
            open_page(page, base, "data")
            page.get_by_role("button", name="Sync now").click()
            assert shown(page.get_by_text("Some questions of the spreadsheet feed no field yet"), timeout=30_000)
            wait_for_app(page)
            page.get_by_role("button", name="Map the questions").click()
            assert shown(page.get_by_text("questions not mapped yet"), timeout=30_000)
            wait_for_app(page)
            choose(page, "Field for question 6", "notes")
            whole_page(page, "mapping-sheets-panel")
            page.get_by_role("button", name="Save mapping and sync now").click()
            assert shown(page.get_by_text("Synced 'Djangonaut Space - Session 6'").first, timeout=30_000)
            wait_for_app(page)
            assert_no_exception(page)
            whole_page(page, "mapping-sheets-synced")
    finally:
        server.stop()
    assert len(checkins(url, "2026 Session 6")) == 3
