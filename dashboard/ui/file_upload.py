"""The Data page's file import: read the upload, import it with the confirmed mapping, report the result.

After an import the page reruns with an empty uploader, so every table on the page shows what is
stored now and the finished import is reported once above it.
"""

from __future__ import annotations

import streamlit as st

from dashboard.file_import import import_file, read_upload
from dashboard.importer import ImportFailed, ImportResult
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import md_text
from data_sources.files import FileReadError, RawSheet

UPLOADER_KEY = "_mission_control_uploads"  # bumped after an import: a new key is an empty uploader
RESULT_KEY = "_mission_control_import_result"
READ_KEY = "_mission_control_upload_read"


def uploader_key() -> str:
    """The file uploader's key for this run."""
    return f"upload_{st.session_state.get(UPLOADER_KEY, 0)}"


def read(upload) -> RawSheet | None:
    """The uploaded file's rows (read once per file), or None after saying why it cannot be read."""
    data = upload.getvalue()
    cached = st.session_state.get(READ_KEY)
    if cached and cached[0] == (upload.name, len(data), hash(data)):
        return cached[1]
    try:
        raw = read_upload(upload.name, data)
    except FileReadError as exc:
        st.error(md_text(exc))
        return None
    st.session_state[READ_KEY] = ((upload.name, len(data), hash(data)), raw)
    return raw


def import_upload(
    ctx: PageContext, raw: RawSheet, name: str, table: str, session_name: str | None, confirmed: dict[str, str]
) -> None:
    """Save the mapping and import the file in one transaction, then rerun to show what is stored."""
    with st.status(f"Importing {md_text(name)}...", expanded=True) as status:
        st.write(f"Saving the mapping and checking {len(raw.frame)} rows...")
        try:
            result = import_file(
                ctx.url,
                ctx.settings,
                raw,
                table,
                name=name,
                session_name=session_name or None,
                actor=ctx.viewer.email,
                mapping=confirmed,
            )
        except ImportFailed as exc:
            status.update(label="Import refused: nothing was changed.", state="error")
            st.error(md_text(exc))
            return
        status.update(label=f"Imported {md_text(name)}", state="complete")
    st.session_state[RESULT_KEY] = (name, result)
    st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
    st.session_state.pop(READ_KEY, None)
    st.rerun()


def show_last_import() -> None:
    """The import that just finished: counts, columns that fed no field, the first rejections."""
    done = st.session_state.pop(RESULT_KEY, None)
    if done is None:
        return
    name, result = done
    result: ImportResult
    st.success(
        f"Imported {md_text(name)} into {md_text(result.session)}: {result.counts_line()} The column mapping is "
        "saved: every later import of this file uses it.",
        icon=":material/task_alt:",
    )
    if result.columns_not_mapped:
        st.caption(
            "Not mapped, so kept only with the raw rows: "
            + ", ".join(f"'{md_text(c)}'" for c in result.columns_not_mapped)
        )
    for line in result.detail_lines(10)[1 if result.columns_not_mapped else 0 :]:
        st.text(line)
