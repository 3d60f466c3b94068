"""What one reviewer does: their queue and progress, what they may see of others' reviews, and saving a review.

The scores themselves (weighted, normalised, agreement) are dashboard.review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd
from sqlalchemy import select

from dashboard import db as dbmod, models
from dashboard.criteria import DEFAULT_CRITERIA, Criterion
from dashboard.review import ReviewError, weighted_score
from dashboard.values import as_bool, number


# --- the reviewer's queue ---------------------------------------------------------------


def _mine(reviews: pd.DataFrame, reviewer: str) -> pd.DataFrame:
    if reviews.empty:
        return reviews
    return reviews[reviews["reviewer"].astype(str).str.strip().str.lower() == reviewer.strip().lower()]


def review_counts(reviews: pd.DataFrame) -> pd.Series:
    """Number of submitted reviews (conflicts not counted) per response id."""
    if reviews.empty:
        return pd.Series(dtype=int)
    submitted = reviews[~reviews["conflict_of_interest"].map(as_bool)]
    return submitted.groupby("response_id").size()


def review_queue(
    applications: pd.DataFrame, reviews: pd.DataFrame, reviewer: str, skipped: Iterable[str] = ()
) -> list[str]:
    """Response ids this reviewer still has to review, next first.

    Fewest reviews first (then earliest submitted), leaving out what the reviewer has
    reviewed or declared a conflict on; skipped applications go to the back of the queue.
    """
    if applications.empty:
        return []
    done = set(_mine(reviews, reviewer)["response_id"].astype(str)) if not reviews.empty else set()
    skipped = set(skipped)
    counts = review_counts(reviews)
    todo = applications[~applications["response_id"].astype(str).isin(done)].copy()
    todo["_skipped"] = todo["response_id"].isin(skipped)
    todo["_n"] = todo["response_id"].map(counts).fillna(0).astype(int)
    order = ["_skipped", "_n"] + (["submitted_at"] if "submitted_at" in todo else []) + ["response_id"]
    todo = todo.sort_values(order, na_position="last", kind="stable")
    return todo["response_id"].astype(str).tolist()


def next_application(
    applications: pd.DataFrame, reviews: pd.DataFrame, reviewer: str, skipped: Iterable[str] = ()
) -> str | None:
    """The response id this reviewer should review next, or None when they are done."""
    queue = review_queue(applications, reviews, reviewer, skipped)
    return queue[0] if queue else None


@dataclass(frozen=True)
class Progress:
    reviewed: int
    total: int
    conflicts: int

    @property
    def label(self) -> str:
        return f"{self.reviewed} / {self.total} reviewed"

    @property
    def fraction(self) -> float:
        return self.reviewed / self.total if self.total else 1.0


def progress(applications: pd.DataFrame, reviews: pd.DataFrame, reviewer: str) -> Progress:
    """How many applications this reviewer has reviewed, out of those they may review."""
    ids = set(applications["response_id"].astype(str)) if not applications.empty else set()
    mine = _mine(reviews, reviewer)
    mine = mine[mine["response_id"].astype(str).isin(ids)] if not mine.empty else mine
    conflicts = int(mine["conflict_of_interest"].map(as_bool).sum()) if not mine.empty else 0
    return Progress(reviewed=len(mine) - conflicts, total=len(ids) - conflicts, conflicts=conflicts)


def own_review(reviews: pd.DataFrame, reviewer: str, response_id: str) -> dict[str, Any] | None:
    """This reviewer's saved review of one application, or None."""
    mine = _mine(reviews, reviewer)
    if mine.empty:
        return None
    match = mine[mine["response_id"].astype(str) == str(response_id)]
    return match.iloc[0].to_dict() if len(match) else None


def may_see_other_reviews(reviews: pd.DataFrame, reviewer: str, response_id: str) -> bool:
    """Others' scores open up once this reviewer has submitted their own; never after a conflict."""
    mine = own_review(reviews, reviewer, response_id)
    return mine is not None and not as_bool(mine.get("conflict_of_interest"))


def other_reviews_visible(reviews: pd.DataFrame, reviewer: str, response_id: str) -> pd.DataFrame:
    """Other reviewers' reviews of an application as this reviewer may see them (empty until they reviewed)."""
    if reviews.empty or not may_see_other_reviews(reviews, reviewer, response_id):
        return reviews.iloc[0:0]
    rows = reviews[reviews["response_id"].astype(str) == str(response_id)]
    rows = rows[rows["reviewer"].astype(str).str.strip().str.lower() != reviewer.strip().lower()]
    return rows[~rows["conflict_of_interest"].map(as_bool)]


def conflicted_ids(reviews: pd.DataFrame, reviewer: str) -> set[str]:
    """Applications this reviewer declared a conflict of interest on."""
    mine = _mine(reviews, reviewer)
    if mine.empty:
        return set()
    return set(mine.loc[mine["conflict_of_interest"].map(as_bool), "response_id"].astype(str))


# --- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedReview:
    response_id: str
    reviewer: str
    created: bool
    overall: float | None
    conflict: bool


def _validated_scores(scores: Mapping[str, Any], criteria: Sequence[Criterion]) -> dict[str, int]:
    known = {c.name: c for c in criteria}
    unknown = sorted(set(scores) - set(known))
    if unknown:
        raise ReviewError(f"Unknown criteria {', '.join(unknown)}; use: {', '.join(known)}.")
    clean: dict[str, int] = {}
    missing = []
    for c in criteria:
        value = number(scores.get(c.name))
        if value is None:
            missing.append(c.label)
            continue
        if value != int(value) or not c.low <= value <= c.high:
            raise ReviewError(f"{c.label} must be a whole number from {c.low} to {c.high}.")
        clean[c.name] = int(value)
    if missing:
        raise ReviewError(
            f"Score every criterion before saving (missing: {', '.join(missing)}), or declare a conflict of interest."
        )
    return clean


def save_review(
    url: str,
    session_id: int,
    response_id: str,
    reviewer: str,
    scores: Mapping[str, Any] | None,
    comment: str | None,
    conflict: bool,
    *,
    criteria: Sequence[Criterion] = DEFAULT_CRITERIA,
    now: datetime | None = None,
) -> SavedReview:
    """Create or replace this reviewer's review of one application, in one transaction with an audit entry."""
    reviewer = (reviewer or "").strip().lower()
    if not reviewer:
        raise ReviewError("Sign in before saving a review.")
    clean = None if conflict else _validated_scores(scores or {}, criteria)
    overall = None if clean is None else round(weighted_score(clean, criteria), 4)
    moment = now or models.utcnow()
    with dbmod.write(url, actor=reviewer, action="review_saved", session_id=session_id, subject=response_id) as change:
        db = change.db
        exists = db.scalar(
            select(models.Application.id).where(
                models.Application.session_id == session_id, models.Application.response_id == response_id
            )
        )
        if exists is None:
            raise ReviewError(f"Application {response_id} is not in this session any more; reload the page.")
        review = db.scalar(
            select(models.Review).where(
                models.Review.session_id == session_id,
                models.Review.response_id == response_id,
                models.Review.reviewer == reviewer,
            )
        )
        created = review is None
        if created:
            review = models.Review(session_id=session_id, response_id=response_id, reviewer=reviewer)
            db.add(review)
        review.scores = clean
        review.overall = overall
        review.comment = (comment or "").strip() or None
        review.conflict_of_interest = bool(conflict)
        review.updated_at = moment
        change.detail = "conflict of interest declared" if conflict else f"scores {'saved' if created else 'edited'}"
        change.at = moment
    return SavedReview(response_id, reviewer, created, overall, bool(conflict))


def set_blind_review(url: str, session_id: int, blind: bool, actor: str) -> None:
    """Turn blind review on or off for a session (organisers), with an audit entry."""
    with dbmod.write(
        url, actor=actor, action="blind_review_changed", session_id=session_id, detail="on" if blind else "off"
    ) as change:
        session = change.db.get(models.Session, session_id)
        if session is None:
            raise ReviewError("This session no longer exists; reload the page.")
        session.blind_review = bool(blind)
        change.subject = session.name
