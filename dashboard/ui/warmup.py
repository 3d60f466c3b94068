"""Warm the caches the pages read, in a background thread, so a page's first open finds them filled.

Started by streamlit_app.py after a run has drawn its page, once per server process for each
database, session, data version and viewer (st.cache_resource): the next page this viewer opens
then finds Altair and the chart modules imported and reads its tables and derived frames from
the cache instead of the database.
"""

from __future__ import annotations

import importlib
import logging
import threading

import streamlit as st
from streamlit import runtime

from dashboard import access, fields
from dashboard.ui import loaders
from dashboard.ui.context import PageContext

log = logging.getLogger("mission_control.warmup")

# Altair, which most other pages draw with and the first page (Overview) does not import: seconds
# when jsonschema finds rfc3987-syntax (the notebook tools install it). Imported first, so a page
# opened soon after finds it; OR-Tools and vl-convert stay with the pages that use them.
PAGE_MODULES = (
    "altair",
    "dashboard.theme",
    "dashboard.engagement_charts",
    "dashboard.wellbeing.charts",
    "dashboard.selection",
)


def warm(ctx: PageContext) -> None:
    """Import the chart libraries, then fill the per-data-version caches of this viewer's session."""
    for module in PAGE_MODULES:
        importlib.import_module(module)
    for name in fields.TABLES:
        loaders.table(ctx, name)
    loaders.one_to_ones(ctx)
    may_open = {spec.key for spec in access.pages_for(ctx.viewer)}
    if {"overview", "wellbeing"} & may_open:
        loaders.wellbeing_data(ctx)
        loaders.wellbeing_this_week(ctx)
    if "engagement" in may_open:
        loaders.engagement_data(ctx)
    if ctx.viewer.is_organiser:
        loaders.rejected_rows(ctx)
        loaders.import_warnings(ctx)


def _warm_logged(ctx: PageContext) -> None:
    try:
        warm(ctx)
    except Exception as exc:  # a failed warm-up only means the page computes it itself, as before
        log.warning("cache warm-up failed", exc_info=exc)


@st.cache_resource(show_spinner=False, max_entries=64)
def _started(url: str, session_id: int, version: int, viewer: access.Viewer, _ctx: PageContext) -> threading.Thread:
    thread = threading.Thread(target=_warm_logged, args=(_ctx,), name="mission-control-warmup", daemon=True)
    thread.start()
    return thread


def serving() -> bool:
    """True under a real Streamlit server. Bare scripts have no runtime and AppTest installs a stand-in
    (a mock of Runtime), so page tests see exactly what a page computes, with no thread beside them."""
    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def start(ctx: PageContext) -> threading.Thread | None:
    """Warm ctx's caches in the background, once per data version and viewer, when serving()."""
    if ctx.session is None or not serving():
        return None
    return _started(ctx.url, ctx.session_id, ctx.version, ctx.viewer, ctx)
