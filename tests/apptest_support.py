"""Run the real app in Streamlit's AppTest as one of the demo personas.

Every run executes streamlit_app.py (sign-in or persona, session, st.navigation) and then the
current page, as the server does; switch_page takes a path from dashboard.access.PAGES.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = ("Organiser", "Reviewer", "Captain of Team Aurora", "Navigator of Team Aurora")


@contextmanager
def listening_on(address: str):
    """Streamlit's server.address while the block runs (as `--server.address` would set it)."""
    saved = st_config.get_option("server.address")
    st_config.set_option("server.address", address)
    try:
        yield
    finally:
        st_config.set_option("server.address", saved)


def app_with_secrets_files(monkeypatch, database_url: str, files: list) -> AppTest:
    """One run of the app told to read its secrets from these files (as `--secrets.files` would)."""
    import streamlit as st

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", database_url)
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    saved = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(f) for f in files])
    st.secrets._reset()
    try:
        return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    finally:
        st_config.set_option("secrets.files", saved)
        st.secrets._reset()


def run_app(monkeypatch, database_url: str, persona: str = "Organiser", page: str | None = None,
            session: str | None = None, timeout: float = 60) -> AppTest:
    """The app on database_url, viewed by a demo persona (demo sessions only; the local_mode fixture
    makes it local mode), optionally on a page file and session."""
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", database_url)
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    at.session_state["demo_viewer"] = persona
    if session:
        at.session_state["session_name"] = session
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def shown(markdown) -> str:
    """What a reader sees of a Markdown message: backslash escapes (dashboard.ui.widgets.md_text) removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown))


def texts(at: AppTest) -> str:
    """All visible text of a run (titles, markdown, captions, alerts, metrics), for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success"):
        parts += [shown(el.value) if kind != "text" else str(el.value) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)
