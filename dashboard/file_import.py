"""Importing one CSV or XLSX export into one canonical table: the CLI's `import` and the Data page's upload.

Both name the source after the file ('file:<name>'), so a file imported from the command line and
uploaded in the app is one source, with one saved column mapping.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboard.config import Settings
from dashboard.importer import ImportResult, TableInput, import_tables
from data_sources.files import FILE_TYPES, RawSheet, read_table  # noqa: F401 (FILE_TYPES: for the Data page)


def file_source(name: str) -> str:
    """The source name raw rows, runs and saved mappings of a file are recorded under."""
    return f"file:{Path(name).name}"


def read_file(path: str | Path, sheet: str | None = None) -> RawSheet:
    """The named sheet, else the first sheet holding a table, as raw strings; FileReadError says what to do."""
    return read_table(path, sheet)


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
