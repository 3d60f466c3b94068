"""The whole app in real Chromium: every page a persona can open renders without an exception."""
from dashboard import access
from tests.browser_support import assert_no_exception, choose_persona, open_page, screenshot



def test_every_organiser_page_renders(app_server, page):
    open_page(page, app_server)
    assert page.get_by_text("Mission Control").first.is_visible()
    assert page.get_by_text("demo data").first.is_visible()
    organiser = access.Viewer("o@example.org", frozenset({access.ORGANISER}))
    for spec in access.pages_for(organiser):
        open_page(page, app_server, spec.key)
        assert_no_exception(page)
        assert page.get_by_role("heading", name=spec.title).first.is_visible() or spec.key == "overview"
        screenshot(page, f"organiser-{spec.key}")


def test_data_page_lists_the_rejected_row(app_server, page):
    open_page(page, app_server, "data")
    assert page.get_by_text("Rejected rows").first.is_visible()
    assert page.get_by_text("1 rows could not be stored").first.is_visible()


def test_captain_persona_does_not_get_organiser_pages(app_server, page):
    open_page(page, app_server)
    choose_persona(page, "Captain of Team Aurora")
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_text("Data").count() == 0
    screenshot(page, "captain-home")
