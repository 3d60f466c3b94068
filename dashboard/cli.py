"""`python -m dashboard COMMAND`: every command lives in dashboard/commands/<name>.py.

A command module defines NAME, HELP (optionally a longer DESCRIPTION for its own --help),
``add_arguments(parser)`` and ``run(args, settings) -> int``, one of the exit codes below, so
cron can rely on it:

0  done (an import or sync stored every row it read; some fields may have warnings)
1  refused or failed: nothing was changed (the message says why and what to do)
2  the command line itself is wrong (argparse)
3  an import or sync stored what it could but rejected rows: they are listed with the reason
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dashboard import commands
from dashboard.config import ConfigError, load_settings
from dashboard.importer import STORED_WITH_REJECTS

EXIT_OK, EXIT_FAILED, EXIT_STORED_WITH_REJECTS = 0, 1, 3


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"dashboard.commands.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="Mission Control command line.")
    parser.add_argument("--config", help="path of dashboard.toml (default: ./dashboard.toml, else the example)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP))
        command.add_argument("--session", help="session name (default: the configured or latest session)")
        command.add_argument("--json", action="store_true", help="print a JSON summary")
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; a bad config or an unreachable database ends in one sentence, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        return int(args.run(args, settings) or 0)
    except ConfigError as exc:
        return fail(args, str(exc))
    except OperationalError as exc:  # the server is down, the login is refused or the file cannot be opened
        return fail(
            args,
            database_unavailable(exc, getattr(args, "database", None), settings.database_url),
            reason="database_unavailable",
        )


def database_unavailable(error: OperationalError, given: str | None, configured: str) -> str:
    """What went wrong opening the database (--database, else the configured one) and what to check; no password."""
    parsed = make_url(given or configured)
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    reason = lines[0].replace(parsed.password, "***") if parsed.password else lines[0]
    setting = "--database" if given else "DASHBOARD_DATABASE_URL (or [database] url in dashboard.toml)"
    check = (
        "its folder exists and can be written to"
        if parsed.get_backend_name() == "sqlite"
        else "the database server is running and accepts that user"
    )
    return (
        f"Mission Control cannot open its database {parsed.render_as_string(hide_password=True)} ({reason[:300]}); "
        f"check {setting} and that {check}."
    )


def fail(args, message: str, code: int = 1, **extra) -> int:
    """Report a failure as one clear sentence (JSON with --json) and return the exit code."""
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "error": message, **extra}, indent=2, default=str))
    else:
        print(f"Error: {message}", file=sys.stderr)
    return code


def import_exit_code(status: str) -> int:
    """The exit code of an import or sync that ended with this status ('stored', ...; see the module docstring)."""
    return EXIT_STORED_WITH_REJECTS if status == STORED_WITH_REJECTS else EXIT_OK


def emit(args, data, text: str) -> None:
    """Print data as JSON with --json, otherwise the human sentence."""
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False) if args.json else text)
