"""python -m dashboard report [NOTEBOOK] [--session NAME] [--out FOLDER] [--json]"""

from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, notebooks
from dashboard.cli import emit, fail
from dashboard.sessions import SessionNotFound, find_session

NAME = "report"
HELP = (
    "Run a notebook (default: session_comparison) for a session and write it as an HTML page to share, "
    "with the notebook's CSV files, into reports/."
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "notebook",
        nargs="?",
        default="session_comparison",
        help="which notebook in notebooks/ (default: session_comparison)",
    )
    parser.add_argument("--database", help="database URL (default: the configured one)")
    parser.add_argument("--out", help="folder to write into (default: reports/<notebook>-<session>/)")


def run(args, settings) -> int:
    url = args.database or settings.database_url
    if dbmod.is_empty(url):
        return fail(args, "The database has no session yet; run 'python -m dashboard demo' or import a file.")
    try:
        notebooks.path_of(args.notebook)
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, args.session).name
    except (SessionNotFound, notebooks.NotebookError) as exc:
        return fail(args, str(exc))
    if args.config:  # the notebook reads its settings itself: the same file as this command
        os.environ["DASHBOARD_CONFIG"] = str(Path(args.config).resolve())
    slug = re.sub(r"[^a-z0-9]+", "-", session.lower()).strip("-")
    folder = Path(args.out) if args.out else notebooks.REPORTS_DIR / f"{args.notebook}-{slug}"
    try:
        page = notebooks.write_report(args.notebook, {"database_url": url, "session": session}, folder)
    except notebooks.NotebookError as exc:
        return fail(args, str(exc))
    files = sorted(p.name for p in page.parent.iterdir() if p.is_file())
    emit(
        args,
        {"ok": True, "session": session, "notebook": args.notebook, "report": str(page), "files": files},
        f"Wrote {page} for {session} ({', '.join(files)}); it shows what the notebook shows, so share it as you would the notebook.",
    )
    return 0
