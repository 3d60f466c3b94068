"""CSV and XLSX exports (Google Forms, Djangonaut Space's site, spreadsheets) as raw strings."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


CSV_SUFFIXES = (".csv", ".tsv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods")  # .ods: LibreOffice Calc (pandas reads it with odfpy)
# Every file type read_sheets reads (a .zip holding one CSV is how a browser may save Google Forms' download).
FILE_TYPES = tuple(s.lstrip(".") for s in (*CSV_SUFFIXES, ".zip", *SHEET_SUFFIXES))


class FileReadError(Exception):
    """A file that cannot be read as a table; the message says what to do."""


@dataclass
class RawSheet:
    """One sheet of raw strings and the source's own row number of each data row."""

    name: str
    frame: pd.DataFrame
    row_numbers: list[int]


def as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as a string and every column named: trimmed headers, 'Column N' for an unnamed one with data."""
    frame = frame.fillna("").astype(str)
    frame.columns = [str(c).strip() if not str(c).startswith("Unnamed:") else "" for c in frame.columns]
    # Columns with an empty header and no data are the trailing empty cells of an export.
    keep = [i for i, c in enumerate(frame.columns) if c or frame.iloc[:, i].str.strip().any()]
    frame = frame.iloc[:, keep]
    frame.columns = [c or f"Column {keep[i] + 1}" for i, c in enumerate(frame.columns)]
    return frame


def unique_headers(headers: list[str]) -> list[str]:
    """Repeated non-empty headers become 'X', 'X.1', ... as pandas names them in CSV files."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        if h and h in seen:
            seen[h] += 1
            out.append(f"{h}.{seen[h]}")
        else:
            seen.setdefault(h, 0)
            out.append(h)
    return out


HEADER_SEARCH_ROWS = 10


def header_row(rows: pd.DataFrame) -> int:
    """The index of the header row: the first with two or more filled cells, past a title or blank rows above it.

    Organisers often put a title row (and a blank row) above a sheet's headers; a sheet whose first
    rows all have at most one filled cell keeps its first row as the header.
    """
    for index in range(min(len(rows), HEADER_SEARCH_ROWS)):
        if rows.iloc[index].astype(str).str.strip().ne("").sum() >= 2:
            return index
    return 0


def raw_sheet_from_rows(name: str, rows: pd.DataFrame, first_row: int = 1) -> RawSheet:
    """A sheet read without headers (every cell a string) as a RawSheet; first_row is the sheet's number of rows[0]."""
    if rows.empty:
        return RawSheet(name, pd.DataFrame(), [])
    rows = rows.fillna("").astype(str)
    top = header_row(rows)
    body = rows.iloc[top + 1 :].reset_index(drop=True)
    body.columns = unique_headers([str(h).strip() for h in rows.iloc[top]])
    return RawSheet(name, as_strings(body), [first_row + top + 1 + i for i in range(len(body))])


# A CSV saved by Excel in a European locale separates cells with ';' (and quotes only cells holding a ';').
DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The delimiter that cuts the first rows into the same number (2 or more) of cells; ',' when none does."""
    for delimiter in DELIMITERS:
        rows = itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 50)
        widths = {len(r) for r in rows if any(cell.strip() for cell in r)}
        if len(widths) == 1 and widths.pop() >= 2:
            return delimiter
    return ","


def _decode(data: bytes) -> str:
    """UTF-8 (the byte-order mark Excel and the site write is dropped), UTF-16 with its mark (Excel's 'Unicode
    Text'), else Windows-1252 (Excel's 'CSV' on Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv(data: bytes, name: str) -> dict[str, pd.DataFrame]:
    """Every row of a CSV as strings, short rows (a title row above the headers) padded to the widest."""
    text = _decode(data)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    width = max((len(r) for r in rows), default=0)
    return {name: pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)}


def _zipped_csv(path: Path) -> dict[str, pd.DataFrame]:
    """The one CSV inside a .zip (a browser may save Google Forms' download as 'Form name.csv.zip')."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
        if len(names) != 1:
            raise FileReadError(f"{path.name} holds {len(names)} CSV files; unzip it and import the one you mean.")
        return _csv(archive.read(names[0]), Path(names[0]).stem)


def read_sheets(path: str | Path, sheet: str | None = None) -> list[RawSheet]:
    """Read a CSV (one sheet named after the file; also zipped) or an XLSX (each sheet, or the one named)."""
    path = Path(path)
    if not path.exists():
        raise FileReadError(f"File {path} not found; check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            sheets = _csv(path.read_bytes(), path.stem)
        elif suffix == ".zip":
            sheets = _zipped_csv(path)
        elif suffix in SHEET_SUFFIXES:
            sheets = pd.read_excel(
                path, sheet_name=sheet if sheet else None, header=None, dtype=str, keep_default_na=False
            )
            if isinstance(sheets, pd.DataFrame):
                sheets = {sheet: sheets}
        else:
            raise FileReadError(
                f"{path.name} is neither CSV (zipped or not), XLSX nor ODS; export the sheet as CSV or Excel and try again."
            )
    except FileReadError:
        raise
    except ValueError as exc:
        if sheet and "not found" in str(exc).lower():
            names = pd.ExcelFile(path).sheet_names
            raise FileReadError(f"Sheet '{sheet}' not found in {path.name}; sheets found: {', '.join(names)}.") from exc
        raise FileReadError(
            f"{path.name} could not be read as a table ({exc}); export it again as CSV or XLSX."
        ) from exc
    except Exception as exc:
        raise FileReadError(
            f"{path.name} could not be read as a table ({exc}); export it again as CSV or XLSX."
        ) from exc
    return [raw_sheet_from_rows(name, frame) for name, frame in sheets.items()]


def read_table(path: str | Path, sheet: str | None = None) -> RawSheet:
    """The named sheet, else the first sheet holding a table; FileReadError says what to do.

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
