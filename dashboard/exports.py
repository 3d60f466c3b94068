"""Files Mission Control writes for other tools (spreadsheets, Djangonaut Space's site).

Every exported text cell goes through ``neutralise_formula``: an applicant's answer such as
``=HYPERLINK(...)`` must stay text when an organiser opens the CSV in a spreadsheet.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP), with their
# full-width and small forms, which spreadsheets in East Asian locales read as the same character.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS = frozenset("=+-@" "\uff1d\uff0b\uff0d\uff20" "\ufe66\ufe62\ufe63\ufe6b")
DS_DECISION_COLUMNS = ("Response ID", "Score", "Selection Rank")


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
        writer.writerow(["" if _is_missing(v) else neutralise_formula(v if isinstance(v, str) else _plain(v)) for v in row])
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


def decisions_export_frame(decisions: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Djangonaut Space's decisions import: Response ID, Score (mean overall), Selection Rank."""
    if decisions.empty:
        return pd.DataFrame(columns=list(DS_DECISION_COLUMNS))
    scores = review_scores(reviews)
    frame = pd.DataFrame({
        "Response ID": decisions["response_id"].astype(str),
        "Score": decisions["response_id"].map(scores),
        "Selection Rank": pd.to_numeric(decisions["rank"], errors="coerce").astype("Int64"),
    })
    # Ranked first (lower is better), then unranked by response id: a stable, readable order.
    frame = frame.sort_values(["Selection Rank", "Response ID"], na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def review_scores(reviews: pd.DataFrame) -> pd.Series:
    """Mean score per response id: each review's overall (else its criteria's mean), conflicts left out."""
    if reviews.empty:
        return pd.Series(dtype=float)
    reviews = reviews.copy()
    if "conflict_of_interest" in reviews:
        reviews = reviews[~reviews["conflict_of_interest"].fillna(False).astype(bool)]
    overall = pd.to_numeric(reviews["overall"], errors="coerce") if "overall" in reviews else pd.Series(float("nan"), index=reviews.index)
    if "scores" in reviews:
        criteria_mean = reviews["scores"].map(
            lambda s: sum(float(v) for v in s.values()) / len(s) if isinstance(s, dict) and s else float("nan"))
        overall = overall.fillna(criteria_mean)
    return overall.groupby(reviews["response_id"]).mean().round(2).dropna()


def decisions_csv(decisions: pd.DataFrame, reviews: pd.DataFrame) -> str:
    """The decisions CSV that Djangonaut Space's site imports, formulas neutralised."""
    return safe_csv(decisions_export_frame(decisions, reviews))
