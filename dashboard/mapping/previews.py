"""How the first rows would be read with a mapping, by the importer's own matching and validation."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.config import Settings
from dashboard.importer import ImportFailed, map_columns, validate_rows
from dashboard.sessions import Session


@dataclass
class Preview:
    """How the first rows would be read with a mapping: nothing is stored."""

    rows: pd.DataFrame  # Row, Result, the canonical fields as they would be stored, Reason
    stored: int = 0
    rejected: int = 0
    blank: int = 0
    warnings: list[str] = field(default_factory=list)  # field-level warnings of rows that would be stored
    not_fed: list[str] = field(default_factory=list)  # headers no field reads: kept as extra answers or raw rows
    error: str = ""  # the whole import would be refused (e.g. a required column is not mapped)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return (
            f"{len(value)} slots"
            if value and all(isinstance(v, (int, float)) for v in value)
            else ", ".join(map(str, value))
        )
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def preview(
    frame: pd.DataFrame,
    table: str,
    mapping: dict[str, str],
    settings: Settings,
    session: Session,
    *,
    sheet: str,
    row_numbers: list[int] | None = None,
    limit: int = 10,
) -> Preview:
    """Run the importer's own column matching and validation on the first rows, storing nothing."""
    head = frame.head(limit).copy()
    head.columns = [str(c) for c in head.columns]
    numbers = list(row_numbers or [i + 2 for i in range(len(frame))])[: len(head)]
    try:
        colmap = map_columns(list(head.columns), table, mapping, settings, sheet)
    except ImportFailed as exc:
        return Preview(pd.DataFrame(), error=str(exc))
    good, rejected, blank, field_warnings = validate_rows(
        head, table, colmap, sheet=sheet, row_numbers=numbers, settings=settings, session=session
    )
    by_row: dict[int, list[str]] = {}
    for warning in field_warnings:
        by_row.setdefault(warning.row_number, []).append(warning.message)
    records = []
    for position, row in good:
        number = numbers[position]
        notes = by_row.get(number, [])
        records.append(
            {
                "Row": number,
                "Result": "stored, with a warning" if notes else "stored",
                **{k: _shown(v) for k, v in row.items() if k != "extra"},
                "Reason": " ".join(notes),
            }
        )
    for rejection in rejected:
        records.append({"Row": rejection.row_number, "Result": "rejected", "Reason": rejection.reason})
    rows = pd.DataFrame(records).sort_values("Row", kind="stable") if records else pd.DataFrame()
    if len(rows):
        rows = rows[[c for c in rows.columns if c != "Reason"] + ["Reason"]]
    return Preview(
        rows.fillna("") if len(rows) else rows,
        stored=len(good),
        rejected=len(rejected),
        blank=blank,
        warnings=[w for notes in by_row.values() for w in notes],
        not_fed=colmap.extra + colmap.unmapped,
    )
