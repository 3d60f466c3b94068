"""What an import says it did: the rows it stored, rejected and warned about, for people and for --json."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class ImportFailed(Exception):
    """The whole import was refused (e.g. a required column is missing); nothing was written."""


STORED, STORED_WITH_WARNINGS, STORED_WITH_REJECTS = "stored", "stored_with_warnings", "stored_with_rejects"


@dataclass
class Rejection:
    sheet: str
    row_number: int
    column: str | None
    value: str | None
    code: str
    reason: str
    position: int = field(default=-1, repr=False)  # the row's index in the frame (derived sheets repeat row numbers)


@dataclass
class FieldWarning:
    """A field of a stored row that was stored empty, or read with a caveat, and what to do about it."""

    sheet: str
    row_number: int
    column: str
    value: str | None
    code: str
    message: str
    position: int = field(default=-1, repr=False)


@dataclass
class ImportResult:
    table: str
    source: str
    sheet: str
    session: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_blank: int = 0
    rows_with_warnings: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    sync_run_id: int | None = None
    seconds: float = 0.0
    columns_not_mapped: list[str] = field(default_factory=list)
    rejections_changed: bool = False  # the sheet's stored rejections or warnings differ from before this import

    @property
    def status(self) -> str:
        """'stored', 'stored_with_warnings' or 'stored_with_rejects' (what --json and the exit code say)."""
        return STORED_WITH_REJECTS if self.rows_rejected else STORED_WITH_WARNINGS if self.warnings else STORED

    def stored_data_changed(self) -> bool:
        """True when this import changed canonical rows, rejections or warnings (so cached views must reload)."""
        return bool(self.rows_inserted or self.rows_updated or self.rejections_changed)

    def unmapped_notice(self) -> str:
        """A sentence about columns that fed no field (their values stay in the raw rows), or ''."""
        if not self.columns_not_mapped:
            return ""
        names = ", ".join(f"'{c}'" for c in self.columns_not_mapped[:8]) + (
            " ..." if len(self.columns_not_mapped) > 8 else ""
        )
        return (
            f"{len(self.columns_not_mapped)} column(s) of sheet '{self.sheet}' fed no {self.table} field and are kept "
            f"only with the raw rows: {names}. If one should fill a field, map its header in dashboard.toml "
            f"[mapping.{self.table}] and import again."
        )

    def counts_line(self) -> str:
        """'100 read, 99 stored (97 new, 2 changed, 0 unchanged), 1 rejected, 3 with warnings.'"""
        return (
            f"{self.rows_read} read, {self.rows_stored} stored ({self.rows_inserted} new, {self.rows_updated} changed, "
            f"{self.rows_unchanged} unchanged), {self.rows_rejected} rejected"
            + (f", {self.rows_with_warnings} with warnings" if self.rows_with_warnings else "")
            + "."
        )

    def detail_lines(self, limit: int = 10) -> list[str]:
        """The unmapped-columns notice, then each rejection's reason and each warning, at most `limit` of each."""
        lines = [self.unmapped_notice()] if self.columns_not_mapped else []
        for label, entries in (
            ("Rejected", [r.reason for r in self.rejections]),
            ("Warning", [w.message for w in self.warnings]),
        ):
            lines += [f"{label}: {text}" for text in entries[:limit]]
            if len(entries) > limit:
                lines.append(f"... and {len(entries) - limit} more (see the Data page).")
        return lines

    def summary(self) -> dict[str, Any]:
        """The JSON summary printed by ``--json``."""
        data = asdict(self)
        data["status"] = self.status
        for name in ("rejections", "warnings"):
            data[name] = [{k: v for k, v in entry.items() if k != "position"} for entry in data[name]]
        return data


def overall_status(results: list[ImportResult]) -> str:
    """The status of several tables imported together: the worst of theirs."""
    statuses = {r.status for r in results}
    return next((s for s in (STORED_WITH_REJECTS, STORED_WITH_WARNINGS) if s in statuses), STORED)
