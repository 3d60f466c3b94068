"""python -m dashboard export-charts --out DIR [--format png|svg|all] [--session NAME]"""

from __future__ import annotations

import time
from pathlib import Path

from dashboard import db as dbmod, talk
from dashboard.cli import emit, fail
from dashboard.privacy import PrivacyError
from dashboard.sessions import SessionNotFound

NAME = "export-charts"
HELP = "Write the talk charts (PNG at 2x and/or SVG) and numbers.json, safe to show in public, into a folder."


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, help="folder to write the charts into (created if needed)")
    parser.add_argument("--format", choices=("png", "svg", "all"), default="all", help="image format (default: both)")
    parser.add_argument("--database", help="database URL (default: the configured one)")


def run(args, settings) -> int:
    url = args.database or settings.database_url
    dbmod.migrate(url)
    started = time.perf_counter()
    try:
        session = talk.session_for(url, settings, args.session)
        session_name = session.name
        figures = talk.build(url, session.id, settings)
        charts = talk.talk_charts(figures, talk.SLIDE)
        formats = ("png", "svg") if args.format == "all" else (args.format,)
        written = talk.write_files(talk.export_files(charts, figures, formats), Path(args.out))
    except (SessionNotFound, PrivacyError) as exc:
        return fail(args, f"Charts not written: {exc}")
    except OSError as exc:
        return fail(args, f"Could not write to {args.out} ({exc.strerror or exc}); choose a folder you can write to.")
    seconds = round(time.perf_counter() - started, 2)
    emit(
        args,
        {
            "ok": True,
            "session": session_name,
            "out": str(Path(args.out)),
            "files": [p.name for p in written],
            "min_group_size": figures.min_group_size,
            "seconds": seconds,
        },
        f"Wrote {len(written)} files for {session_name} to {args.out} in {seconds} s "
        f"(groups under {figures.min_group_size} people combined).",
    )
    return 0
