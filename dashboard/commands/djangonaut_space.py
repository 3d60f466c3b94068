"""python -m dashboard djangonaut-space import FILE [--reviewer NAME] | export [-o FILE]

Interop with Djangonaut Space's site: import its application "Full CSV" export
(applications, one review per '<name> score' column, Score and Selection Rank) or its
"Single Scorer CSV" (one organiser's score per long answer), and export decisions as the
'Response ID, Score, Selection Rank' CSV its score import accepts (dashboard.exports.SITE_EXPORT_RULE).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, reads
from dashboard.cli import emit, fail, import_exit_code
from dashboard.config import Settings, with_overrides
from dashboard.exports import SITE_EXPORT_RULE, decisions_export_frame, export_left_out, safe_csv
from dashboard.importer import ImportFailed, ImportResult, TableInput, import_tables, overall_status
from dashboard.sessions import SessionNotFound, find_session
from data_sources.djangonaut_space import DS_APPLICATION_MAPPING, FullExport, SingleScorerExport, read_site_export
from data_sources.files import FileReadError

NAME = "djangonaut-space"
HELP = (
    "Djangonaut Space's site: 'import FILE' reads its application Full CSV export (Response ID, Submitter Name, "
    "questions, '<name> score' columns, Score, Selection Rank) into applications, reviews and decisions, or its "
    "Single Scorer CSV (with --reviewer) into reviews; exit code 0 when every row was stored, 3 when some were "
    "rejected, 1 when refused. 'export' writes decisions as the 'Response ID, Score, Selection Rank' CSV its score "
    "import accepts."
)
DESCRIPTION = HELP + " " + SITE_EXPORT_RULE


def add_arguments(parser) -> None:
    parser.add_argument(
        "action", choices=["import", "export"], help="import a Full or Single Scorer CSV, or export decisions"
    )
    parser.add_argument("file", nargs="?", help="the CSV to import")
    parser.add_argument("--reviewer", help="whose scores a Single Scorer CSV holds (a name or e-mail)")
    parser.add_argument("-o", "--output", help="where to write the export (default: print it)")


def _mapping_with(settings: Settings, table: str, added: dict[str, str]) -> Settings:
    """Settings whose [mapping.<table>] also maps the site's own headers (the config's own lines win)."""
    mapping = dict(settings.section("mapping"))
    mapping[table] = {**added, **mapping.get(table, {})}
    return with_overrides(settings, mapping=mapping)


def import_full_export(
    url: str, settings: Settings, export: FullExport, *, source: str, session_name: str | None = None
) -> list[ImportResult]:
    """Store a split Full CSV (applications, reviews, decisions) in one transaction; a rejected application takes its rows with it."""
    added = {**DS_APPLICATION_MAPPING, **({export.email_column: "email"} if export.email_column else {})}
    run_settings = _mapping_with(settings, "applications", added)
    apps = export.applications
    inputs = [TableInput("applications", apps.frame, apps.name, apps.row_numbers, choice_keys=True)]
    for table, sheet in (("reviews", export.reviews), ("decisions", export.decisions)):
        if len(sheet.frame):
            inputs.append(TableInput(table, sheet.frame, sheet.name, sheet.row_numbers, rows_of=apps.name))
    return import_tables(url, run_settings, inputs, source=source, session_name=session_name)


def import_single_scorer(
    url: str, settings: Settings, export: SingleScorerExport, *, source: str, session_name: str | None = None
) -> list[ImportResult]:
    """Store a Single Scorer CSV as reviews: each question's score feeds the review (a criterion when mapped to one)."""
    scores = {header: f"score.{question}" for header, question in export.score_columns.items()}
    sheet = export.reviews
    return import_tables(
        url,
        _mapping_with(settings, "reviews", scores),
        [TableInput("reviews", sheet.frame, sheet.name, sheet.row_numbers)],
        source=source,
        session_name=session_name,
    )


def export_decisions(url: str, settings: Settings, session_name: str | None = None) -> tuple[str, int, str]:
    """The session's decisions as the site's score import CSV, its row count, and what it leaves out."""
    with OrmSession(dbmod.get_engine(url)) as db:
        session_id = find_session(db, settings, session_name).id
    # Every application, so that the ones without a decision are counted as pending.
    applications = reads.load_table(url, session_id, "applications")[["response_id"]]
    decisions = applications.merge(reads.load_table(url, session_id, "decisions"), on="response_id", how="left")
    frame = decisions_export_frame(decisions, reads.load_table(url, session_id, "reviews"))
    return safe_csv(frame), len(frame), export_left_out(decisions, frame)


def _decision_note(url: str, settings: Settings, results: list[ImportResult]) -> list[str]:
    """What the imported Selection Ranks became, so nobody is surprised by the statuses."""
    decided = next((r for r in results if r.table == "decisions" and r.rows_stored), None)
    if decided is None:
        return []
    with OrmSession(dbmod.get_engine(url)) as db:
        session_id = find_session(db, settings, decided.session).id
    counts = Counter(reads.load_table(url, session_id, "decisions")["status"])
    return [
        f"Selection Rank is read as the site's tier; decisions in {decided.session} now: {counts['accepted']} "
        f"accepted (0-2), {counts['waitlisted']} waitlisted (3), {counts['rejected']} rejected (4+), "
        f"{counts['pending']} pending."
    ]


def run(args, settings) -> int:
    url = settings.database_url
    dbmod.migrate(url)
    if args.action == "export":
        try:
            text, rows, left_out = export_decisions(url, settings, args.session)
        except SessionNotFound as exc:
            return fail(args, f"Nothing to export: {exc}")
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                return fail(
                    args, f"Could not write {args.output} ({exc.strerror or exc}); choose a file you can write to."
                )
            emit(
                args,
                {"ok": True, "file": args.output, "rows": rows, "left_out": left_out},
                " ".join(filter(None, [f"Wrote {rows} decisions to {args.output}.", left_out])),
            )
        elif args.json:
            emit(args, {"ok": True, "rows": rows, "left_out": left_out, "csv": text}, "")
        else:
            print(text, end="")
            if left_out:  # stdout stays the CSV; why rows are missing goes beside it, not into the file
                print(left_out, file=sys.stderr)
        return 0
    if not args.file:
        return fail(args, "Name the CSV to import, e.g. 'python -m dashboard djangonaut-space import full.csv'.")
    path = Path(args.file)
    source = f"djangonaut_space:{path.name}"
    mapped_email = tuple(q for q, target in settings.mapping("applications").items() if target == "email")
    try:
        export = read_site_export(path, args.reviewer, mapped_email)
        if isinstance(export, SingleScorerExport):
            results = import_single_scorer(url, settings, export, source=source, session_name=args.session)
            head, scorers, notes = f"{path.name}: Single Scorer CSV, scores by {args.reviewer}.", [args.reviewer], []
        else:
            results = import_full_export(url, settings, export, source=source, session_name=args.session)
            head = f"{path.name}: {len(export.scorers)} scorers ({', '.join(export.scorers) or 'none'})."
            scorers, notes = export.scorers, export.notes + _decision_note(url, settings, results)
    except (FileReadError, ImportFailed) as exc:
        return fail(args, str(exc))
    lines = [head]
    for r in results:
        lines.append(f"  -> {r.table} ({r.session}): {r.counts_line()}")
        lines += [f"     {line}" for line in r.detail_lines()]
    lines += [f"  Note: {note}" for note in notes]
    status = overall_status(results)
    emit(
        args,
        {
            "ok": True,
            "status": status,
            "scorers": scorers,
            "notes": notes,
            "tables": {r.table: r.summary() for r in results},
        },
        "\n".join(lines),
    )
    return import_exit_code(status)
