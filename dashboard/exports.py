"""Files Mission Control writes for other tools (spreadsheets, Djangonaut Space's site).

Every exported text cell goes through ``neutralise_formula``: an applicant's answer such as
``=HYPERLINK(...)`` must stay text when an organiser opens the CSV in a spreadsheet.

Djangonaut Space's score import (home/forms.py SurveyCSVImportForm) takes ``Response ID, Score,
Selection Rank``, every value an integer, and refuses the whole file for one bad row. Its
Selection Rank is a tier, not a position (home/team_allocation.py): the allocator places ranks
0-2 first, rank 3 only into teams with room left, and never 4 or above. The rule that turns the
project's decisions into tiers and its reviews into an integer Score is ``SITE_EXPORT_RULE``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP), with their
# full-width and small forms, which spreadsheets in East Asian locales read as the same character.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
DS_DECISION_COLUMNS = ("Response ID", "Score", "Selection Rank")
WAITLISTED_TIER, REJECTED_TIER = 3, 4
SITE_EXPORT_RULE = (
    "Selection Rank is the site's tier. Accepted: 0, 1 or 2, all placed first (in your rank order, then by Score, "
    "the first third get 0, the next third 1, the rest 2; when the accepted ranks take at most three values, as "
    "after importing the site's tiers, they become 0, 1, 2 in order). Waitlisted: 3, placed only into teams with "
    "room left. Rejected: 4, never placed. Pending applications are left out, so the site keeps what it had. "
    "Score is a whole number: the Score imported from the site when there is one, else the reviewers' scores "
    "added up as a full panel would (the mean times the most reviewers any application had: 3 reviewers scoring "
    "1-5 give 3 to 15), halves rounded up; 0 without reviews."
)


def neutralise_formula(cell: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ' so it stays text.

    Leading spaces do not protect a formula (" =1+1" is one when pasted or trimmed on import), and
    full-width "＝" counts as "=".
    """
    if isinstance(cell, str) and (cell.startswith(FORMULA_PREFIXES) or cell.lstrip()[:1] in FORMULA_STARTS):
        return "'" + cell
    return cell


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame with every text cell and header neutralised (UTF-8, Excel-friendly)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise_formula(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(
            ["" if _is_missing(v) else neutralise_formula(v if isinstance(v, str) else _plain(v)) for v in row]
        )
    return out.getvalue()


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """Whole floats as integers (4.0 -> 4), other values unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def status_for_tier(tier: int) -> str:
    """The decision a site Selection Rank stands for: 0-2 accepted, 3 waitlisted, 4 and above rejected."""
    if tier <= 2:
        return "accepted"
    return "waitlisted" if tier == WAITLISTED_TIER else "rejected"


def selection_tiers(decisions: pd.DataFrame, scores: pd.Series) -> pd.Series:
    """The site's Selection Rank of every decided application, by SITE_EXPORT_RULE (pending ones: none).

    scores: each decision's Score (aligned with decisions), which orders accepted applications of equal rank.
    """
    status = decisions["status"].fillna("pending").astype(str)
    tiers = pd.Series(pd.NA, index=decisions.index, dtype="Int64")
    tiers[status == "waitlisted"] = WAITLISTED_TIER
    tiers[status == "rejected"] = REJECTED_TIER
    accepted = decisions[status == "accepted"].assign(
        _rank=pd.to_numeric(decisions["rank"], errors="coerce"), _score=scores[status == "accepted"].astype(float)
    )
    accepted = accepted.sort_values(
        ["_rank", "_score", "response_id"], ascending=[True, False, True], na_position="last", kind="stable"
    )
    ranks = accepted["_rank"].dropna().unique()
    if len(accepted) and accepted["_rank"].notna().all() and len(ranks) <= 3:
        # Ranks that are already tiers (imported from the site as tier + 1, or set 1-3 by hand) keep their band.
        band = {rank: i for i, rank in enumerate(sorted(ranks))}
        tiers[accepted.index] = accepted["_rank"].map(band).astype(int).values
    else:
        tiers[accepted.index] = [3 * i // len(accepted) for i in range(len(accepted))]
    return tiers


def _half_up(values: pd.Series) -> pd.Series:
    """Whole numbers, halves rounded up (4.5 -> 5) as people expect, not to even as round() does."""
    return (values.astype(float) + 0.5).floordiv(1)


def site_scores(decisions: pd.DataFrame, reviews: pd.DataFrame) -> pd.Series:
    """Each decision's integer Score by SITE_EXPORT_RULE (aligned with decisions)."""
    per_review = _review_numbers(reviews)
    by_response = per_review.groupby(level=0)
    panel = int(by_response.size().max()) if len(per_review) else 0
    summed = decisions["response_id"].astype(str).map(_half_up(by_response.mean() * panel))
    own = (
        _half_up(pd.to_numeric(decisions["score"], errors="coerce")) if "score" in decisions else summed * float("nan")
    )
    return own.fillna(summed).fillna(0).astype(int)


def decisions_export_frame(decisions: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Djangonaut Space's score import: Response ID, Score, Selection Rank, all integers, for every decided application."""
    if decisions.empty:
        return pd.DataFrame(columns=list(DS_DECISION_COLUMNS))
    ids = decisions["response_id"].astype(str)
    # The site refuses the whole file for one id that is not one of its numbers (e.g. a Google Forms response).
    decisions = decisions.assign(response_id=ids)[ids.str.fullmatch(r"\d+")].reset_index(drop=True)
    scores = site_scores(decisions, reviews)
    frame = pd.DataFrame(
        {
            "Response ID": decisions["response_id"],
            "Score": scores,
            "Selection Rank": selection_tiers(decisions, scores),
        }
    ).dropna(subset=["Selection Rank"])
    # Best tier first, then higher Score: the order the site's allocator reads them in.
    frame = frame.sort_values(["Selection Rank", "Score", "Response ID"], ascending=[True, False, True], kind="stable")
    return frame.astype({"Score": int, "Selection Rank": int}).reset_index(drop=True)


def export_left_out(decisions: pd.DataFrame, frame: pd.DataFrame) -> str:
    """A sentence about the applications the site's score import file leaves out, or ''."""
    status = decisions["status"].fillna("pending").astype(str) if len(decisions) else pd.Series(dtype=str)
    pending = int((status == "pending").sum())
    foreign = int((status != "pending").sum()) - len(frame)
    parts = ([f"{pending} pending (the site keeps what it had for them)"] if pending else []) + (
        [
            f"{foreign} whose response id is not one of the site's numbers (they did not come from the site, and one "
            "such row would make it refuse the whole file)"
        ]
        if foreign
        else []
    )
    return f"Left out: {' and '.join(parts)}." if parts else ""


def _review_numbers(reviews: pd.DataFrame) -> pd.Series:
    """Each review's score indexed by response id: its overall, else its criteria's mean; conflicts and blanks left out."""
    if reviews.empty:
        return pd.Series(dtype=float)
    reviews = reviews.copy()
    if "conflict_of_interest" in reviews:
        reviews = reviews[~reviews["conflict_of_interest"].fillna(False).astype(bool)]
    overall = (
        pd.to_numeric(reviews["overall"], errors="coerce")
        if "overall" in reviews
        else pd.Series(float("nan"), index=reviews.index)
    )
    if "scores" in reviews:
        criteria_mean = reviews["scores"].map(
            lambda s: sum(float(v) for v in s.values()) / len(s) if isinstance(s, dict) and s else float("nan")
        )
        overall = overall.fillna(criteria_mean)
    return pd.Series(overall.values, index=reviews["response_id"].astype(str).values).dropna()


def review_scores(reviews: pd.DataFrame) -> pd.Series:
    """Mean score per response id: each review's overall (else its criteria's mean), conflicts left out."""
    return _review_numbers(reviews).groupby(level=0).mean().round(2)


def decisions_csv(decisions: pd.DataFrame, reviews: pd.DataFrame) -> str:
    """The decisions CSV that Djangonaut Space's site imports (see SITE_EXPORT_RULE), formulas neutralised."""
    return safe_csv(decisions_export_frame(decisions, reviews))
