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


def run_app(
    monkeypatch,
    database_url: str,
    persona: str = "Organiser",
    page: str | None = None,
    session: str | None = None,
    timeout: float = 60,
) -> AppTest:
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


# Sign-in as tests configure it: [auth] with a Google client and [roles] in the app's secrets.
CLIENT_SECRET = "client-secret-that-must-never-be-shown"
COOKIE_SECRET = "cookie-secret-that-must-never-be-shown"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": COOKIE_SECRET,
    "google": {
        "client_id": "mission-control.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET,
        "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
    },
}
ROLES = {
    "organisers": ["organiser1@example.org"],
    "reviewers": ["Reviewer1@Example.org"],
    "contact": "the organisers at hello@example.org",
}


MISSING = object()


def signed_in(
    monkeypatch,
    url: str,
    email: str | None,
    *,
    auth: dict | None = None,
    roles: dict | None = None,
    page: str | None = None,
    verified: object = True,
    demo_viewer: str | None = None,
    claims: dict | None = None,
) -> AppTest:
    """The app with [auth] and [roles] in its secrets, signed in as email (None: signed out); verified is the
    email_verified claim (MISSING: the provider sent none), claims any others the provider sent."""
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH if auth is None else auth
    at.secrets["roles"] = ROLES if roles is None else roles
    user = {"is_logged_in": True, "email": email, "email_verified": verified, "name": "Someone", **(claims or {})}
    at.user = {"is_logged_in": False} if email is None else {k: v for k, v in user.items() if v is not MISSING}
    if demo_viewer:
        at.session_state["demo_viewer"] = demo_viewer  # must be ignored once sign-in is configured
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception
    return at


def shown(markdown) -> str:
    """What a reader sees of a Markdown message: backslash escapes (dashboard.ui.widgets.md_text) removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown))


def texts(at: AppTest) -> str:
    """All visible text of a run (titles, markdown, captions, alerts, metrics), for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error", "success"):
        parts += [shown(el.value) if kind != "text" else str(el.value) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)
