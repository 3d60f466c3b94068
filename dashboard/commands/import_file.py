"""python -m dashboard import FILE --table TABLE [--sheet NAME] [--json]"""
from __future__ import annotations

from pathlib import Path

from dashboard import db as dbmod
from dashboard.cli import emit, fail
from dashboard.fields import TABLES
from dashboard.file_import import import_file, read_file
from dashboard.importer import ImportFailed
from data_sources.files import FileReadError

NAME = "import"
HELP = "Import a CSV or XLSX export into one canonical table (one transaction; re-importing changes nothing)."


def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="?", help="CSV or XLSX file (omit with --all)")
    parser.add_argument("--table", choices=sorted(TABLES), help="canonical table the file fills")
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    parser.add_argument("--all", action="store_true", help="import every file listed in [sources.files]")


def run(args, settings) -> int:
    url = settings.database_url
    if args.all:
        files = settings.section("sources").get("files", {})
        if not files:
            return fail(args, "No files are listed in dashboard.toml [sources.files]; add 'checkins = \"path.csv\"' lines.")
        jobs = [(Path(path), table, None) for table, path in files.items()]
    elif args.file and args.table:
        jobs = [(Path(args.file), args.table, args.sheet)]
    else:
        return fail(args, "Name a file and its table, e.g. 'python -m dashboard import checkins.csv --table checkins'.")
    dbmod.migrate(url)
    summaries = []
    for path, table, sheet in jobs:
        try:
            result = import_file(url, settings, read_file(path, sheet), table, name=path.name, session_name=args.session)
        except (FileReadError, ImportFailed) as exc:
            return fail(args, str(exc), imported=summaries)
        summaries.append(result.summary())
        lines = [f"{path.name} -> {table} ({result.session}): {result.rows_read} rows read, {result.rows_stored} stored "
                 f"({result.rows_inserted} new, {result.rows_updated} changed, {result.rows_unchanged} unchanged), "
                 f"{result.rows_rejected} rejected."]
        lines += [f"  {result.unmapped_notice()}"] if result.columns_not_mapped else []
        lines += [f"  {r.reason}" for r in result.rejections[:20]]
        if len(result.rejections) > 20:
            lines.append(f"  ... and {len(result.rejections) - 20} more (see the Data page).")
        if not args.json:
            print("\n".join(lines))
    if args.json:
        emit(args, summaries[0] if len(summaries) == 1 else {"imports": summaries}, "")
    return 0
