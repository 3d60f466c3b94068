"""The Data page's Google Sheets panel: per source, the last sync and the last failure; "Sync now";
mapping each tab's questions to fields.

Everything shown comes from the recorded sync runs in the database (cached by data
version); Google is only called when someone presses "Sync now" or "Map the questions".
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import mapping_store
from dashboard.sync import (
    SourceStatus,
    SpreadsheetRead,
    SyncError,
    configured_tabs,
    read_configured,
    sheet_import_settings,
    source_name,
    source_statuses,
    spreadsheet_configured,
    sync_spreadsheet,
)
from dashboard.ui import loaders
from dashboard.ui.context import PageContext
from dashboard.ui.mapping_editor import form_key, mapping_form
from dashboard.ui.widgets import md_text

RESULT_KEY = "_mission_control_sync_result"
READ_KEY = "_mission_control_sheet_questions"  # the spreadsheet read for mapping its questions
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
        columns = [
            c
            for c in ["table", "sheet", "rows_read", "rows_stored", "rows_rejected", "rows_inserted", "rows_updated"]
            if c in frame
        ]
        st.dataframe(
            frame[columns],
            hide_index=True,
            width="stretch",
            column_config={
                "table": "Table",
                "sheet": "Tab",
                "rows_read": "Read",
                "rows_stored": "Stored",
                "rows_rejected": "Rejected",
                "rows_inserted": "New",
                "rows_updated": "Changed",
            },
        )


def _run_sync(ctx: PageContext) -> None:
    with st.status("Syncing from Google Sheets...", expanded=True) as status:
        try:
            outcome = sync_spreadsheet(
                ctx.url,
                ctx.settings,
                secrets=_secrets(),
                actor=ctx.viewer.email,
                progress=lambda message: st.write(md_text(message)),
            )  # names tabs
        except SyncError as exc:
            status.update(label="Sync failed: nothing was changed.", state="error")
            st.session_state[RESULT_KEY] = ("error", md_text(exc.user_message), [], exc.reason == "import_failed")
        else:
            summary = outcome.summary()
            status.update(label=f"Synced '{md_text(outcome.spreadsheet_title)}'", state="complete")
            session = outcome.results[0].session if outcome.results else ""
            confirmed = mapping_store.tables_with_saved_mapping(ctx.url, outcome.source, session)
            # Questions an organiser chose not to map are no news; the others are worth a notice.
            notices = [
                r.unmapped_notice() for r in outcome.results if r.columns_not_mapped and r.table not in confirmed
            ]
            st.session_state[RESULT_KEY] = (
                "success",
                f"Synced '{md_text(outcome.spreadsheet_title)}' with {outcome.requests} requests in {outcome.seconds:.1f} s: "
                f"{summary['rows_read']} rows read, {summary['rows_stored']} stored, {summary['rows_rejected']} rejected.",
                notices,
                bool(notices),
            )
    st.rerun()  # redraw every table from what is stored now


def _read_questions(ctx: PageContext, spreadsheet: str) -> None:
    """Read the spreadsheet once (on request) so each tab's questions can be mapped."""
    with st.status("Reading the spreadsheet's questions...", expanded=True) as status:
        try:
            read = read_configured(ctx.settings, spreadsheet, _secrets(), progress=st.write)
        except SyncError as exc:
            status.update(label="Reading the spreadsheet failed: nothing was changed.", state="error")
            st.error(md_text(exc.user_message))
            return
        status.update(label=f"Read the questions of '{read.title}'", state="complete")
    st.session_state[READ_KEY] = read


def _map_questions(ctx: PageContext, spreadsheet: str, read: SpreadsheetRead) -> None:
    """Each tab's questions with a field to confirm; confirming saves the mapping and syncs."""
    source = source_name(spreadsheet)
    run_settings, _ = sheet_import_settings(ctx.settings, read.locale, read.time_zone)  # the sheet's own date order
    session = mapping_store.session_for(ctx.url, ctx.settings)  # where a sync stores
    for table, sheet in read.sheets.items():
        needs = mapping_store.needs_mapping(
            ctx.url, ctx.settings, session.name, source, table, list(sheet.frame.columns)
        )
        label = f"Tab '{sheet.name}' -> {table}" + (": questions not mapped yet" if needs else "")
        with st.expander(label, expanded=needs, icon=":material/view_column:"):
            confirmed = mapping_form(
                ctx,
                sheet,
                table,
                source=source,
                session=session,
                settings=run_settings,
                key=form_key("sheet", sheet, table),
                confirm_label="Save mapping and sync now",
            )
        if confirmed is not None:
            mapping_store.save_now(ctx.url, ctx.settings, source, table, confirmed, actor=ctx.viewer.email)
            st.session_state.pop(READ_KEY, None)
            _run_sync(ctx)


def sync_panel(ctx: PageContext) -> None:
    """Google Sheets on the Data page: status per source from the database, and a "Sync now" button."""
    st.subheader("Google Sheets")
    spreadsheet = spreadsheet_configured(ctx.settings)
    result = st.session_state.pop(RESULT_KEY, None)
    unmapped = False
    if result is not None:
        kind, message, notices, unmapped = result
        (st.success if kind == "success" else st.error)(message)
        for notice in notices:  # columns that fed no field: their answers are only in the raw rows
            st.warning(md_text(notice), icon=":material/view_column:")
    runs = (
        loaders.sync_runs(ctx)
        if ctx.session is not None
        else pd.DataFrame(
            columns=[
                "id",
                "source",
                "status",
                "started_at",
                "finished_at",
                "rows_read",
                "rows_stored",
                "rows_rejected",
                "error",
                "summary",
                "seconds",
            ]
        )
    )
    statuses = source_statuses(runs, ctx.settings)
    if not spreadsheet:
        st.info(
            f"No Google spreadsheet is configured.\n\n**Next step:** {HOW_TO_CONFIGURE}", icon=":material/lightbulb:"
        )
    else:
        try:
            tabs = configured_tabs(ctx.settings)
        except SyncError as exc:
            st.error(md_text(exc.user_message))
            tabs = {}
        if tabs:
            st.caption("Tabs read: " + ", ".join(f"{md_text(tab)} → {table}" for table, tab in tabs.items()))
        else:
            st.warning(
                "No tabs are listed in dashboard.toml [sources.tabs]; add lines such as "
                'applications = "Form Responses 1".'
            )
        target = ctx.settings.session_name
        if target and ctx.session is not None and target != ctx.session.name:
            st.caption(f"A sync stores into the configured session '{md_text(target)}', not the one shown here.")
    for status in statuses:
        _show_status(status)
    if not spreadsheet:
        return
    if unmapped:
        st.info(
            "Some questions of the spreadsheet feed no field yet. Press **Map the questions** to see each one with "
            "sample answers and a suggested field, confirm them, and sync again.",
            icon=":material/view_column:",
        )
    left, right, _ = st.columns([2, 2, 5])
    if left.button("Sync now", type="primary", icon=":material/sync:", key="sync_now"):
        _run_sync(ctx)
    if right.button(
        "Map the questions",
        type="primary" if unmapped else "secondary",
        icon=":material/view_column:",
        key="map_questions",
        help="Reads the spreadsheet once and shows each tab's questions with a field to confirm.",
    ):
        _read_questions(ctx, spreadsheet)
    if (read := st.session_state.get(READ_KEY)) is not None:
        _map_questions(ctx, spreadsheet, read)
