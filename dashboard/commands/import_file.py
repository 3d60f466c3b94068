"""python -m dashboard import FILE --table TABLE [--sheet NAME] [--json]"""

from __future__ import annotations

from pathlib import Path

from dashboard import db as dbmod
from dashboard.cli import emit, fail, import_exit_code
from dashboard.fields import TABLES
from dashboard.file_import import import_file, read_file
from dashboard.importer import ImportFailed, overall_status
from data_sources.files import FileReadError

NAME = "import"
HELP = (
    "Import a CSV or XLSX export into one canonical table (one transaction; re-importing changes nothing). "
    "Exit code 0: every row stored; 3: stored, but some rows were rejected (listed with the reason); 1: refused."
)


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
            return fail(
                args, "No files are listed in dashboard.toml [sources.files]; add 'checkins = \"path.csv\"' lines."
            )
        jobs = [(Path(path), table, None) for table, path in files.items()]
    elif args.file and args.table:
        jobs = [(Path(args.file), args.table, args.sheet)]
    else:
        return fail(args, "Name a file and its table, e.g. 'python -m dashboard import checkins.csv --table checkins'.")
    dbmod.migrate(url)
    results = []
    for path, table, sheet in jobs:
        try:
            result = import_file(
                url, settings, read_file(path, sheet), table, name=path.name, session_name=args.session
            )
        except (FileReadError, ImportFailed) as exc:
            return fail(args, str(exc), imported=[r.summary() for r in results])
        results.append(result)
        if not args.json:
            print(
                "\n".join(
                    [f"{path.name} -> {table} ({result.session}): {result.counts_line()}"]
                    + [f"  {line}" for line in result.detail_lines(20)]
                )
            )
    status = overall_status(results)
    if args.json:
        summaries = [r.summary() for r in results]
        emit(args, summaries[0] if len(summaries) == 1 else {"status": status, "imports": summaries}, "")
    return import_exit_code(status)
