"""What every page needs: settings, database, the chosen session, its data version, the viewer."""

from __future__ import annotations

from dataclasses import dataclass
import streamlit as st

from dashboard import access
from dashboard.config import Settings
from dashboard.sessions import Session

CONTEXT_KEY = "_mission_control_context"


@dataclass(frozen=True)
class PageContext:
    settings: Settings
    url: str
    session: Session | None  # None only before the database holds a session
    viewer: access.Viewer
    session_ids: tuple[int, ...] = ()  # every session this viewer may see (demo personas: demo sessions only)

    @property
    def session_id(self) -> int:
        return int(self.session.id)

    @property
    def version(self) -> int:
        return self.session.data_version


def set_current(ctx: PageContext) -> None:
    """Called by streamlit_app.py on every run, before the page runs."""
    st.session_state[CONTEXT_KEY] = ctx


def page_context(page_key: str) -> PageContext:
    """The context for a page; stops the page if this viewer may not open it."""
    ctx = st.session_state.get(CONTEXT_KEY)
    if ctx is None or not access.may_open(ctx.viewer, page_key):
        allowed = access.pages_for(ctx.viewer) if ctx is not None else []
        if allowed and ctx.viewer.demo:  # a demo persona switched while on a page it may not open
            st.switch_page(allowed[0].path)
        st.error("This page is not available to you. Pick a page from the menu.")
        st.stop()
    return ctx
