"""Data: where the numbers come from, what was rejected and why, and file imports."""
import tempfile
from pathlib import Path

import streamlit as st

from dashboard.fields import TABLES
from dashboard.importer import ImportFailed, TableInput, import_tables
from dashboard.ui import data
from dashboard.ui.context import page_context
from dashboard.ui.sync_panel import sync_panel
from dashboard.ui.widgets import empty_state, md_text, plain_table
from data_sources.files import FileReadError, read_sheets

ctx = page_context("data")
st.title("Data")
st.write("Mission Control reads your forms' answers from Google Sheets or CSV/XLSX exports, keeps every raw row, "
         "and stores what it can read. Rows it cannot read are listed below with the reason and what to do.")

sync_panel(ctx)  # Google Sheets: status per source and "Sync now"

# --- Import a file ---------------------------------------------------------------------------
st.subheader("Import a file")
with st.form("import_file", clear_on_submit=False):
    upload = st.file_uploader("CSV or XLSX export (Google Forms: File > Download > .csv)", type=["csv", "xlsx"])
    left, right = st.columns(2)
    table_name = left.selectbox("It holds", sorted(TABLES), index=sorted(TABLES).index("checkins"),
                                help="The canonical table the file fills; the column mapping is in dashboard.toml.")
    session_name = right.text_input("Session", value=ctx.session["name"] if ctx.session else (ctx.settings.session_name or "Session 1"),
                                    help="A session that does not exist yet is created.")
    submitted = st.form_submit_button("Import", type="primary")
if submitted:
    if upload is None:
        st.error("Choose a file to import first.")
    else:
        with st.status(f"Importing {md_text(upload.name)}...", expanded=True) as status:
            try:
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / Path(upload.name).name
                    path.write_bytes(upload.getvalue())
                    st.write("Reading the file...")
                    raw = read_sheets(path)[0]
                    st.write(f"Checking {len(raw.frame)} rows and storing them...")
                    result = import_tables(ctx.url, ctx.settings, [TableInput(table_name, raw.frame, raw.name, raw.row_numbers)],
                                           source=f"upload:{upload.name}", session_name=session_name or None,
                                           actor=ctx.viewer.email, about=upload.name)[0]
            except (FileReadError, ImportFailed) as exc:
                status.update(label="Import refused: nothing was changed.", state="error")
                st.error(md_text(exc))
            else:
                status.update(label=f"Imported {md_text(upload.name)}", state="complete")
                st.success(f"{result.rows_read} rows read: {result.rows_stored} stored ({result.rows_inserted} new, "
                           f"{result.rows_updated} changed, {result.rows_unchanged} unchanged), {result.rows_rejected} rejected.")
                if result.columns_not_mapped:
                    st.warning(md_text(result.unmapped_notice()), icon=":material/view_column:")
                for rejection in result.rejections[:10]:
                    st.text(rejection.reason)

if ctx.session is None:
    empty_state("There is no session in the database yet.",
                "Import a file above, or run `python -m dashboard demo` to explore with demo data.")
    st.stop()

# --- What is stored --------------------------------------------------------------------------
st.subheader(f"Stored for {md_text(ctx.session['name'])}")
counts = data.table_counts(ctx)
columns = st.columns(len(counts))
for column, (name, count) in zip(columns, counts.items()):
    column.metric(name.capitalize(), count)

# --- Imports and syncs -----------------------------------------------------------------------
st.subheader("Imports and syncs")
runs = data.sync_runs(ctx)
if runs.empty:
    empty_state("Nothing has been imported into this session yet.", "Import a file above or run `python -m dashboard sync`.")
else:
    last_ok = runs[runs["status"] == "ok"].head(1)
    if len(last_ok):
        st.caption(f"Last successful import: {md_text(last_ok.iloc[0]['source'])} at {last_ok.iloc[0]['finished_at']:%Y-%m-%d %H:%M} UTC")
    failed = runs[(runs["status"] == "failed") & (runs["kind"] != "sync")].head(1)  # sync failures: panel above
    if len(failed) and (last_ok.empty or failed.iloc[0]["id"] > last_ok.iloc[0]["id"]):
        st.error(f"The last attempt failed ({md_text(failed.iloc[0]['source'])}): {md_text(failed.iloc[0]['error'])}")
    plain_table(runs[["started_at", "source", "kind", "status", "rows_read", "rows_stored", "rows_rejected", "seconds", "error"]],
                column_config={"started_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
                               "rows_read": "Read", "rows_stored": "Stored", "rows_rejected": "Rejected",
                               "seconds": st.column_config.NumberColumn("Seconds", format="%.2f")})

# --- Rejected rows ---------------------------------------------------------------------------
st.subheader("Rejected rows")
rejected = data.rejected_rows(ctx)
if rejected.empty:
    st.success("Every row read so far was stored.")
else:
    st.write(f"{len(rejected)} {'row' if len(rejected) == 1 else 'rows'} could not be stored. Fix them in the source and import or sync again; "
             "the raw rows are kept, so nothing is lost.")
    plain_table(rejected[["table_name", "sheet", "row_number", "column", "value", "reason"]],
                column_config={"table_name": "Table", "sheet": "Sheet", "row_number": "Row", "column": "Column",
                               "value": "Value", "reason": st.column_config.TextColumn("Reason and what to do", width="large")})
    with st.expander("Raw answers of the rejected rows"):
        for _, row in rejected.head(50).iterrows():
            st.caption(f"{md_text(row['sheet'])}, row {row['row_number']}")
            st.json(row["data"], expanded=False)
