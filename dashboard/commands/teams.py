"""python -m dashboard teams allocate [--input instance.json] [--json] [--fresh] [--save]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dashboard.cli import emit, fail

NAME = "teams"
HELP = "Form teams that meet the program's rules (OR-Tools CP-SAT) and explain them."


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="teams_command", required=True, metavar="ACTION")
    allocate = sub.add_parser(
        "allocate",
        help="propose teams for the accepted cohort or for an instance file",
        description="Propose teams: most people placed, best ranks, then the best worst team.",
    )
    # SUPPRESS keeps `teams --json allocate` working: the sub-parser must not overwrite the parent's value.
    allocate.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the JSON contract")
    allocate.add_argument("--session", default=argparse.SUPPRESS, help="session name (database mode)")
    allocate.add_argument(
        "--input", help="instance JSON file ('-' for stdin); without it, the database's accepted cohort"
    )
    allocate.add_argument(
        "--time-limit", type=float, default=None, help="seconds for the solver (default [teams] time_limit_seconds)"
    )
    allocate.add_argument("--workers", type=int, default=2, help="solver threads (default 2)")
    allocate.add_argument(
        "--fresh", action="store_true", help="database mode: ignore current placements and propose from scratch"
    )
    allocate.add_argument(
        "--explain", action="store_true", help="add each team's explanation and the solver stages to the JSON"
    )
    allocate.add_argument(
        "--save", action="store_true", help="database mode: write the proposal to people.team and decisions.team"
    )
    allocate.add_argument("--database", help="database URL (default: the configured one)")


def run(args, settings) -> int:
    from dashboard import teams as teams_mod

    args.json = getattr(args, "json", False)
    time_limit = (
        args.time_limit
        if args.time_limit is not None
        else float(settings.section("teams").get("time_limit_seconds", 10))
    )
    try:
        if args.input:
            if args.save:
                return fail(args, "--save writes to the database; it cannot be used with --input.")
            instance = teams_mod.instance_from_dict(_read_json(args.input))
            session_id, url = None, None
        else:
            instance, session_id, url = _database_instance(args, settings, teams_mod)
    except (teams_mod.InstanceError, LookupError) as exc:
        return fail(args, str(exc))
    except (OSError, json.JSONDecodeError) as exc:
        return fail(args, f"Could not read {args.input} ({exc}); give a JSON file in the documented shape.")
    if not instance.teams:
        return fail(args, "There are no teams to fill; add teams (name, project, navigators, captain) first.")
    result = teams_mod.allocate(instance, time_limit=time_limit, workers=args.workers)
    if args.save and url is not None:
        from dashboard.audit import cli_actor

        teams_mod.save_assignments(url, session_id, instance, result.assignments, actor=cli_actor())
    emit(args, result.to_json(explain=args.explain), _summary(result))
    return 0


def _read_json(path: str):
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    return json.loads(text)


def _database_instance(args, settings, teams_mod):
    from sqlalchemy.orm import Session as OrmSession

    from dashboard import db as dbmod
    from dashboard.sessions import find_session

    url = args.database or settings.database_url
    if dbmod.is_empty(url):
        raise LookupError("The database has no session yet; run 'python -m dashboard demo' or import a file.")
    with OrmSession(dbmod.get_engine(url)) as db:
        session = find_session(db, settings, getattr(args, "session", None))
        session_id = session.id
    instance = teams_mod.instance_from_db(
        url, session_id, teams_mod.rules_from_settings(settings), keep_placed=not args.fresh, settings=settings
    )
    if not instance.candidates:
        raise LookupError(
            "No accepted applicants in this session; accept some on the Selection page first "
            "(or `python -m dashboard cohort propose` to see who fits)."
        )
    return instance, session_id, url


def _summary(result) -> str:
    lines = [
        f"{result.placed} of {len(result.assignments)} placed in {result.seconds:.1f} s "
        f"({'proven optimal' if result.optimal else 'best found within the time limit'})."
    ]
    for team in result.teams:
        lines.append(f"- {team.explanation}")
    for entry in result.unplaced:
        lines.append(f"Not placed: {entry['email']}: {entry['reason']}")
    return "\n".join(lines)
