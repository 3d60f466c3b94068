"""Sync the configured Google spreadsheet into the database (CLI, Data page and cron).

Reading (data_sources.google_sheets) and storing (dashboard.importer) are separate steps:
the spreadsheet is read completely first, then every tab is imported in ONE transaction,
so a failure anywhere leaves the previous data exactly as it was and is recorded as a
failed sync run with the sentence the user sees.

This is the one place that turns dashboard.toml [sources] and the secrets into the plain
arguments the connector takes (spreadsheet, tabs, service account key, base URL, retries).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from dashboard import db as dbmod
from dashboard.config import PROJECT_ROOT, ConfigError, Settings, secrets_file_section, with_overrides
from dashboard.importer import ImportFailed, ImportResult, TableInput, import_tables, overall_status, record_failed_run
from data_sources import google_sheets as gs
from data_sources.google_sheets import SpreadsheetRead, SyncError

__all__ = [
    "SyncError",
    "SyncOutcome",
    "SourceStatus",
    "SpreadsheetRead",
    "sync_spreadsheet",
    "read_configured",
    "source_name",
    "spreadsheet_configured",
    "configured_tabs",
    "retry_policy",
    "service_account_info",
    "source_statuses",
]

Progress = Callable[[str], None]
SECRETS_SECTION = "gcp_service_account"
# The order tables are imported in: people and teams before the rows that refer to them.
TABLE_ORDER = ("people", "teams", "applications", "reviews", "decisions", "checkins", "surveys")


@dataclass
class SyncOutcome:
    """A finished sync: what was read, what each table stored, and the cost in requests and time."""

    source: str
    spreadsheet_title: str
    locale: str
    time_zone: str
    date_order: str
    results: list[ImportResult] = field(default_factory=list)
    empty_tabs: list[str] = field(default_factory=list)
    requests: int = 0
    read_seconds: float = 0.0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON summary printed by `python -m dashboard sync --json`."""
        return {
            "ok": True,
            "status": overall_status(self.results),
            "source": self.source,
            "spreadsheet": self.spreadsheet_title,
            "locale": self.locale,
            "time_zone": self.time_zone,
            "date_order": self.date_order,
            "requests": self.requests,
            "read_seconds": self.read_seconds,
            "seconds": self.seconds,
            "empty_tabs": self.empty_tabs,
            "rows_read": sum(r.rows_read for r in self.results),
            "rows_stored": sum(r.rows_stored for r in self.results),
            "rows_rejected": sum(r.rows_rejected for r in self.results),
            "rows_with_warnings": sum(r.rows_with_warnings for r in self.results),
            "tables": {r.table: r.summary() for r in self.results},
        }


def spreadsheet_configured(settings: Settings) -> str | None:
    """The configured spreadsheet (key or URL), or None when there is none."""
    value = str(settings.section("sources").get("spreadsheet") or "").strip()
    return value or None


def configured_tabs(settings: Settings) -> dict[str, str]:
    """Canonical table -> tab title from [sources.tabs], in import order."""
    tabs = {str(k): str(v) for k, v in settings.section("sources").get("tabs", {}).items() if str(v).strip()}
    unknown = [t for t in tabs if t not in TABLE_ORDER]
    if unknown:
        raise SyncError(
            f"dashboard.toml [sources.tabs] names unknown table(s) {', '.join(unknown)}; use: "
            f"{', '.join(TABLE_ORDER)}.",
            "config",
        )
    return {t: tabs[t] for t in TABLE_ORDER if t in tabs}


def retry_policy(settings: Settings) -> gs.RetryPolicy:
    """The policy from dashboard.toml [sources] (request_timeout, max_attempts, retry_total_seconds ...)."""
    cfg = settings.section("sources")
    default = gs.RetryPolicy()
    return gs.RetryPolicy(
        timeout=float(cfg.get("request_timeout", default.timeout)),
        max_attempts=max(1, int(cfg.get("max_attempts", default.max_attempts))),
        base_delay=float(cfg.get("retry_base_delay", default.base_delay)),
        max_delay=float(cfg.get("retry_max_delay", default.max_delay)),
        total_seconds=float(cfg.get("retry_total_seconds", default.total_seconds)),
    )


def service_account_info(settings: Settings, secrets: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The service account key: Streamlit secrets [gcp_service_account], the key file, or .streamlit/secrets.toml."""
    if secrets is not None and secrets.get(SECRETS_SECTION):
        return dict(secrets[SECRETS_SECTION])
    key_file = settings.section("sources").get("service_account_file")
    if key_file:
        path = Path(key_file).expanduser()
        if not path.is_absolute():  # relative to the folder of dashboard.toml
            path = (settings.path.parent if settings.path else PROJECT_ROOT) / path
        return gs.read_key_file(path)
    try:
        found = secrets_file_section(SECRETS_SECTION)
    except ConfigError as exc:
        raise SyncError(str(exc), "credentials") from exc
    if found:
        return found
    raise SyncError(
        "No Google service account is configured; add [gcp_service_account] to .streamlit/secrets.toml "
        "or set [sources] service_account_file in dashboard.toml (see docs/google_sheets.md).",
        "credentials",
    )


def source_name(spreadsheet: str) -> str:
    """The stable source name sync runs and raw rows are recorded under ('google_sheets:<key>')."""
    try:
        return f"google_sheets:{gs.spreadsheet_key(spreadsheet)}"
    except SyncError:
        return f"google_sheets:{spreadsheet.strip()}"


def sheet_import_settings(settings: Settings, locale: str, time_zone: str) -> tuple[Settings, str]:
    """Settings whose [import] date order and time zone are the spreadsheet's own, for this run only."""
    options = dict(settings.section("import"))
    order = gs.date_order_for_locale(locale)
    if order:
        options["date_order"] = order
    if time_zone:
        options["timezone"] = time_zone
    return with_overrides(settings, **{"import": options}), str(options.get("date_order", "MDY"))


def read_configured(
    settings: Settings, spreadsheet: str, secrets: Mapping[str, Any] | None = None, progress: Progress | None = None
) -> SpreadsheetRead:
    """Every configured tab of the spreadsheet as raw strings (for a sync, or to map its questions)."""
    cfg = settings.section("sources")
    return gs.read_spreadsheet(
        spreadsheet,
        configured_tabs(settings),
        service_account_info(settings, secrets),
        base_url=str(cfg.get("sheets_api_url") or gs.DEFAULT_API_URL),
        policy=retry_policy(settings),
        progress=progress,
    )


def sync_spreadsheet(
    url: str,
    settings: Settings,
    secrets: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    session_name: str | None = None,
    spreadsheet: str | None = None,
    actor: str | None = None,
) -> SyncOutcome:
    """Read every configured tab of the spreadsheet and import them all in one audited transaction (actor: who asked)."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    spreadsheet = spreadsheet or spreadsheet_configured(settings) or ""
    source = source_name(spreadsheet) if spreadsheet else "google_sheets"
    dbmod.migrate(url)  # outside the handling below: an unreachable database is not a sync failure to record
    try:
        read = read_configured(settings, spreadsheet, secrets, say)
    except SyncError as exc:
        record_failed_run(url, settings, source=source, kind="sync", error=exc, session_name=session_name, actor=actor)
        raise
    except Exception as exc:  # an unexpected failure still ends in a sentence and a recorded run
        error = SyncError(
            f"Reading the spreadsheet failed unexpectedly ({type(exc).__name__}: {exc}); try again, "
            "and report it if it keeps happening.",
            "unexpected",
        )
        record_failed_run(
            url, settings, source=source, kind="sync", error=error, session_name=session_name, actor=actor
        )
        raise error from exc

    run_settings, date_order = sheet_import_settings(settings, read.locale, read.time_zone)
    inputs = [TableInput(table, sheet.frame, sheet.name, sheet.row_numbers) for table, sheet in read.sheets.items()]
    outcome = SyncOutcome(
        source=source,
        spreadsheet_title=read.title,
        locale=read.locale,
        time_zone=read.time_zone,
        date_order=date_order,
        empty_tabs=read.empty_tabs,
        requests=read.requests,
        read_seconds=read.seconds,
    )
    rows = sum(len(i.frame) for i in inputs)
    say(f"Storing {rows} rows from {len(inputs)} tabs ({', '.join(i.table for i in inputs)}) in one transaction")
    try:
        # import_tables records the failed run itself before re-raising.
        outcome.results = import_tables(
            url,
            run_settings,
            inputs,
            source=source,
            kind="sync",
            session_name=session_name,
            actor=actor,
            about=read.title,
        )
    except ImportFailed as exc:
        raise SyncError(str(exc), "import_failed") from exc
    except Exception as exc:
        raise SyncError(
            f"Storing the rows failed, nothing was changed ({type(exc).__name__}: {exc}); try again, and "
            "report it if it keeps happening.",
            "storage",
        ) from exc
    outcome.seconds = round(time.perf_counter() - started, 3)
    say(
        f"Done: {sum(r.rows_stored for r in outcome.results)} rows stored, "
        f"{sum(r.rows_rejected for r in outcome.results)} rejected"
    )
    return outcome


@dataclass
class SourceStatus:
    """What the Data page shows for one source, from the recorded sync runs (never from Google)."""

    source: str
    configured: bool
    last_ok_at: Any = None
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    seconds: float | None = None
    tables: list[dict[str, Any]] = field(default_factory=list)
    last_error: str | None = None
    last_error_at: Any = None
    failing_now: bool = False  # the latest attempt failed (after the last success, if any)
    attempts: int = 0


def source_statuses(runs: pd.DataFrame, settings: Settings) -> list[SourceStatus]:
    """Per Google Sheets source: the last successful sync and the last failed attempt (newest runs first)."""
    configured = spreadsheet_configured(settings)
    wanted = source_name(configured) if configured else None
    sync_runs = runs[runs["source"].astype(str).str.startswith("google_sheets")]
    sources = [wanted] if wanted else []
    sources += [s for s in dict.fromkeys(sync_runs["source"]) if s != wanted]
    statuses = []
    for source in sources:
        mine = sync_runs[sync_runs["source"] == source]
        status = SourceStatus(source=source, configured=source == wanted, attempts=len(mine))
        ok, failed = mine[mine["status"] == "ok"], mine[mine["status"] == "failed"]
        if len(ok):
            last = ok.iloc[0]
            status.last_ok_at = last["finished_at"]
            status.rows_read, status.rows_stored, status.rows_rejected = (
                int(last["rows_read"] or 0),
                int(last["rows_stored"] or 0),
                int(last["rows_rejected"] or 0),
            )
            status.seconds = None if pd.isna(last.get("seconds")) else float(last["seconds"])
            summary = last.get("summary") or {}
            status.tables = list(summary.get("tables", [])) if isinstance(summary, dict) else []
        if len(failed):
            last_failed = failed.iloc[0]
            status.last_error, status.last_error_at = last_failed["error"], last_failed["started_at"]
            status.failing_now = not len(ok) or int(last_failed["id"]) > int(ok.iloc[0]["id"])
        statuses.append(status)
    return statuses
