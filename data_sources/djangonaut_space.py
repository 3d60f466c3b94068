"""Djangonaut Space's own site: its application "Full CSV" export as raw tables.

The export has ``Response ID``, ``Submitter Name``, one column per question, one
``<name> score`` column per scorer, ``Score`` (their aggregate) and ``Selection Rank``
(lower is better). It becomes three raw tables for dashboard.importer: applications (the
answers), reviews (one row per scorer who scored a response, the score as ``overall``) and
decisions (the rank). The reverse direction lives in dashboard.exports.decisions_csv.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_sources.files import FileReadError, RawSheet, read_sheets

RESPONSE_ID = "Response ID"
SUBMITTER_NAME = "Submitter Name"
SCORE = "Score"
SELECTION_RANK = "Selection Rank"
SCORER_COLUMN = re.compile(r"^(?P<name>.+?)\s+score$", re.IGNORECASE)
EMAIL_HEADERS = ("email", "email address", "e-mail", "submitter email", "user email")
# Question text of the site's export -> canonical field, added to dashboard.toml [mapping.applications].
DS_APPLICATION_MAPPING = {RESPONSE_ID: "response_id", SUBMITTER_NAME: "name"}
PLACEHOLDER_DOMAIN = "no-email.invalid"  # a reserved domain: nothing is ever sent there


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass
class FullExport:
    """The three raw tables read from one Full CSV, plus notes for the person importing it."""

    applications: RawSheet
    reviews: RawSheet
    decisions: RawSheet
    scorers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def scorer_columns(headers: list[str]) -> dict[str, str]:
    """Header -> scorer name for every '<name> score' column (not the aggregate 'Score')."""
    found = {}
    for header in headers:
        match = SCORER_COLUMN.match(str(header).strip())
        if match and _norm(header) != _norm(SCORE):
            found[header] = match.group("name").strip()
    return found


def split_full_export(sheet: RawSheet) -> FullExport:
    """Split the site's Full CSV into raw applications, reviews and decisions tables."""
    frame = sheet.frame
    by_norm = {_norm(c): c for c in frame.columns}
    response_col = by_norm.get(_norm(RESPONSE_ID))
    if response_col is None:
        raise FileReadError(f"'{sheet.name}' has no '{RESPONSE_ID}' column, so it is not Djangonaut Space's Full CSV "
                            f"export; columns found: {', '.join(list(frame.columns)[:8])}.")
    scorers = scorer_columns(list(frame.columns))
    rank_col = by_norm.get(_norm(SELECTION_RANK))
    score_col = by_norm.get(_norm(SCORE))
    notes: list[str] = []

    answers = frame.drop(columns=[c for c in [*scorers, rank_col, score_col] if c is not None])
    if not any(_norm(c) in EMAIL_HEADERS for c in answers.columns):
        # The site's export may leave e-mails out; applications still need one to be stored.
        ids = answers[response_col].astype(str).str.strip()
        answers = answers.assign(email=[f"response-{i}@{PLACEHOLDER_DOMAIN}" if i else "" for i in ids])
        notes.append(f"The export has no e-mail column; applications got placeholder addresses @{PLACEHOLDER_DOMAIN} "
                     "(add an e-mail column to the export to match applicants to people).")

    review_rows, review_numbers = [], []
    for position, record in enumerate(frame.to_dict("records")):
        for header, scorer in scorers.items():
            value = str(record.get(header, "")).strip()
            if value:
                review_rows.append({"response_id": record[response_col], "reviewer": scorer, "overall": value})
                review_numbers.append(sheet.row_numbers[position])
    reviews = pd.DataFrame(review_rows, columns=["response_id", "reviewer", "overall"], dtype=str)

    decision_rows, decision_numbers = [], []
    if rank_col is not None:
        for position, record in enumerate(frame.to_dict("records")):
            if str(record.get(rank_col, "")).strip():
                decision_rows.append({"response_id": record[response_col], "rank": record[rank_col]})
                decision_numbers.append(sheet.row_numbers[position])
    else:
        notes.append(f"No '{SELECTION_RANK}' column: no ranks were imported.")
    decisions = pd.DataFrame(decision_rows, columns=["response_id", "rank"], dtype=str)

    return FullExport(
        applications=RawSheet(sheet.name, answers, list(sheet.row_numbers)),
        reviews=RawSheet(f"{sheet.name} (scores)", reviews, review_numbers),
        decisions=RawSheet(f"{sheet.name} (ranks)", decisions, decision_numbers),
        scorers=list(scorers.values()),
        notes=notes,
    )


def read_full_export(path: str | Path) -> FullExport:
    """Read the site's Full CSV (or an XLSX of it) into raw applications, reviews and decisions."""
    return split_full_export(read_sheets(path)[0])
