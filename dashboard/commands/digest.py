"""python -m dashboard digest send [--week N] [--dry-run DIR] | opt-out EMAIL | opt-in EMAIL

Exit codes of `digest send` (for cron):
  0  every due message went (or was written with --dry-run), or none was due (not the sending day,
     all sent already, everyone opted out)
  1  nothing was attempted: configuration, database, session, demo data without --dry-run, a --week
     that is not over yet
  2  the command line itself is wrong (argparse)
  3  some messages were not sent (a refused or malformed address); the others went
  4  the mail server could not be used (unreachable, TLS, login or sender refused); what went before
     is recorded, so running again sends only the rest
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, digest
from dashboard.cli import emit, fail
from dashboard.mailer import Mailer, smtp_settings
from dashboard.sessions import SessionNotFound, find_session

NAME = "digest"
HELP = (
    "E-mail each Captain a weekly digest of who in their teams needs a check-in, and the organisers the session's "
    "numbers (`digest send`, for cron: exit code 0 only when every due message went); opt people out or in."
)


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser(
        "send",
        help="send this week's digests (run it from cron)",
        description=__doc__.split("\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument(
        "--week",
        type=int,
        help="send this session week's digest now, whatever the day "
        "(default: the latest week past its cut-off, on [digest] send_day)",
    )
    send.add_argument(
        "--dry-run",
        metavar="DIR",
        type=Path,
        help="write the messages to DIR (.eml, .txt, .html) instead of sending; any day, demo data too",
    )
    out = actions.add_parser("opt-out", help="stop sending the digest to EMAIL (every session)")
    into = actions.add_parser("opt-in", help="send the digest to EMAIL again")
    for action in (out, into):
        action.add_argument("email")
    for action in (send, out, into):  # also accepted after the action; SUPPRESS keeps a value given before it
        action.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print a JSON summary")
        action.add_argument("--session", default=argparse.SUPPRESS, help="session name (default: configured or latest)")


def run(args, settings) -> int:
    url = settings.database_url
    dbmod.migrate(url)
    if args.action in ("opt-out", "opt-in"):
        opt_out = args.action == "opt-out"
        try:
            digest.set_opted_out(url, args.email, opt_out, actor="cli")
        except ValueError as exc:
            return fail(args, str(exc))
        email = args.email.strip().lower()
        emit(
            args,
            {"ok": True, "email": email, "opted_out": opt_out},
            f"{email} will {'no longer get' if opt_out else 'get'} the weekly digest.",
        )
        return 0
    return send(args, settings, url)


def send(args, settings, url: str) -> int:
    """`digest send`: plan the week, then e-mail it (or write it to --dry-run DIR) and report each message."""
    try:
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, args.session)
            session_id, session_name = session.id, session.name
        if args.dry_run is not None:
            plan = digest.plan(url, session_id, settings, week=args.week, scheduled=False)
            outcome = digest.write_folder(url, session_id, plan, args.dry_run, settings.section("digest").get("sender"))
        else:
            digest.refuse_demo(url, session_id, session_name)  # before asking for a mail server the demo never uses
            smtp = smtp_settings(settings)  # a ConfigError here is one sentence from cli.main
            plan = digest.plan(url, session_id, settings, week=args.week, scheduled=args.week is None)
            with Mailer(smtp) as mailer:
                outcome = digest.deliver(url, session_id, plan, mailer, smtp.sender)
    except (SessionNotFound, digest.DigestRefused) as exc:
        return fail(args, str(exc))
    emit(args, outcome.summary(), report(outcome))
    return outcome.exit_code


def report(outcome: digest.Outcome) -> str:
    """The run in sentences: one line per message, one sentence per problem."""
    plan = outcome.plan
    lines = list(plan.notes)
    if plan.week is not None:
        did = (
            f"wrote {len(outcome.sent)} to {outcome.folder} (nothing sent)"
            if outcome.folder
            else f"sent {len(outcome.sent)}"
        )
        lines.insert(
            0,
            f"Week {plan.week} of {plan.session.name}: {did}, skipped {len(outcome.skipped)}, "
            f"not sent {len(outcome.failed) + len(outcome.unsent)}.",
        )
    lines += [
        f"  {'written' if outcome.folder else 'sent'}  {s['kind']:<9}  {s['to']} ({s['people']} Djangonauts named)"
        for s in outcome.sent
    ]
    lines += [f"  skipped  {s['kind']:<9}  {s['to']}: {s['reason']}" for s in outcome.skipped]
    lines += [f"  {f['error']}" for f in outcome.failed]
    if outcome.stopped:
        lines.append(f"Stopped: {outcome.stopped} ({len(outcome.unsent)} messages not sent.)")
    return "\n".join(lines)
