"""Review scores: fair scores and agreement (one reviewer's queue and saving are in dashboard.reviewing).

A review's score is the weighted mean of its criterion scores, so it stays on the criteria's
own scale (1-5 by default) whatever the weights. Per application we report the mean, the
median, a reviewer-normalised score and the spread; per reviewer their count, mean and
strictness; and Krippendorff's alpha (interval metric) for agreement between reviewers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from dashboard.config import Settings
from dashboard.criteria import Criterion
from dashboard.values import as_bool, number

MIN_REVIEWS_FOR_NORMALISING = 8
RELIABLE_ALPHA = 0.8
TENTATIVE_ALPHA = 0.667
SCORE_PREFIX = "score_"


class ReviewError(ValueError):
    """A review that cannot be saved, phrased for the reviewer."""


# --- settings ---------------------------------------------------------------------------


def min_reviews_for_normalising(settings: Settings | None) -> int:
    """How many reviews a reviewer needs before their scores are normalised ([selection])."""
    if settings is None:
        return MIN_REVIEWS_FOR_NORMALISING
    return int(settings.section("selection").get("min_reviews_for_normalising", MIN_REVIEWS_FOR_NORMALISING))


def score_range(criteria: Sequence[Criterion]) -> tuple[float, float]:
    """Lowest and highest possible review score (weighted mean of the criteria's ends)."""
    weight = sum(c.weight for c in criteria) or 1.0
    return (sum(c.low * c.weight for c in criteria) / weight, sum(c.high * c.weight for c in criteria) / weight)


def contested_threshold(settings: Settings | None, criteria: Sequence[Criterion]) -> float:
    """Spread from which an application counts as contested ([selection] contested_spread, default 1.5 on 1-5)."""
    low, high = score_range(criteria)
    configured = settings.section("selection").get("contested_spread") if settings is not None else None
    return float(configured) if configured is not None else round(0.375 * (high - low), 3)


# --- one review -------------------------------------------------------------------------


def weighted_score(scores: Mapping[str, Any] | None, criteria: Sequence[Criterion]) -> float | None:
    """A review's score: the weighted mean of the criteria it scored (None when it scored none)."""
    if not isinstance(scores, Mapping):
        return None
    present = [(c.weight, number(scores.get(c.name))) for c in criteria]
    present = [(w, v) for w, v in present if v is not None]
    weight = sum(w for w, _ in present)
    if not present or weight <= 0:
        return None
    return sum(w * v for w, v in present) / weight


def scored_reviews(reviews: pd.DataFrame, criteria: Sequence[Criterion]) -> pd.DataFrame:
    """One row per submitted review with a score: response_id, reviewer, score, score_<criterion>...

    Conflicts of interest are left out. A review without criterion scores (e.g. one imported
    from a sheet's '<reviewer> score' column) uses its overall score.
    """
    columns = ["response_id", "reviewer", "score"] + [SCORE_PREFIX + c.name for c in criteria]
    if reviews.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for review in reviews.to_dict("records"):
        if as_bool(review.get("conflict_of_interest")):
            continue
        scores = review.get("scores") if isinstance(review.get("scores"), Mapping) else {}
        score = weighted_score(scores, criteria)
        if score is None:
            score = number(review.get("overall"))
        if score is None:
            continue
        row = {
            "response_id": str(review["response_id"]),
            "reviewer": str(review["reviewer"]).strip().lower(),
            "score": score,
        }
        for c in criteria:
            row[SCORE_PREFIX + c.name] = number(scores.get(c.name))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns[2:]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


# --- fair scores ------------------------------------------------------------------------


def normalise_scores(
    scored: pd.DataFrame, criteria: Sequence[Criterion], min_reviews: int = MIN_REVIEWS_FOR_NORMALISING
) -> pd.DataFrame:
    """Adds 'normalised' and 'normalised_raw' to scored reviews.

    Each reviewer with at least ``min_reviews`` reviews has their scores standardised against
    their own mean and spread (z-scores), then mapped back onto the scale with the mean and
    spread of all reviews, clipped to the scale. Reviewers with fewer reviews keep their raw
    score and are marked (normalised_raw=True): too few reviews to know their habits.
    """
    frame = scored.copy()
    frame["normalised"] = pd.Series(dtype=float)
    frame["normalised_raw"] = pd.Series(dtype=bool)
    if frame.empty:
        return frame
    low, high = score_range(criteria)
    pooled_mean = float(frame["score"].mean())
    pooled_sd = float(frame["score"].std(ddof=0))
    grouped = frame.groupby("reviewer")["score"]
    n = grouped.transform("size")
    mean = grouped.transform("mean")
    sd = grouped.transform(lambda s: s.std(ddof=0))
    enough = n >= min_reviews
    z = ((frame["score"] - mean) / sd.where(sd > 0)).fillna(0.0)
    normalised = (pooled_mean + z * pooled_sd).clip(low, high)
    frame["normalised"] = normalised.where(enough, frame["score"]).astype(float)
    frame["normalised_raw"] = (~enough).astype(bool)
    return frame


def application_stats(normalised: pd.DataFrame, contested_spread: float | None = None) -> pd.DataFrame:
    """Per application: n_reviews, mean, median, normalised, spread (max - min), raw_reviews, contested."""
    columns = ["response_id", "n_reviews", "mean", "median", "normalised", "spread", "raw_reviews", "contested"]
    if normalised.empty:  # typed, so a session without reviews ranks, sorts and rounds like one with them
        return pd.DataFrame(columns=columns).astype(
            {"n_reviews": int, "raw_reviews": int, "contested": bool}
            | dict.fromkeys(["mean", "median", "normalised", "spread"], float)
        )
    grouped = normalised.groupby("response_id", sort=False)
    stats = pd.DataFrame(
        {
            "n_reviews": grouped.size(),
            "mean": grouped["score"].mean(),
            "median": grouped["score"].median(),
            "normalised": grouped["normalised"].mean(),
            "spread": grouped["score"].max() - grouped["score"].min(),
            "raw_reviews": grouped["normalised_raw"].sum().astype(int),
        }
    )
    stats.loc[stats["n_reviews"] < 2, "spread"] = np.nan  # one review has no spread
    threshold = contested_spread if contested_spread is not None else math.inf
    stats["contested"] = (stats["spread"] >= threshold).fillna(False).astype(bool)
    return stats.reset_index()[columns]


def reviewer_calibration(normalised: pd.DataFrame, min_reviews: int = MIN_REVIEWS_FOR_NORMALISING) -> pd.DataFrame:
    """Per reviewer: n, mean, sd and strictness (how far below colleagues they score the same applications).

    Strictness is the mean, over a reviewer's reviews that someone else also reviewed, of
    (the others' mean score - this reviewer's score): positive means stricter than colleagues,
    negative means more generous; None when they share no application with anyone.
    """
    columns = ["reviewer", "n", "mean", "sd", "strictness", "normalised"]
    if normalised.empty:
        return pd.DataFrame(columns=columns).astype(
            {"n": int, "normalised": bool} | dict.fromkeys(["mean", "sd", "strictness"], float)
        )
    frame = normalised[["response_id", "reviewer", "score"]].copy()
    per_app = frame.groupby("response_id")["score"]
    total, count = per_app.transform("sum"), per_app.transform("size")
    others_mean = ((total - frame["score"]) / (count - 1)).where(count > 1)
    frame["gap"] = others_mean - frame["score"]
    grouped = frame.groupby("reviewer")
    result = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean": grouped["score"].mean(),
            "sd": grouped["score"].std(ddof=0),
            "strictness": grouped["gap"].mean(),
        }
    ).reset_index()
    result["normalised"] = result["n"] >= min_reviews
    return result.sort_values("reviewer").reset_index(drop=True)[columns]


# --- agreement --------------------------------------------------------------------------


def krippendorff_alpha_interval(data: Sequence[Sequence[float | None]] | np.ndarray) -> float | None:
    """Krippendorff's alpha with the interval metric for a coders x units matrix (NaN/None = missing).

    alpha = 1 - D_o / D_e, where D_o is the mean squared difference between values in the
    same unit (each unit weighted by 1/(m_u - 1)) and D_e the mean squared difference between
    any two pairable values. Units with fewer than two values are not pairable. Returns None
    when fewer than two units are pairable or there is no variation at all (alpha is undefined then).
    """
    matrix = (
        np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
        if not isinstance(data, np.ndarray)
        else data.astype(float)
    )
    if matrix.ndim != 2 or matrix.size == 0:
        return None
    within = 0.0
    pairable: list[np.ndarray] = []
    for unit in matrix.T:
        values = unit[~np.isnan(unit)]
        m = len(values)
        if m < 2:
            continue
        pairable.append(values)
        # sum over ordered pairs i != j of (v_i - v_j)^2 equals 2 m * sum((v - mean)^2)
        within += 2 * m * float(np.sum((values - values.mean()) ** 2)) / (m - 1)
    if len(pairable) < 2:  # over one unit alone alpha is 0 by construction, whatever the scores: not a measure
        return None
    everything = np.concatenate(pairable)
    n = len(everything)
    expected = 2 * n * float(np.sum((everything - everything.mean()) ** 2))
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * within / expected


def reliability_matrix(scored: pd.DataFrame, column: str = "score") -> np.ndarray:
    """Reviewers x applications matrix of one score column (NaN where a reviewer did not score)."""
    if scored.empty:
        return np.empty((0, 0))
    pivot = scored.pivot_table(index="reviewer", columns="response_id", values=column, aggfunc="mean")
    return pivot.to_numpy(dtype=float)


def agreement(scored: pd.DataFrame, criteria: Sequence[Criterion]) -> tuple[float | None, dict[str, float | None]]:
    """Krippendorff's alpha (interval) over review scores, and per criterion."""
    overall = krippendorff_alpha_interval(reliability_matrix(scored, "score"))
    by_criterion = {}
    for c in criteria:
        column = SCORE_PREFIX + c.name
        subset = scored.dropna(subset=[column]) if column in scored else scored.iloc[0:0]
        by_criterion[c.name] = krippendorff_alpha_interval(reliability_matrix(subset, column)) if len(subset) else None
    return overall, by_criterion


def interpret_alpha(alpha: float | None) -> str:
    """What an alpha means in words (Krippendorff: >= 0.8 reliable, >= 0.667 tentative)."""
    if alpha is None:
        return (
            "Not measurable yet: it needs at least two applications scored by the same reviewers, and scores that "
            "differ somewhere (when every score is the same there is nothing to agree or disagree on)."
        )
    if alpha >= RELIABLE_ALPHA:
        return f"Reliable (alpha {alpha:.2f} >= 0.8): reviewers agree well; the scores can be trusted for ranking."
    if alpha >= TENTATIVE_ALPHA:
        return (
            f"Tentative (alpha {alpha:.2f}, between 0.667 and 0.8): reviewers partly agree; "
            "use the scores with care and discuss contested applications."
        )
    return (
        f"Weak (alpha {alpha:.2f} < 0.667): reviewers do not agree enough for the scores alone to decide; "
        "calibrate together on a few applications first."
    )


@dataclass
class ReviewStats:
    """Everything the Selection page and `review-stats` report about the reviews."""

    scored: pd.DataFrame
    applications: pd.DataFrame
    reviewers: pd.DataFrame
    alpha: float | None
    alpha_by_criterion: dict[str, float | None] = field(default_factory=dict)
    contested_spread: float | None = None


def review_stats(
    reviews: pd.DataFrame,
    criteria: Sequence[Criterion],
    settings: Settings | None = None,
    response_ids: Iterable[str] | None = None,
) -> ReviewStats:
    """Scores, per-application statistics, reviewer calibration and agreement of a session's reviews.

    With ``response_ids`` (the session's applications) unreviewed applications are listed too,
    with n_reviews 0; reviews of applications not in that list are left out.
    """
    min_reviews = min_reviews_for_normalising(settings)
    threshold = contested_threshold(settings, criteria)
    scored = scored_reviews(reviews, criteria)
    ids = None if response_ids is None else [str(r) for r in response_ids]
    if ids is not None:
        scored = scored[scored["response_id"].isin(set(ids))]
    normalised = normalise_scores(scored, criteria, min_reviews)
    alpha, by_criterion = agreement(normalised, criteria)
    per_application = application_stats(normalised, threshold)
    if ids is not None:
        per_application = per_application.set_index("response_id").reindex(ids).rename_axis("response_id").reset_index()
        per_application["n_reviews"] = per_application["n_reviews"].fillna(0).astype(int)
        per_application["raw_reviews"] = per_application["raw_reviews"].fillna(0).astype(int)
        per_application["contested"] = per_application["contested"].fillna(False).astype(bool)
    return ReviewStats(
        scored=normalised,
        applications=per_application,
        reviewers=reviewer_calibration(normalised, min_reviews),
        alpha=alpha,
        alpha_by_criterion=by_criterion,
        contested_spread=threshold,
    )


def normalising_effect(applications: pd.DataFrame, places: int) -> dict[str, float | int]:
    """How much normalising reviewers' scores changes the ranking: Spearman correlation and top places that move."""
    scored = applications.dropna(subset=["mean", "normalised"])
    places = min(int(places), len(scored))  # never more places than applications were scored
    top_raw = set(scored.nlargest(places, "mean")["response_id"])
    top_normalised = set(scored.nlargest(places, "normalised")["response_id"])
    correlation = scored["mean"].rank().corr(scored["normalised"].rank()) if len(scored) > 1 else float("nan")
    return {
        "applications scored": len(scored),
        "places compared": places,
        "rank correlation (Spearman), raw vs normalised": round(float(correlation), 3),
        "top places that change with normalising": len(top_raw - top_normalised),
        "contested applications (reviewers disagree)": int(scored["contested"].astype(bool).sum()),
    }


def _rounded(value: Any, digits: int = 3) -> float | None:
    cleaned = number(value)
    return None if cleaned is None else round(cleaned, digits)


def stats_json(stats: ReviewStats) -> dict[str, Any]:
    """The `review-stats --json` contract: alpha, alpha_by_criterion, applications, reviewers."""
    return {
        "alpha": _rounded(stats.alpha, 4),
        "alpha_by_criterion": {k: _rounded(v, 4) for k, v in stats.alpha_by_criterion.items()},
        "applications": [
            {
                "response_id": row["response_id"],
                "n_reviews": int(row["n_reviews"]),
                "mean": _rounded(row["mean"]),
                "median": _rounded(row["median"]),
                "normalised": _rounded(row["normalised"]),
                "spread": _rounded(row["spread"]),
            }
            for row in stats.applications.to_dict("records")
        ],
        "reviewers": [
            {
                "reviewer": row["reviewer"],
                "n": int(row["n"]),
                "mean": _rounded(row["mean"]),
                "strictness": _rounded(row["strictness"]),
            }
            for row in stats.reviewers.to_dict("records")
        ],
    }
