"""python -m dashboard djangonaut-space import FILE | export [-o FILE]

Interop with Djangonaut Space's site: import its application "Full CSV" export
(applications, one review per '<name> score' column, Selection Rank) and export decisions
as the 'Response ID, Score, Selection Rank' CSV its score import accepts.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, store
from dashboard.cli import emit, fail
from dashboard.config import Settings, with_overrides
from dashboard.exports import decisions_csv
from dashboard.importer import ImportFailed, ImportResult, TableInput, import_tables
from dashboard.sessions import SessionNotFound, find_session
from data_sources.djangonaut_space import DS_APPLICATION_MAPPING, FullExport, read_full_export
from data_sources.files import FileReadError

NAME = "djangonaut-space"
HELP = ("Djangonaut Space's site: 'import FILE' reads its application Full CSV export (Response ID, Submitter Name, "
        "questions, '<name> score' columns, Score, Selection Rank) into applications, reviews and decision ranks; "
        "'export' writes decisions as the 'Response ID, Score, Selection Rank' CSV its import accepts.")


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["import", "export"], help="import a Full CSV, or export decisions")
    parser.add_argument("file", nargs="?", help="the Full CSV to import")
    parser.add_argument("-o", "--output", help="where to write the export (default: print it)")


def import_full_export(url: str, settings: Settings, export: FullExport, *, source: str,
                       session_name: str | None = None) -> list[ImportResult]:
    """Store a split Full CSV (applications, reviews, ranks) in one transaction."""
    mapping = dict(settings.section("mapping"))
    mapping["applications"] = {**mapping.get("applications", {}), **DS_APPLICATION_MAPPING}
    run_settings = with_overrides(settings, mapping=mapping)
    inputs = [TableInput("applications", export.applications.frame, export.applications.name, export.applications.row_numbers)]
    for table, sheet in (("reviews", export.reviews), ("decisions", export.decisions)):
        if len(sheet.frame):
            inputs.append(TableInput(table, sheet.frame, sheet.name, sheet.row_numbers))
    return import_tables(url, run_settings, inputs, source=source, session_name=session_name)


def export_decisions(url: str, settings: Settings, session_name: str | None = None) -> str:
    """The session's decisions as Djangonaut Space's 'Response ID, Score, Selection Rank' CSV."""
    with OrmSession(dbmod.get_engine(url)) as db:
        session_id = find_session(db, settings, session_name).id
    return decisions_csv(store.load_table(url, session_id, "decisions"), store.load_table(url, session_id, "reviews"))


def run(args, settings) -> int:
    url = settings.database_url
    dbmod.migrate(url)
    if args.action == "export":
        try:
            text = export_decisions(url, settings, args.session)
        except SessionNotFound as exc:
            return fail(args, f"Nothing to export: {exc}")
        rows = max(0, text.count("\n") - 1)
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                return fail(args, f"Could not write {args.output} ({exc.strerror or exc}); choose a file you can write to.")
            emit(args, {"ok": True, "file": args.output, "rows": rows}, f"Wrote {rows} decisions to {args.output}.")
        elif args.json:
            emit(args, {"ok": True, "rows": rows, "csv": text}, "")
        else:
            print(text, end="")
        return 0
    if not args.file:
        return fail(args, "Name the Full CSV to import, e.g. 'python -m dashboard djangonaut-space import full.csv'.")
    path = Path(args.file)
    try:
        export = read_full_export(path)
        results = import_full_export(url, settings, export, source=f"djangonaut_space:{path.name}",
                                     session_name=args.session)
    except (FileReadError, ImportFailed) as exc:
        return fail(args, str(exc))
    lines = [f"{path.name}: {len(export.scorers)} scorers ({', '.join(export.scorers) or 'none'})."]
    for r in results:
        lines.append(f"  -> {r.table} ({r.session}): {r.rows_read} read, {r.rows_stored} stored ({r.rows_inserted} new, "
                     f"{r.rows_updated} changed), {r.rows_rejected} rejected.")
        lines += [f"     {rej.reason}" for rej in r.rejections[:10]]
    lines += [f"  Note: {note}" for note in export.notes]
    emit(args, {"ok": True, "scorers": export.scorers, "notes": export.notes,
                "tables": {r.table: r.summary() for r in results}}, "\n".join(lines))
    return 0
