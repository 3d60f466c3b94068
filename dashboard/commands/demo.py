"""python -m dashboard demo [--seed N] [--scale K] [--force] (its sessions are fixed: no --session)"""

from __future__ import annotations

import time

from dashboard import db as dbmod
from dashboard.cli import emit, fail
from dashboard.demo import CURRENT_SESSION, build

NAME = "demo"
HELP = "Create the seeded demo program (current session plus five past ones) in the database."


def add_arguments(parser) -> None:
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    parser.add_argument("--scale", type=int, default=1, help="multiply the program's size (10 for benchmarks)")
    parser.add_argument("--database", help="database URL (default: the configured one)")
    parser.add_argument("--force", action="store_true", help="build even if the database already has sessions")
    parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has data")


def run(args, settings) -> int:
    if args.session:
        return fail(
            args,
            f"The demo writes its own sessions ('{CURRENT_SESSION[0]}' and five past ones), so --session "
            "cannot be used with it; run 'python -m dashboard demo' without --session.",
        )
    url = args.database or settings.database_url
    if not dbmod.is_empty(url):
        if args.if_empty:
            emit(args, {"ok": True, "skipped": True}, "The database already has data; demo not rebuilt.")
            return 0
        if not args.force:
            return fail(
                args,
                "The database already has sessions; use --force to add the demo anyway, "
                "or --database to write it elsewhere.",
            )
    started = time.perf_counter()
    data = build(url, settings, seed=args.seed, scale=args.scale)
    seconds = round(time.perf_counter() - started, 2)
    emit(
        args,
        {
            "ok": True,
            "database": url.split("@")[-1],
            "sessions": [s["name"] for s in data.sessions],
            "current_session": CURRENT_SESSION[0],
            "seconds": seconds,
        },
        f"Demo program written ({len(data.sessions)} sessions, scale {args.scale}, seed {args.seed}) in {seconds} s.",
    )
    return 0
