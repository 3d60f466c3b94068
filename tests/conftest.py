"""Shared fixtures: real databases built from the demo generator (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import io
import os
import shutil
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, demo
from dashboard.config import EXAMPLE_CONFIG_PATH, PROJECT_ROOT, load_settings

IN_CI = bool(os.environ.get("CI"))


@dataclass(frozen=True)
class CliRun:
    """What one command printed and returned (named as subprocess.CompletedProcess names them)."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def command_line(capsys):
    """`python -m dashboard ARGV` in-process: dashboard.cli.main with its own environment, folder and stdin.

    As from a clean shell, DASHBOARD_* variables are only those given in env; the test's own
    environment, folder and stdin are back once the command returns. argparse's exit (code 2) is
    returned like any other exit code. tests/test_entry_point.py and a few subprocess tests prove
    the real `python -m dashboard` process.
    """
    from dashboard import cli

    def run(
        *argv: str, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT, stdin: str | None = None
    ) -> CliRun:
        with pytest.MonkeyPatch.context() as patch:
            for name in [name for name in os.environ if name.startswith("DASHBOARD_")]:
                patch.delenv(name)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.chdir(cwd)
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            capsys.readouterr()  # only this command's output
            try:
                code = cli.main(list(argv))
            except SystemExit as exc:  # argparse refuses a wrong command line
                code = exc.code
            printed = capsys.readouterr()
        return CliRun(int(code or 0), printed.out, printed.err)

    return run


@pytest.fixture
def mission_control(command_line):
    """command_line on the database at url with the example config; the exit must be 0 (or not, with ok=False)."""

    def run(url: str, *args: str, ok: bool = True) -> CliRun:
        done = command_line(*args, env={"DASHBOARD_DATABASE_URL": url, "DASHBOARD_CONFIG": str(EXAMPLE_CONFIG_PATH)})
        assert (done.returncode == 0) == ok, done.stdout + done.stderr
        return done

    return run


@pytest.fixture(scope="session")
def settings():
    """The committed example config (never a developer's own dashboard.toml)."""
    return load_settings(EXAMPLE_CONFIG_PATH)


@pytest.fixture(scope="session")
def demo_data():
    """The demo's raw tables and planted patterns (seed 42, scale 1)."""
    return demo.generate(42, 1)


@pytest.fixture(scope="session")
def _demo_db_template(tmp_path_factory, settings) -> Path:
    path = tmp_path_factory.mktemp("demo") / "template.db"
    url = f"sqlite:///{path}"
    demo.build(url, settings, seed=42, scale=1)
    dbmod.get_engine(url).dispose()  # checkpoints SQLite's WAL so a file copy holds all the data
    dbmod.get_engine.cache_clear()
    return path


@pytest.fixture
def demo_url(_demo_db_template, tmp_path) -> str:
    """A fresh copy of the demo database for one test (tests may write to it)."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_db_template, path)
    return f"sqlite:///{path}"


@contextmanager
def edit_directly(url: str):
    with OrmSession(dbmod.get_engine(url), expire_on_commit=False) as db, db.begin():
        yield db


@pytest.fixture
def edit_db():
    """Change a test database behind Mission Control's back, as someone with database access would
    (the app itself writes only through dashboard.db.write, which audits)."""
    return edit_directly


@pytest.fixture
def local_mode(monkeypatch):
    """DASHBOARD_LOCAL_MODE=1 with Streamlit listening on 127.0.0.1 only, as `make run` starts it."""
    from tests.apptest_support import listening_on

    monkeypatch.setenv("DASHBOARD_LOCAL_MODE", "1")
    with listening_on("127.0.0.1"):
        yield


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "template.db"
    url = f"sqlite:///{path}"
    dbmod.migrate(url)
    dbmod.get_engine(url).dispose()  # checkpoints SQLite's WAL so a file copy holds the whole schema
    return path


def migrated_copy(template: Path, path: Path) -> str:
    """A copy of the migrated empty SQLite template at path: the same file as migrating it, without the wait."""
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_url(_migrated_template, tmp_path) -> str:
    """An empty, migrated SQLite database."""
    return migrated_copy(_migrated_template, tmp_path / "empty.db")


def postgres_url() -> str | None:
    return os.environ.get("DASHBOARD_TEST_POSTGRES_URL")


@contextmanager
def postgres_schema():
    """A migrated PostgreSQL database in a schema of its own, dropped afterwards; PostgreSQL is required in CI."""
    base = postgres_url()
    if not base:
        if IN_CI:
            pytest.fail("DASHBOARD_TEST_POSTGRES_URL is not set in CI; .ci/run must start PostgreSQL.")
        pytest.skip("PostgreSQL not configured (set DASHBOARD_TEST_POSTGRES_URL to run these tests).")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    dbmod.migrate(url)
    try:
        yield url
    finally:
        dbmod.get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_url(request, tmp_path, _migrated_template) -> str:
    """An empty, migrated database on each backend; PostgreSQL is required in CI."""
    if request.param == "sqlite":
        yield migrated_copy(_migrated_template, tmp_path / "storage.db")
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture(scope="session")
def app_server(_demo_db_template, tmp_path_factory):
    """One `streamlit run` of the app on a copy of the demo database, shared by browser tests."""
    from tests.browser_support import chromium_path, streamlit_server

    chromium_path()  # skip early (or fail in CI) when there is no browser
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    shutil.copy(_demo_db_template, path)
    with streamlit_server(f"sqlite:///{path}") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session."""
    from tests.browser_support import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    """A fresh browser page (own context) at a slide-like 1440x900 viewport."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    yield page
    context.close()
