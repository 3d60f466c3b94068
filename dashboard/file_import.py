"""Importing one CSV or XLSX export into one canonical table: the CLI's `import` and the Data page's upload.

Both name the source after the file ('file:<name>'), so a file imported from the command line and
uploaded in the app is one source, with one saved column mapping.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboard.config import Settings
from dashboard.importer import ImportResult, TableInput, import_tables
from data_sources.files import FILE_TYPES, FileReadError, RawSheet, read_sheets  # noqa: F401 (FILE_TYPES: for the Data page)


def file_source(name: str) -> str:
    """The source name raw rows, runs and saved mappings of a file are recorded under."""
    return f"file:{Path(name).name}"


def read_file(path: str | Path, sheet: str | None = None) -> RawSheet:
    """The named XLSX sheet, else the first sheet holding a table, as raw strings; FileReadError says what to do.

    A workbook often starts with a notes or instructions sheet (one column) before the form's
    responses: the first sheet with two or more columns and an answered row is the one meant.
    """
    sheets = read_sheets(path, sheet)
    chosen = next((s for s in sheets if s.frame.shape[1] >= 2 and s.frame.ne("").any(axis=None)), sheets[0])
    if chosen.frame.columns.empty:
        raise FileReadError(
            f"Sheet '{chosen.name}' of {Path(path).name} is empty (no header row); download the export again and "
            "import that file."
        )
    return chosen


def read_upload(name: str, data: bytes, sheet: str | None = None) -> RawSheet:
    """An uploaded file's first sheet, read by the same reader as files on disk (via a private temporary copy)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return read_file(path, sheet)


def import_file(
    url: str,
    settings: Settings,
    raw: RawSheet,
    table: str,
    *,
    name: str,
    session_name: str | None = None,
    actor: str | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Import a read file into one table in one transaction; a confirmed mapping is saved for the file with it."""
    return import_tables(
        url,
        settings,
        [TableInput(table, raw.frame, raw.name, raw.row_numbers)],
        source=file_source(name),
        session_name=session_name,
        actor=actor,
        about=Path(name).name,
        save_mappings={table: mapping} if mapping is not None else None,
    )[0]
