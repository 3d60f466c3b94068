"""Cached loaders: the database is read once per data change, never on every rerun.

Each cache is keyed by (database URL, session id, data version); the version is one cheap
query per rerun, and every write bumps it (dashboard.db.bump_data_version). Frames are
filtered through dashboard.access here, where they are loaded, not in the pages.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import access, store
from dashboard.ui.context import PageContext


@st.cache_data(show_spinner=False, max_entries=256)
def _table(url: str, session_id: int, table: str, version: int) -> pd.DataFrame:
    return store.load_table(url, session_id, table)


@st.cache_data(show_spinner=False, max_entries=32)
def _one_to_ones(url: str, session_id: int, version: int) -> pd.DataFrame:
    return store.load_one_to_ones(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _sync_runs(url: str, session_id: int, version: int) -> pd.DataFrame:
    return store.sync_runs_frame(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _rejected(url: str, session_id: int, version: int) -> pd.DataFrame:
    return store.rejected_rows_frame(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _is_demo(url: str, session_id: int, version: int) -> bool:
    return store.is_demo_session(url, session_id)


def is_demo(ctx: PageContext) -> bool:
    """True when the session holds only the generated demo data."""
    return _is_demo(ctx.url, ctx.session_id, ctx.version)


def _raw(ctx: PageContext, name: str) -> pd.DataFrame:
    return _table(ctx.url, ctx.session_id, name, ctx.version)


def table(ctx: PageContext, name: str) -> pd.DataFrame:
    """A canonical table of the current session with the rows and columns this viewer may see."""
    if ctx.session is None:
        return store.load_table(ctx.url, -1, name)
    return access.visible_table(ctx.viewer, name, _raw(ctx, name), _raw(ctx, "people"),
                                blind=bool(ctx.session["blind_review"]))


def people(ctx: PageContext) -> pd.DataFrame:
    """People this viewer may see (everyone for organisers, own teams for Captains and Navigators)."""
    return table(ctx, "people")


def checkins(ctx: PageContext) -> pd.DataFrame:
    """Check-ins this viewer may see (own teams only for Captains and Navigators)."""
    return table(ctx, "checkins")


def applications(ctx: PageContext, *, blind: bool | None = None) -> pd.DataFrame:
    """Applications with the columns this viewer may see (blind review hides who applied)."""
    blind = ctx.session["blind_review"] if blind is None else blind
    if ctx.viewer.roles & {access.ORGANISER, access.REVIEWER}:
        return access.visible_applications(ctx.viewer, _raw(ctx, "applications"), blind=blind)
    return access.visible_table(ctx.viewer, "applications", _raw(ctx, "applications"), _raw(ctx, "people"))


def one_to_ones(ctx: PageContext) -> pd.DataFrame:
    """One-to-ones of the Djangonauts this viewer may see (the Captain's note only for that Captain)."""
    frame = _one_to_ones(ctx.url, ctx.session_id, ctx.version)
    return access.visible_table(ctx.viewer, "one_to_ones", frame, _raw(ctx, "people"))


def sync_runs(ctx: PageContext) -> pd.DataFrame:
    """Import and sync history (organisers only: it names sheets and files)."""
    frame = _sync_runs(ctx.url, ctx.session_id, ctx.version)
    return frame if ctx.viewer.is_organiser else frame.iloc[0:0]


def rejected_rows(ctx: PageContext) -> pd.DataFrame:
    """Rows that could not be stored, with the raw values (organisers only)."""
    frame = _rejected(ctx.url, ctx.session_id, ctx.version)
    return frame if ctx.viewer.is_organiser else frame.iloc[0:0]
