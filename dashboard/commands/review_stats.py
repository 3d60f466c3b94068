"""python -m dashboard review-stats [--json]"""

from __future__ import annotations

from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, review, reads
from dashboard.cli import emit, fail
from dashboard.criteria import load_criteria
from dashboard.sessions import SessionNotFound, find_session

NAME = "review-stats"
HELP = "Review statistics of a session: per-application scores, reviewer calibration and Krippendorff's alpha."


def add_arguments(parser) -> None:
    parser.add_argument("--database", help="database URL (default: the configured one)")


def run(args, settings) -> int:
    url = args.database or settings.database_url
    if dbmod.is_empty(url):
        return fail(args, "The database has no session yet; run 'python -m dashboard demo' or import a file.")
    try:
        with OrmSession(dbmod.get_engine(url)) as db:
            session = find_session(db, settings, args.session)
            session_id, session_name = session.id, session.name
    except SessionNotFound as exc:
        return fail(args, str(exc))
    criteria = load_criteria(settings)
    applications = reads.load_table(url, session_id, "applications")
    stats = review.review_stats(
        reads.load_table(url, session_id, "reviews"), criteria, settings, response_ids=applications["response_id"]
    )
    data = review.stats_json(stats)
    alpha = "not measurable" if stats.alpha is None else f"{stats.alpha:.3f}"
    reviewed = sum(1 for row in data["applications"] if row["n_reviews"])
    lines = [
        f"{session_name}: {reviewed} of {len(data['applications'])} applications reviewed, "
        f"{len(data['reviewers'])} reviewer{'s' if len(data['reviewers']) != 1 else ''}.",
        f"Krippendorff's alpha (interval): {alpha}. {review.interpret_alpha(stats.alpha)}",
    ]
    for row in data["reviewers"]:
        strictness = "n/a" if row["strictness"] is None else f"{row['strictness']:+.2f}"
        reviews = f"{row['n']} review{'s' if row['n'] != 1 else ''}"
        lines.append(f"  {row['reviewer']}: {reviews}, mean {row['mean']:.2f}, strictness {strictness}")
    emit(args, data, "\n".join(lines))
    return 0
