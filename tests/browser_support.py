"""Real Chromium against a real `streamlit run`, for browser tests.

Playwright is imported inside the functions that drive the browser, so unit tests that borrow
ROOT or free_port from here are collected without it (test_collection checks that).

Tests that need Chromium skip with a reason when none is found, except under CI or
REQUIRE_BROWSER=1, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from dashboard.ui.widgets import PAGE_FAILED

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """The Chromium binary, or skip (fail under CI / REQUIRE_BROWSER=1) when there is none."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(
            "Chromium is required here (CI or REQUIRE_BROWSER=1) but /usr/bin/chromium was not found; "
            "install it with 'apt-get install -y chromium'."
        )
    pytest.skip("Chromium not found; install it with 'apt-get install -y chromium' to run browser tests.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(
    database_url: str,
    *,
    env: dict | None = None,
    timeout: float = 60,
    port: int | None = None,
    args: list[str] | None = None,
    script: str = "serve.py",
):
    """Run `streamlit run serve.py` (what `make run` serves) on a free loopback port; yields its base URL.

    port fixes the port (e.g. to match an OIDC redirect_uri); args are extra options such as
    ["--secrets.files", "/tmp/x/secrets.toml"]; script "streamlit_app.py" serves the app without
    serve.py's warm-up at start.
    """
    port = port or free_port()
    environment = {**os.environ, "DASHBOARD_DATABASE_URL": database_url, **(env or {})}
    log = ARTIFACTS / f"streamlit-{port}.log"
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *(args or []),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def demo_copy_server(template: Path, folder: Path, prepare=None):
    """`streamlit run` (the example config) on a copy of the demo database, prepared first by prepare(url) when given;
    yields (base URL, database URL). For browser tests that write, or need data of their own."""
    from dashboard.config import EXAMPLE_CONFIG_PATH

    chromium_path()
    path = folder / "demo.db"
    shutil.copy(template, path)
    url = f"sqlite:///{path}"
    if prepare is not None:
        prepare(url)
    with streamlit_server(url, env={"DASHBOARD_CONFIG": str(EXAMPLE_CONFIG_PATH)}) as base:
        yield base, url


@contextmanager
def chromium():
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has connected and finished running the script.

    At the root URL the app first runs a redirect to the viewer's first page (streamlit_app.py's
    first_page), so wait for that page's URL too; a viewer without pages stays at the root.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    if urlparse(page.url).path in ("", "/"):
        try:
            page.wait_for_url(lambda url: urlparse(url).path not in ("", "/"), timeout=3_000)
        except PlaywrightTimeout:
            pass  # no page to go to (no role, empty navigation): the root is the page
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)  # let charts and data grids paint before a screenshot
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)


def open_page(page, base: str, url_path: str = "", timeout: float = 30_000) -> None:
    """Open one page of the app and wait for it to finish."""
    page.goto(f"{base}/{url_path}", wait_until="domcontentloaded")
    wait_for_app(page, timeout)


def choose_persona(page, label: str) -> None:
    """Pick a demo persona in the 'Viewing as' switcher of the sidebar."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name="Viewing as (demo mode)")
    box.click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(box).to_have_value(label)
    page.wait_for_timeout(500)  # the rerun starts after the widget reports its value
    wait_for_app(page)


def assert_no_exception(page) -> None:
    """No Streamlit exception box, and not the calm sentence the app shows when a page crashed."""
    problem = page_problem(page)
    assert not problem, problem


def page_problem(page) -> str:
    """'' when the page drew without an error; else what went wrong (the app catches page crashes itself)."""
    if page.locator("[data-testid='stException']").count():
        return "an exception box is shown"
    if page.get_by_text(PAGE_FAILED).count():
        return "the page crashed (see the server log)"
    return ""


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def shown(locator, timeout: float = 15_000) -> bool:
    """Whether the element becomes visible within the timeout (a rerun may still be drawing it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(state="visible", timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True
