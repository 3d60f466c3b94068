"""python -m dashboard mapping suggest FILE --table T [--sheet NAME] [--json] | mapping export [--table T]"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, mapping, mapping_store
from dashboard.cli import emit, fail
from dashboard.criteria import load_criteria
from dashboard.fields import TABLES
from dashboard.file_import import file_source, read_file
from dashboard.sessions import SessionNotFound, find_session
from data_sources.files import FileReadError

NAME = "mapping"
HELP = (
    "Column mappings: 'suggest FILE --table T' prints the [mapping.T] block suggested for a form export (the reasons "
    "as comments), from the same rules as the Data page; 'export' prints the mappings saved in the app."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "action", choices=["suggest", "export"], help="suggest a mapping for a file, or export saved ones"
    )
    parser.add_argument("file", nargs="?", help="the CSV or XLSX export to suggest a mapping for")
    parser.add_argument(
        "--table", choices=sorted(TABLES), help="canonical table the file fills (export: only this one)"
    )
    parser.add_argument("--sheet", help="XLSX sheet to read (default: the first)")


def run(args, settings) -> int:
    if args.action == "export":
        return _export(args, settings)
    if not (args.file and args.table):
        return fail(
            args, "Name a file and its table, e.g. 'python -m dashboard mapping suggest checkins.csv --table checkins'."
        )
    path = Path(args.file)
    try:
        raw = read_file(path, args.sheet)
    except FileReadError as exc:
        return fail(args, str(exc))
    known = mapping_store.known(
        settings.database_url,
        settings,
        args.table,
        session_name=args.session or settings.session_name,
        source=file_source(path.name),
    )
    suggestions = mapping.suggest(raw.frame, args.table, load_criteria(settings), known)
    text = mapping.suggestions_toml(args.table, suggestions)
    fed = sum(1 for s in suggestions if s.target)
    header = (
        f"# Suggested for {path.name} ({len(raw.frame)} rows): {fed} of {len(suggestions)} questions feed a field.\n"
        "# Check each line, then paste the block into dashboard.toml (or confirm it on the Data page).\n"
    )
    emit(
        args,
        {
            "ok": True,
            "file": path.name,
            "table": args.table,
            "toml": text,
            "columns": [
                {
                    "question": s.column,
                    "headers": s.headers,
                    "field": s.target,
                    "confidence": s.confidence,
                    "score": s.score,
                    "reason": s.reason,
                }
                for s in suggestions
            ],
        },
        header + text,
    )
    return 0


def _export(args, settings) -> int:
    url = settings.database_url
    dbmod.migrate(url)
    try:
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, args.session)
            session_id, name = session.id, session.name
    except SessionNotFound as exc:
        return fail(args, str(exc))
    text = mapping_store.export_toml(url, session_id, args.table)
    if not text:
        return fail(
            args,
            f"No column mapping is saved for {name}{' and ' + args.table if args.table else ''}; "
            "confirm one on the Data page after an upload or a sync.",
        )
    emit(args, {"ok": True, "session": name, "toml": text}, text)
    return 0
