"""python -m dashboard sync [--json]: read the configured Google spreadsheet into the database."""

from __future__ import annotations

import sys

from dashboard.cli import emit, fail, import_exit_code
from dashboard.importer import overall_status
from dashboard.sync import SyncError, spreadsheet_configured, sync_spreadsheet

NAME = "sync"
HELP = (
    "Read every tab listed in dashboard.toml [sources.tabs] from the Google spreadsheet in [sources] and store "
    "it in one transaction (2 API requests). Exit code 0: every row stored; 3: stored, but some rows were "
    "rejected (listed with the reason); 1: failed, nothing changed. Cron can rely on it."
)


def add_arguments(parser) -> None:
    parser.add_argument("--spreadsheet", help="spreadsheet URL or key (default: [sources] spreadsheet)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr (cron)")


def _progress(args):
    if args.json or args.quiet:
        return None
    return lambda message: print(f"... {message}", file=sys.stderr, flush=True)


def run(args, settings) -> int:
    spreadsheet = args.spreadsheet or spreadsheet_configured(settings)
    if not spreadsheet:
        return fail(
            args,
            "No spreadsheet is configured; set [sources] spreadsheet in dashboard.toml to the sheet's URL "
            "and list its tabs in [sources.tabs] (see docs/google_sheets.md).",
            reason="not_configured",
        )
    try:
        outcome = sync_spreadsheet(
            settings.database_url,
            settings,
            progress=_progress(args),
            session_name=args.session,
            spreadsheet=spreadsheet,
        )
    except SyncError as exc:
        return fail(args, exc.user_message, reason=exc.reason)
    lines = [
        f"Synced '{outcome.spreadsheet_title}' ({outcome.locale or 'unknown locale'}, {outcome.time_zone or 'UTC'}) "
        f"with {outcome.requests} API requests in {outcome.seconds:g} s."
    ]
    for r in outcome.results:
        lines.append(f"  {r.sheet} -> {r.table} ({r.session}): {r.counts_line()}")
        lines += [f"    {line}" for line in r.detail_lines()]
    for tab in outcome.empty_tabs:
        lines.append(f"  {tab}: empty tab, nothing to import.")
    emit(args, outcome.summary(), "\n".join(lines))
    return import_exit_code(overall_status(outcome.results))
