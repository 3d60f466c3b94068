"""CSV and XLSX exports (Google Forms, Djangonaut Space's site, spreadsheets) as raw strings."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


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


def _csv(source, name: str) -> dict[str, pd.DataFrame]:
    # utf-8-sig: the byte-order mark Djangonaut Space's site (and Excel) write is not part of the first header.
    return {name: pd.read_csv(source, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")}


def _zipped_csv(path: Path) -> dict[str, pd.DataFrame]:
    """The one CSV inside a .zip (a browser may save Google Forms' download as 'Form name.csv.zip')."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
        if len(names) != 1:
            raise FileReadError(f"{path.name} holds {len(names)} CSV files; unzip it and import the one you mean.")
        return _csv(io.BytesIO(archive.read(names[0])), Path(names[0]).stem)


def read_sheets(path: str | Path, sheet: str | None = None) -> list[RawSheet]:
    """Read a CSV (one sheet named after the file; also zipped) or an XLSX (each sheet, or the one named)."""
    path = Path(path)
    if not path.exists():
        raise FileReadError(f"File {path} not found; check the path.")
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            sheets = _csv(path, path.stem)
        elif suffix == ".zip":
            sheets = _zipped_csv(path)
        elif suffix in {".xlsx", ".xlsm"}:
            sheets = pd.read_excel(path, sheet_name=sheet if sheet else None, dtype=str, keep_default_na=False)
            if isinstance(sheets, pd.DataFrame):
                sheets = {sheet: sheets}
        else:
            raise FileReadError(
                f"{path.name} is neither CSV (zipped or not) nor XLSX; export the sheet as CSV or Excel and try again."
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
    # Row 1 holds the headers, so the first data row is row 2, as the spreadsheet shows it.
    return [RawSheet(name, as_strings(frame), [i + 2 for i in range(len(frame))]) for name, frame in sheets.items()]
