"""The whole app in real Chromium: every page a persona can open renders without an exception."""

import shutil

from dashboard import access
from tests.browser_support import assert_no_exception, choose_persona, open_page, screenshot, shown, streamlit_server


def test_every_organiser_page_renders(app_server, page):
    open_page(page, app_server)
    assert shown(page.get_by_text("Mission Control").first)
    assert shown(page.get_by_text("demo data").first)
    organiser = access.Viewer("o@example.org", frozenset({access.ORGANISER}))
    for spec in access.pages_for(organiser):
        open_page(page, app_server, spec.key)
        assert_no_exception(page)
        assert page.get_by_text("Page not found").count() == 0  # every page's own URL can be shared
        assert spec.key == "overview" or shown(page.get_by_role("heading", name=spec.title).first)
        screenshot(page, f"organiser-{spec.key}")


def test_data_page_lists_rejected_rows_and_warnings(app_server, page):
    open_page(page, app_server, "data")
    assert shown(page.get_by_text("Rejected rows").first)
    assert shown(page.get_by_text("Every row read so far was stored.").first)
    warnings = page.get_by_text("1 answer in 1 stored row needs a look", exact=False).first
    warnings.scroll_into_view_if_needed()
    assert shown(warnings)
    assert shown(page.locator("[data-testid='stDataFrame']").last)
    page.wait_for_timeout(1000)  # the grid paints its cells on a canvas after it appears
    screenshot(page, "data-warnings")


def test_captain_persona_does_not_get_organiser_pages(app_server, page):
    open_page(page, app_server)
    choose_persona(page, "Captain of Team Aurora")
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_text("Data").count() == 0
    screenshot(page, "captain-home")


def test_a_bookmarked_page_opens_on_a_freshly_started_server(_demo_db_template, tmp_path, page):
    """The very first request a new server gets may be a deep link (a bookmark, a shared URL)."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_db_template, path)
    with streamlit_server(f"sqlite:///{path}") as base:
        open_page(page, base, "review")
        assert_no_exception(page)
        assert shown(page.get_by_role("heading", name="Review").first)
        assert page.get_by_text("not found", exact=False).count() == 0
        open_page(page, base)  # the root opens the viewer's first page, under its own URL
        assert page.url.endswith("/overview") and shown(page.get_by_text("Need a check-in").first)


def test_the_selection_exports_say_how_decisions_become_the_sites_tiers(app_server, page):
    open_page(page, app_server, "selection")
    button = page.get_by_text("Decisions CSV (Djangonaut Space import)").first
    button.scroll_into_view_if_needed()
    assert shown(button)
    assert shown(page.get_by_text("Selection Rank is the site's tier", exact=False).first)
    page.get_by_text("Exports", exact=True).first.scroll_into_view_if_needed()
    screenshot(page, "selection-exports")


def test_the_selection_composition_shows_only_groups_privacy_lets_through(app_server, page):
    open_page(page, app_server, "selection")
    heading = page.get_by_text("Composition: applicant pool vs accepted cohort").first
    heading.scroll_into_view_if_needed()
    assert shown(page.get_by_text("groups are combined until each has at least 5", exact=False).first)
    chart = page.locator("[data-testid='stVegaLiteChart']").last
    chart.scroll_into_view_if_needed()
    assert shown(chart)
    assert page.get_by_text("Nothing to compare yet").count() == 0  # the demo accepts enough people to compare
    page.wait_for_timeout(1000)  # Vega draws after the element appears
    screenshot(page, "selection-composition")
