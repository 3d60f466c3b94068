"""python -m dashboard signals [--json] [--week N] [--open]"""

from __future__ import annotations

from sqlalchemy.orm import Session as OrmSession

from dashboard import audit, db as dbmod, wellbeing
from dashboard.cli import emit, fail
from dashboard.sessions import SessionNotFound, find_session

NAME = "signals"
HELP = "List the session's wellbeing signals (overwork, no_break, burnout, energy_drop, drifting, stuck, wants_one_to_one)."


def add_arguments(parser) -> None:
    parser.add_argument(
        "--week",
        type=int,
        help="only use check-ins up to this week (default: this week of the session, as on the Wellbeing page)",
    )
    parser.add_argument(
        "--open", action="store_true", help="only each person's current signals that no one-to-one has followed up yet"
    )


def run(args, settings) -> int:
    url = settings.database_url
    if dbmod.is_empty(url):
        return fail(args, "The database has no session yet; run 'python -m dashboard demo' or import check-ins first.")
    try:
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, args.session)
            session_id, weeks = session.id, session.weeks
    except SessionNotFound as exc:
        return fail(args, str(exc))
    if args.week is not None and args.week < 1:
        return fail(args, f"--week {args.week} is not a session week; use a number from 1 to {weeks}.")
    # E-mails with their wellbeing reasons: the read is audited like the Wellbeing page's cards.
    result = audit.read_sensitive(
        url,
        lambda: wellbeing.session_signals(url, session_id, settings, as_of_week=args.week),
        actor=audit.cli_actor(),
        action="signals_read",
        session_id=session_id,
        subject=f"week {args.week}" if args.week else "this week",
        detail="open signals" if args.open else "all signals",
    )
    frame = result.open if args.open else result.history
    items = (
        [
            {
                "email": r["email"],
                "week": int(r["week"]),
                "signal": r["signal"],
                "severity": r["severity"],
                "reason": r["reason"],
            }
            for r in frame.to_dict("records")
        ]
        if len(frame)
        else []
    )
    lines = [f"{len(items)} signal(s) up to week {result.upto_week}" + (" still open" if args.open else "") + ":"]
    lines += [f"  week {i['week']}  {i['severity']:<6}  {i['signal']:<16}  {i['email']}: {i['reason']}" for i in items]
    emit(args, items, "\n".join(lines))
    return 0
