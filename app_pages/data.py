"""Data: where the numbers come from, file imports and their column mappings, what was rejected and why."""

import streamlit as st

from dashboard import mapping_store
from dashboard.fields import TABLES
from dashboard.file_import import FILE_TYPES, file_source
from dashboard.ui import loaders, file_upload
from dashboard.ui.context import page_context
from dashboard.ui.mapping_editor import form_key, mapping_form, saved_mappings_section
from dashboard.ui.sync_panel import sync_panel
from dashboard.ui.widgets import empty_state, md_text, plain_table

ctx = page_context("data")
st.title("Data")
st.write(
    "Mission Control reads your forms' answers from Google Sheets or CSV/XLSX exports, keeps every raw row, "
    "and stores what it can read. Rows it cannot read are listed below with the reason and what to do."
)

if ctx.viewer.demo:  # an anonymous visitor: anything imported would be real data that nobody signed in to see
    st.info(
        "Imports and syncs are off in demo mode. To bring in your own data, run the app in local mode on your own "
        "computer (`DASHBOARD_LOCAL_MODE=1 make run`) or set up sign-in (docs/deploy.md).",
        icon=":material/lock:",
    )
else:
    sync_panel(ctx)  # Google Sheets: status per source, "Sync now", and mapping a tab's questions

    # --- Import a file: upload, confirm which field each question feeds, preview, import ---------------
    st.subheader("Import a file")
    file_upload.show_last_import()
    upload = st.file_uploader(
        "CSV, XLSX or ODS export (Google Forms: Responses > Download responses (.csv); a .zip of it is fine)",
        type=list(FILE_TYPES),
        key=file_upload.uploader_key(),
    )
    left, right = st.columns(2)
    table_name = left.selectbox(
        "It holds", sorted(TABLES), index=sorted(TABLES).index("checkins"), help="The canonical table the file fills."
    )
    session_name = right.text_input(
        "Session",
        value=ctx.session.name if ctx.session else (ctx.settings.session_name or "Session 1"),
        help="A session that does not exist yet is created.",
    )
    if upload is not None and (raw := file_upload.read(upload)) is not None:
        session = mapping_store.session_for(ctx.url, ctx.settings, session_name or None)
        confirmed = mapping_form(
            ctx,
            raw,
            table_name,
            source=file_source(upload.name),
            session=session,
            settings=ctx.settings,
            key=form_key("upload", raw, table_name),
            confirm_label="Save mapping and import",
        )
        if confirmed is not None:
            file_upload.import_upload(ctx, raw, upload.name, table_name, session_name, confirmed)

if ctx.session is None:
    empty_state(
        "There is no session in the database yet.",
        "Import a file above, or run `python -m dashboard demo` to explore with demo data.",
    )
    st.stop()

# --- What is stored --------------------------------------------------------------------------
st.subheader(f"Stored for {md_text(ctx.session.name)}")
counts = loaders.table_counts(ctx)
columns = st.columns(len(counts))
for column, (name, count) in zip(columns, counts.items()):
    column.metric(name.capitalize(), count)

# --- Imports and syncs -----------------------------------------------------------------------
st.subheader("Imports and syncs")
runs = loaders.sync_runs(ctx)
if runs.empty:
    empty_state(
        "Nothing has been imported into this session yet.", "Import a file above or run `python -m dashboard sync`."
    )
else:
    last_ok = runs[runs["status"] == "ok"].head(1)
    if len(last_ok):
        st.caption(
            f"Last successful import: {md_text(last_ok.iloc[0]['source'])} at {last_ok.iloc[0]['finished_at']:%Y-%m-%d %H:%M} UTC"
        )
    failed = runs[(runs["status"] == "failed") & (runs["kind"] != "sync")].head(1)  # sync failures: panel above
    if len(failed) and (last_ok.empty or failed.iloc[0]["id"] > last_ok.iloc[0]["id"]):
        st.error(f"The last attempt failed ({md_text(failed.iloc[0]['source'])}): {md_text(failed.iloc[0]['error'])}")
    plain_table(
        runs[
            ["started_at", "source", "kind", "status", "rows_read", "rows_stored", "rows_rejected", "seconds", "error"]
        ],
        column_config={
            "started_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "rows_read": "Read",
            "rows_stored": "Stored",
            "rows_rejected": "Rejected",
            "seconds": st.column_config.NumberColumn("Seconds", format="%.2f"),
        },
    )

saved_mappings_section(ctx)

# --- Rejected rows ---------------------------------------------------------------------------
st.subheader("Rejected rows")
rejected = loaders.rejected_rows(ctx)
if rejected.empty:
    st.success("Every row read so far was stored.")
else:
    st.write(
        f"{len(rejected)} {'row' if len(rejected) == 1 else 'rows'} could not be stored. Fix them in the source and import or sync again; "
        "the raw rows are kept, so nothing is lost."
    )
    plain_table(
        rejected[["table_name", "sheet", "row_number", "column", "value", "reason"]],
        column_config={
            "table_name": "Table",
            "sheet": "Sheet",
            "row_number": "Row",
            "column": "Column",
            "value": "Value",
            "reason": st.column_config.TextColumn("Reason and what to do", width="large"),
        },
    )
    with st.expander("Raw answers of the rejected rows"):
        for _, row in rejected.head(50).iterrows():
            st.caption(f"{md_text(row['sheet'])}, row {row['row_number']}")
            st.json(row["data"], expanded=False)

# --- Warnings: rows stored with a field left empty or read with a caveat ---------------------------
st.markdown("#### Warnings")
warned = loaders.import_warnings(ctx)
if warned.empty:
    st.caption("No warnings: every answer of the stored rows was read.")
else:
    rows = warned[["table_name", "source", "sheet", "row_number"]].drop_duplicates().shape[0]
    st.write(
        f"{len(warned)} {'answer' if len(warned) == 1 else 'answers'} in {rows} stored {'row' if rows == 1 else 'rows'} "
        f"{'needs' if len(warned) == 1 else 'need'} a look: stored empty because {'it' if len(warned) == 1 else 'they'} "
        "could not be read, or read with a caveat (each message says which). The rest of each row is stored; fix "
        "the answer in the source and import or sync again."
    )
    plain_table(
        warned[["table_name", "sheet", "row_number", "column", "value", "message"]],
        column_config={
            "table_name": "Table",
            "sheet": "Sheet",
            "row_number": "Row",
            "column": st.column_config.TextColumn("Column", width="medium"),
            "value": "Value",
            "message": st.column_config.TextColumn("What happened and what to do", width="large"),
        },
    )
