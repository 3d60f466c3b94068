"""python -m dashboard cohort propose [--json] [--session NAME] [--pin-in ID ...] [--pin-out ID ...]"""

from __future__ import annotations

import argparse

from dashboard.cli import emit, fail

NAME = "cohort"
HELP = "Propose the best-ranked cohort that can be placed in teams in full (selection and teams in one CP-SAT model)."


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="cohort_command", required=True, metavar="ACTION")
    propose = sub.add_parser(
        "propose",
        help="the best cohort that fits the teams, and what it costs against pure score order",
        description="The cohort with the best total review score (the Selection page's normalised score) that can all "
        "be placed in the session's teams under the [teams] rules, within the Selection page's places. "
        "Only a proposal: nothing is saved.",
    )
    # SUPPRESS keeps `cohort --json propose` working: the sub-parser must not overwrite the parent's value.
    propose.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the JSON contract")
    propose.add_argument(
        "--session", default=argparse.SUPPRESS, help="session name (default: the configured or latest)"
    )
    propose.add_argument(
        "--pin-in", nargs="+", action="extend", default=[], metavar="ID", help="response ids that must be in the cohort"
    )
    propose.add_argument(
        "--pin-out",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="response ids that must not be in the cohort",
    )
    propose.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds for the solver (default [teams] time_limit_seconds); score order gets as long",
    )
    propose.add_argument("--workers", type=int, default=2, help="solver threads (default 2)")
    propose.add_argument("--database", help="database URL (default: the configured one)")


def run(args, settings) -> int:
    from sqlalchemy.orm import Session as OrmSession

    from dashboard import cohort, db as dbmod, placeability
    from dashboard.sessions import find_session

    args.json = getattr(args, "json", False)
    url = args.database or settings.database_url
    if dbmod.is_empty(url):
        return fail(args, "The database has no session yet; run 'python -m dashboard demo' or import a file.")
    try:
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, getattr(args, "session", None))
            session_id, session_name = session.id, session.name
        ranked, instance, places = cohort.load(url, session_id, settings)
    except LookupError as exc:
        return fail(args, str(exc))
    if ranked.empty:
        return fail(args, f"{session_name} has no applications to choose a cohort from; import them first.")
    if not instance.teams:
        return fail(
            args, "There are no teams to place anyone in; add teams (name, project, navigators, captain) first."
        )
    time_limit = (
        args.time_limit
        if args.time_limit is not None
        else float(settings.section("teams").get("time_limit_seconds", 10))
    )
    fits = placeability.placeability(instance)
    try:
        proposal = cohort.propose(
            instance,
            fits,
            cohort.capacity(places, instance),
            args.pin_in,
            args.pin_out,
            time_limit=time_limit,
            workers=args.workers,
        )
    except cohort.CohortError as exc:
        return fail(args, str(exc))
    emit(args, {"session": session_name, "places": places.source} | proposal.to_json(), _summary(proposal, places))
    return 0


def _summary(proposal, places) -> str:
    from dashboard.cohort import label as cohort_label

    lines = [
        f"Proposed cohort of {len(proposal.cohort)} (places: {places.source}).",
        proposal.status,
        proposal.summary(),
    ]
    for key in proposal.cohort:
        lines.append(f"- {cohort_label(proposal.people[key])} ({key}) -> {proposal.assignments[key]}")
    for key in proposal.instead:
        lines.append(f"Not in it: {key}: {proposal.reasons[key]}")
    lines.append("Nothing was saved: save the decisions on the Selection page.")
    return "\n".join(lines)
