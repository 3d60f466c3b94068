"""Warm the caches the pages read, in background threads, so a page's first open finds them filled.

Two ways in:
- `serve.py`, which `make run` serves, runs `keep_warm` beside the server from the moment it starts:
  it imports what the pages import, migrates the database, and fills each session's caches for the
  viewers known before anyone signs in (the demo personas; local mode's organiser; with sign-in, the
  organisers listed in [roles] and each team's Captain and Navigators); then it looks at the sessions'
  data versions every WATCH_SECONDS and warms again whatever an import, a sync or a save changed,
  before the next visitor asks.
- streamlit_app.py calls `start` after a run has drawn its page, once per server process for each
  database, session, data version and viewer (st.cache_resource): that viewer's other pages then
  find their tables and derived frames in the cache (this also covers `streamlit run streamlit_app.py`).
Nothing here decides who sees what: every frame goes through the same loaders as the pages.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading

import streamlit as st
from streamlit import runtime

from dashboard import access, fields, privacy, reads
from dashboard.config import load_settings
from dashboard.sessions import Session
from dashboard.ui import auth, loaders, threadsafe_ast
from dashboard.ui.context import PageContext

log = logging.getLogger("mission_control.warmup")


def _not_a_warm_up_thread(record: logging.LogRecord) -> bool:
    return not record.threadName.startswith("mission-control-")


# Streamlit warns "missing ScriptRunContext" whenever a thread without a page run calls a cached function that
# would show a spinner; the warm-up's threads have no page run on purpose, so their calls are not worth a line.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_not_a_warm_up_thread)

# What the pages import besides Streamlit and pandas. Altair first (seconds when jsonschema finds
# rfc3987-syntax, which the notebook tools install): a viewer's next page is most likely a chart page.
PAGE_MODULES = (
    "altair",
    "dashboard.theme",
    "dashboard.engagement_charts",
    "dashboard.wellbeing.charts",
    "dashboard.selection",
)
# Only at server start, when nobody waits: OR-Tools (Selection, Teams) and the talk exports (vl-convert).
SERVER_MODULES = ("dashboard.team_charts", "dashboard.cohort", "dashboard.teams", "dashboard.talk")
WATCH_SECONDS = 15.0


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
    if "talk" in may_open:
        loaders.talk_figures(ctx, privacy.min_group_size(ctx.settings))
    if "selection" in may_open:  # last: who fits a team is the costliest first open of all (seconds at 10x)
        from dashboard import teams
        from dashboard.ui import selection_data

        try:
            rules = teams.rules_from_settings(ctx.settings)
        except teams.InstanceError:  # the page says what to fix in [teams]
            return
        selection_data.page_data(ctx, rules)


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


# --- From the server's start ------------------------------------------------------------------


def known_viewers(settings, url: str, session: Session) -> list[access.Viewer]:
    """The viewers of a session that are known before anyone opens a page, as streamlit_app.py builds them."""
    people, teams = loaders.people_and_teams(url, session.id, session.data_version)
    if auth.auth_configured():  # the listed organisers, and each team's Captain and Navigators
        lists = auth.role_lists(settings)
        staff = [*teams["captain"], *(email for navigators in teams["navigators"] for email in navigators or [])]
        emails = dict.fromkeys(email for email in [*lists.get("organisers", []), *staff] if email)
        return [access.roles_for(email, lists, people, teams) for email in emails]
    if auth.local_mode_requested():
        return [auth.local_viewer()]
    if session.id in reads.demo_session_ids(url):
        return list(auth.demo_personas(people, teams).values())
    return []


def warm_sessions(settings, url: str, warmed: set[tuple[int, int]]) -> None:
    """Warm every session whose (id, data version) is not in `warmed` yet, newest first, and note it there."""
    rows = reads.sessions_frame(url).to_dict("records")
    every_id = tuple(int(row["id"]) for row in rows)
    demo_ids = tuple(i for i in every_id if i in reads.demo_session_ids(url))
    for row in reversed(rows):
        session = Session.from_row(row)
        if (session.id, session.data_version) in warmed:
            continue
        for viewer in known_viewers(settings, url, session):
            # the sessions streamlit_app.py lets this viewer see (what the Talk figures' history is keyed by):
            # an organiser sees every session, a demo persona the demo sessions; the rest warm nothing that uses them
            ids = demo_ids if viewer.demo else every_id
            warm(PageContext(settings=settings, url=url, session=session, viewer=viewer, session_ids=ids))
        warmed.add((session.id, session.data_version))


def keep_warm(stop: threading.Event, every: float | None = None) -> None:
    """Import the pages' modules, prepare the database, then warm each session at start and after each change
    (looked for every `every` seconds, WATCH_SECONDS by default)."""
    try:
        for module in PAGE_MODULES + SERVER_MODULES:
            importlib.import_module(module)
        settings = load_settings()
        loaders.prepare_database(settings.database_url)
    except Exception as exc:  # the first page says what is wrong (settings, database) in its own words
        log.warning("server warm-up stopped before it began", exc_info=exc)
        return
    warmed: set[tuple[int, int]] = set()
    while not stop.is_set():
        try:
            warm_sessions(settings, settings.database_url, warmed)
        except Exception as exc:
            log.warning("cache warm-up failed", exc_info=exc)
        stop.wait(every or WATCH_SECONDS)


@contextlib.asynccontextmanager
async def lifespan(_app):
    """st.App lifespan (serve.py): keep_warm in a daemon thread for as long as the server runs."""
    threadsafe_ast.install()  # before the first page script is parsed beside the warm-up's imports
    stop = threading.Event()
    threading.Thread(target=keep_warm, args=(stop,), name="mission-control-keep-warm", daemon=True).start()
    try:
        yield
    finally:
        stop.set()
