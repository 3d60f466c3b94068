"""A careless deployer, in real Chromium: real-looking data imported next to the demo, then served.

`make run` (127.0.0.1, no sign-in): the demo works as before and the real session is nowhere;
from another address of this machine nothing answers. `streamlit run` on every interface with
DASHBOARD_LOCAL_MODE=1: local mode refuses, still no real data. Local mode as documented: the
one person here sees it all, told so on every page. Signed in through a real OpenID Connect
flow: each role gets exactly their scope of the real session.
"""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import sys

import pytest
from playwright.sync_api import Error as PlaywrightError

from dashboard.config import EXAMPLE_CONFIG_PATH
from tests.browser_support import (
    ROOT,
    assert_no_exception,
    free_port,
    open_page,
    screenshot,
    shown,
    streamlit_server,
    wait_for_app,
)
from tests.mock_oidc import mock_provider, secrets_toml
from tests.test_oidc_browser import sign_in

REAL = "2027 Session 7"
CAPTAIN, NAVIGATOR = "capt.real@realmail.test", "nav.real@realmail.test"
FILES = {
    "people": "email,name,role,team\n"
    "ana.quintero@realmail.test,Ana Quintero,djangonaut,Team Real\n"
    "bo.lindqvist@realmail.test,Bo Lindqvist,djangonaut,Team Real\n"
    "cy.okafor@realmail.test,Cy Okafor,djangonaut,Team Real\n"
    f"{CAPTAIN},Cato Real,captain,Team Real\n{NAVIGATOR},Nova Real,navigator,Team Real\n",
    "teams": f"name,project,navigators,captain\nTeam Real,Django,{NAVIGATOR},{CAPTAIN}\n",
    "checkins": "email,week,hours,energy,burnout,blockers,notes\n"
    "ana.quintero@realmail.test,1,16,1,5,Stuck on migrations for days,Panic attacks again this week\n"
    "bo.lindqvist@realmail.test,1,3,4,1,none,Fine\n"
    "cy.okafor@realmail.test,1,4,3,2,none,\n",
}
REAL_TEXT = ("Ana Quintero", "Bo Lindqvist", "Panic attacks", "realmail", REAL, "Team Real", "Stuck on migrations")


def machine_address() -> str:
    """This machine's address on its network (not loopback), as another computer would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no network address besides loopback")
    return address


@pytest.fixture(scope="module")
def mixed_db(_demo_db_template, tmp_path_factory) -> str:
    """A copy of the demo database with a real-looking session imported by the command line."""
    folder = tmp_path_factory.mktemp("careless")
    shutil.copy(_demo_db_template, folder / "dashboard.db")
    url = f"sqlite:///{folder / 'dashboard.db'}"
    env = {
        "DASHBOARD_DATABASE_URL": url,
        "DASHBOARD_CONFIG": str(EXAMPLE_CONFIG_PATH),
        "PATH": "/usr/bin:/bin",
        "USER": getpass.getuser(),
    }
    for table, text in FILES.items():
        (folder / f"{table}.csv").write_text(text)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard",
                "import",
                str(folder / f"{table}.csv"),
                "--table",
                table,
                "--session",
                REAL,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(ROOT),
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
    return url


def page_text(page) -> str:
    return page.locator("body").inner_text()


def assert_no_real_data(page) -> None:
    text, html = page_text(page), page.content()
    leaked = [secret for secret in REAL_TEXT if secret in text or secret in html]
    assert not leaked, f"real data in the browser without sign-in: {leaked}"


def session_options(page) -> list[str]:
    box = page.get_by_role("combobox", name="Session")
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


def test_make_run_serves_the_demo_only_and_nothing_to_other_addresses(mixed_db, page):
    with streamlit_server(mixed_db) as base:  # --server.address 127.0.0.1, as `make run` starts it
        open_page(page, base)
        assert_no_exception(page)
        assert shown(page.get_by_text("demo data").first)
        assert page.get_by_role("combobox", name="Viewing as (demo mode)").count() == 1
        options = session_options(page)
        assert "2026 Session 6" in options and REAL not in options
        assert_no_real_data(page)
        screenshot(page, "careless-make-run-overview")
        for path in ("data", "wellbeing", "engagement", "talk", "audit"):
            open_page(page, base, path)
            assert_no_exception(page)
            assert_no_real_data(page)
        screenshot(page, "careless-make-run-audit")
        elsewhere = base.replace("127.0.0.1", machine_address())
        with pytest.raises(PlaywrightError, match="ERR_CONNECTION_REFUSED"):
            page.goto(elsewhere, wait_until="domcontentloaded", timeout=10_000)


def test_local_mode_on_every_interface_is_refused_from_anywhere(mixed_db, page):
    env = {"DASHBOARD_LOCAL_MODE": "1"}
    with streamlit_server(mixed_db, env=env, args=["--server.address", "0.0.0.0"]) as base:
        for address in (machine_address(), "127.0.0.1"):
            open_page(page, base.replace("127.0.0.1", address))
            assert_no_exception(page)
            assert shown(page.get_by_text("Local mode (DASHBOARD_LOCAL_MODE) is off").first)
            assert_no_real_data(page)
        screenshot(page, "careless-local-mode-refused")


def test_local_mode_shows_the_one_person_here_everything_and_says_so(mixed_db, page):
    with streamlit_server(mixed_db, env={"DASHBOARD_LOCAL_MODE": "1"}) as base:
        open_page(page, base)
        assert REAL in session_options(page)
        page.get_by_role("combobox", name="Session").click()
        page.get_by_role("option", name=REAL, exact=True).click()
        wait_for_app(page)
        assert shown(page.get_by_text("Local mode").first)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Wellbeing").click()  # keeps the session
        page.get_by_role("heading", name="Wellbeing").first.wait_for()
        wait_for_app(page)
        assert_no_exception(page)
        assert shown(page.get_by_text("Local mode").first)
        assert shown(page.get_by_text("Ana Quintero").first)
        screenshot(page, "careless-local-mode-wellbeing")


@pytest.fixture(scope="module")
def signed_in_app(mixed_db, tmp_path_factory):
    """The mixed database served with [auth] (the loopback OpenID Connect provider) and [roles]."""
    port = free_port()
    folder = tmp_path_factory.mktemp("careless-auth")
    with mock_provider() as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(secrets_toml(provider, port, 'organisers = ["organiser1@example.org"]'))
        with streamlit_server(mixed_db, port=port, args=["--secrets.files", str(secrets_file)]) as base:
            yield {"base": base, "provider": provider}


def test_signed_in_each_role_gets_exactly_its_scope_of_the_real_session(signed_in_app, browser):
    def fresh():
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        return context, context.new_page()

    context, page = fresh()
    sign_in(page, signed_in_app, CAPTAIN)  # their only session is the real one
    page.get_by_role("heading", name="Wellbeing").first.wait_for()
    assert_no_exception(page)
    assert shown(page.get_by_text("3 Djangonauts (Team Real)").first)
    page.get_by_role("combobox", name="Djangonaut").click()
    assert {o.split(" (")[0] for o in page.get_by_role("option").all_inner_texts()} == {
        "Ana Quintero",
        "Bo Lindqvist",
        "Cy Okafor",
    }
    page.keyboard.press("Escape")
    assert "Team Aurora" not in page_text(page)
    screenshot(page, "careless-signed-in-captain")
    context.close()

    context, page = fresh()
    sign_in(page, signed_in_app, NAVIGATOR)
    page.get_by_role("heading", name="Engagement").first.wait_for()
    assert shown(page.get_by_text("3 Djangonauts (Team Real)").first)
    assert "Ana Quintero" not in page_text(page) and "Panic attacks" not in page.content()
    open_page(page, signed_in_app["base"], "wellbeing")  # a typed URL: not theirs
    assert "Ana Quintero" not in page_text(page) and "Stuck on migrations" not in page.content()
    screenshot(page, "careless-signed-in-navigator")
    context.close()

    context, page = fresh()
    sign_in(page, signed_in_app, "organiser1@example.org")
    assert REAL in session_options(page) and "2026 Session 6" in session_options(page)
    context.close()
