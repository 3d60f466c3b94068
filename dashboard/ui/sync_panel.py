"""The Data page's Google Sheets panel: per source, the last sync and the last failure; "Sync now".

Everything shown comes from the recorded sync runs in the database (cached by data
version); Google is only called when someone presses "Sync now".
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.sync import SourceStatus, SyncError, source_statuses, spreadsheet_configured, sync_spreadsheet
from dashboard.ui import data
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import md_text
from data_sources.google_sheets import configured_tabs

RESULT_KEY = "_mission_control_sync_result"
HOW_TO_CONFIGURE = (
    "Share the spreadsheet with your service account's e-mail (Viewer is enough), put the service account key "
    "in .streamlit/secrets.toml under [gcp_service_account], then set [sources] spreadsheet and [sources.tabs] "
    "in dashboard.toml. docs/google_sheets.md walks through it."
)


def _secrets() -> dict[str, Any] | None:
    """[gcp_service_account] from Streamlit secrets, or None when there are no secrets."""
    try:
        if "gcp_service_account" in st.secrets:
            return {"gcp_service_account": dict(st.secrets["gcp_service_account"])}
    except Exception:  # no secrets.toml at all: the key file in dashboard.toml may still be set
        return None
    return None


def _when(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "never"
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M} UTC"


def _show_status(status: SourceStatus) -> None:
    label = status.source.removeprefix("google_sheets:")
    st.markdown(f"**Spreadsheet** {md_text(label)}" + ("" if status.configured else " (no longer configured)"))
    left, middle, right, last = st.columns(4)
    left.metric("Last successful sync", _when(status.last_ok_at))
    middle.metric("Rows read", status.rows_read)
    right.metric("Stored / rejected", f"{status.rows_stored} / {status.rows_rejected}")
    last.metric("Duration", "-" if status.seconds is None else f"{status.seconds:.1f} s")
    if status.last_error:
        message = f"Last failed attempt ({_when(status.last_error_at)}): {md_text(status.last_error)}"
        if status.failing_now:
            st.error(message, icon=":material/sync_problem:")
        else:
            st.caption(message)
    if status.tables:
        frame = pd.DataFrame(status.tables)
        columns = [c for c in ["table", "sheet", "rows_read", "rows_stored", "rows_rejected", "rows_inserted",
                               "rows_updated"] if c in frame]
        st.dataframe(frame[columns], hide_index=True, width="stretch",
                     column_config={"table": "Table", "sheet": "Tab", "rows_read": "Read", "rows_stored": "Stored",
                                    "rows_rejected": "Rejected", "rows_inserted": "New", "rows_updated": "Changed"})


def _run_sync(ctx: PageContext) -> None:
    with st.status("Syncing from Google Sheets...", expanded=True) as status:
        try:
            outcome = sync_spreadsheet(ctx.url, ctx.settings, secrets=_secrets(), actor=ctx.viewer.email,
                                       progress=lambda message: st.write(md_text(message)))  # names tabs
        except SyncError as exc:
            status.update(label="Sync failed: nothing was changed.", state="error")
            st.session_state[RESULT_KEY] = ("error", md_text(exc.user_message), [])
        else:
            summary = outcome.summary()
            status.update(label=f"Synced '{md_text(outcome.spreadsheet_title)}'", state="complete")
            st.session_state[RESULT_KEY] = (
                "success",
                f"Synced '{md_text(outcome.spreadsheet_title)}' with {outcome.requests} requests in {outcome.seconds:.1f} s: "
                f"{summary['rows_read']} rows read, {summary['rows_stored']} stored, {summary['rows_rejected']} rejected.",
                [r.unmapped_notice() for r in outcome.results if r.columns_not_mapped],
            )
    st.rerun()  # redraw every table from what is stored now


def sync_panel(ctx: PageContext) -> None:
    """Google Sheets on the Data page: status per source from the database, and a "Sync now" button."""
    st.subheader("Google Sheets")
    spreadsheet = spreadsheet_configured(ctx.settings)
    result = st.session_state.pop(RESULT_KEY, None)
    if result is not None:
        kind, message, notices = result
        (st.success if kind == "success" else st.error)(message)
        for notice in notices:  # columns that fed no field: their answers are only in the raw rows
            st.warning(md_text(notice), icon=":material/view_column:")
    runs = data.sync_runs(ctx) if ctx.session is not None else pd.DataFrame(
        columns=["id", "source", "status", "started_at", "finished_at", "rows_read", "rows_stored", "rows_rejected",
                 "error", "summary", "seconds"])
    statuses = source_statuses(runs, ctx.settings)
    if not spreadsheet:
        st.info(f"No Google spreadsheet is configured.\n\n**Next step:** {HOW_TO_CONFIGURE}",
                icon=":material/lightbulb:")
    else:
        try:
            tabs = configured_tabs(ctx.settings)
        except SyncError as exc:
            st.error(md_text(exc.user_message))
            tabs = {}
        if tabs:
            st.caption("Tabs read: " + ", ".join(f"{md_text(tab)} → {table}" for table, tab in tabs.items()))
        else:
            st.warning("No tabs are listed in dashboard.toml [sources.tabs]; add lines such as "
                       "applications = \"Form Responses 1\".")
        target = ctx.settings.session_name
        if target and ctx.session is not None and target != ctx.session["name"]:
            st.caption(f"A sync stores into the configured session '{md_text(target)}', not the one shown here.")
    for status in statuses:
        _show_status(status)
    if spreadsheet and st.button("Sync now", type="primary", icon=":material/sync:", key="sync_now"):
        _run_sync(ctx)
