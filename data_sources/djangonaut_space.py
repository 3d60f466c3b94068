"""Djangonaut Space's own site: its application exports as raw tables.

Both come from home/forms.py SurveyCSVExportForm (UTF-8 with a BOM, Python's csv module):

- The **Full CSV**: ``Response ID``, ``Submitter Name`` (the user's name, or their e-mail when
  they gave none), one column per question (choice answers stored as keys such as
  ``prefer_not_to_say``, several joined with ``,``), one ``<name> score`` column per scorer,
  ``Score`` (the organisers' aggregate) and ``Selection Rank`` (a tier: 0-2 placed first, 3 if
  room, 4+ never). The site writes the score columns empty; organisers fill them in a sheet.
  It becomes three raw tables: applications, reviews (one row per scorer who scored a
  response) and decisions (Score and Selection Rank).
- The **Single Scorer CSV**: ``Response ID``, then for each long-text question its label and
  ``<label> Score``: one organiser scores each answer, anonymously. It becomes reviews by the
  scorer the importer names.

The reverse direction lives in dashboard.exports.decisions_csv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_sources.files import FileReadError, RawSheet, read_table

RESPONSE_ID = "Response ID"
SUBMITTER_NAME = "Submitter Name"
SCORE = "Score"
SELECTION_RANK = "Selection Rank"
SCORE_SUFFIX = re.compile(r"^(?P<name>.+?)\s+score$", re.IGNORECASE)
# Question text of the site's export -> canonical field, added to dashboard.toml [mapping.applications].
DS_APPLICATION_MAPPING = {RESPONSE_ID: "response_id", SUBMITTER_NAME: "name"}
PLACEHOLDER_DOMAIN = "no-email.invalid"  # a reserved domain: nothing is ever sent there
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    email_column: str | None = None  # the question whose answers are the applicants' e-mail addresses


@dataclass
class SingleScorerExport:
    """The reviews read from one Single Scorer CSV: one row per response, one '<label> Score' column per question."""

    reviews: RawSheet
    score_columns: dict[str, str] = field(default_factory=dict)  # '<label> Score' header -> question label


def question_score_columns(headers: list[str]) -> dict[str, str]:
    """'<label> Score' header -> '<label>' for every score column that sits beside its question's column."""
    by_norm = {_norm(h): h for h in headers}
    found = {}
    for header in headers:
        match = SCORE_SUFFIX.match(str(header).strip())
        if match and _norm(match.group("name")) in by_norm:
            found[header] = by_norm[_norm(match.group("name"))]
    return found


def scorer_columns(headers: list[str]) -> dict[str, str]:
    """Header -> scorer name for every '<name> score' column (not the aggregate 'Score', not a question's score)."""
    questions = question_score_columns(headers)
    found = {}
    for header in headers:
        match = SCORE_SUFFIX.match(str(header).strip())
        if match and _norm(header) != _norm(SCORE) and header not in questions:
            found[header] = match.group("name").strip()
    return found


def is_single_scorer(headers: list[str]) -> bool:
    """True for the site's Single Scorer CSV: no Submitter Name, and question/'<label> Score' pairs."""
    return _norm(SUBMITTER_NAME) not in {_norm(h) for h in headers} and bool(question_score_columns(headers))


def _response_column(sheet: RawSheet) -> str:
    column = {_norm(c): c for c in sheet.frame.columns}.get(_norm(RESPONSE_ID))
    if column is None:
        raise FileReadError(
            f"'{sheet.name}' has no '{RESPONSE_ID}' column, so it is not one of Djangonaut Space's "
            f"exports; columns found: {', '.join(list(sheet.frame.columns)[:8])}."
        )
    return column


def _looks_like_emails(values: pd.Series) -> bool:
    answers = [str(v).strip() for v in values if str(v).strip()]
    return bool(answers) and all(_EMAIL.match(a) for a in answers)


def email_column(frame: pd.DataFrame, candidates: list[str], mapped: tuple[str, ...] = ()) -> str | None:
    """The question holding the applicants' e-mail addresses: one mapped to email, else one whose answers all are."""
    by_norm = {_norm(c): c for c in candidates}
    for question in mapped:
        if _norm(question) in by_norm:
            return by_norm[_norm(question)]
    named = [c for c in candidates if "mail" in _norm(c)]
    return next((c for c in named + candidates if _looks_like_emails(frame[c])), None)


def split_full_export(sheet: RawSheet, mapped_email: tuple[str, ...] = ()) -> FullExport:
    """Split the site's Full CSV into raw applications, reviews and decisions tables.

    mapped_email: questions dashboard.toml maps to email (the export has no e-mail column of its own).
    """
    frame = sheet.frame
    by_norm = {_norm(c): c for c in frame.columns}
    response_col = _response_column(sheet)
    scorers = scorer_columns(list(frame.columns))
    rank_col = by_norm.get(_norm(SELECTION_RANK))
    score_col = by_norm.get(_norm(SCORE))
    name_col = by_norm.get(_norm(SUBMITTER_NAME))
    notes: list[str] = []

    answers = frame.drop(columns=[c for c in [*scorers, rank_col, score_col] if c is not None])
    questions = [c for c in answers.columns if c not in (response_col, name_col)]
    found_email = email_column(answers, questions, mapped_email)
    if found_email is None:
        # The site leaves e-mails out unless a question asks; Submitter Name falls back to the e-mail.
        names = answers[name_col].astype(str).str.strip() if name_col else pd.Series("", index=answers.index)
        ids = answers[response_col].astype(str).str.strip()
        emails = [
            name if _EMAIL.match(name) else (f"response-{i}@{PLACEHOLDER_DOMAIN}" if i else "")
            for name, i in zip(names, ids)
        ]
        answers = answers.assign(email=emails)
        placeholders = sum(e.endswith("@" + PLACEHOLDER_DOMAIN) for e in emails)
        if placeholders:
            notes.append(
                f"The export has no e-mail question; {placeholders} application(s) got placeholder addresses "
                f"@{PLACEHOLDER_DOMAIN} (where Submitter Name is an e-mail address, that address was used). "
                "Add an e-mail question to the form, or map one in dashboard.toml [mapping.applications], to "
                "match applicants to people."
            )

    records = frame.to_dict("records")
    review_rows, review_numbers = [], []
    for position, record in enumerate(records):
        for header, scorer in scorers.items():
            value = str(record.get(header, "")).strip()
            if value:
                review_rows.append({"response_id": record[response_col], "reviewer": scorer, "overall": value})
                review_numbers.append(sheet.row_numbers[position])
    reviews = pd.DataFrame(review_rows, columns=["response_id", "reviewer", "overall"], dtype=str)

    decision_rows, decision_numbers = [], []
    for position, record in enumerate(records):
        tier = str(record.get(rank_col, "")).strip() if rank_col else ""
        score = str(record.get(score_col, "")).strip() if score_col else ""
        if tier or score:
            decision_rows.append({"response_id": record[response_col], "tier": tier, "score": score})
            decision_numbers.append(sheet.row_numbers[position])
    decisions = pd.DataFrame(decision_rows, columns=["response_id", "tier", "score"], dtype=str)
    if rank_col is None:
        notes.append(f"No '{SELECTION_RANK}' column: no decisions were imported.")

    return FullExport(
        applications=RawSheet(sheet.name, answers, list(sheet.row_numbers)),
        reviews=RawSheet(f"{sheet.name} (scores)", reviews, review_numbers),
        decisions=RawSheet(f"{sheet.name} (ranks)", decisions, decision_numbers),
        scorers=list(scorers.values()),
        notes=notes,
        email_column=found_email,
    )


def split_single_scorer(sheet: RawSheet, reviewer: str) -> SingleScorerExport:
    """The Single Scorer CSV as raw reviews by `reviewer`: response id and each question's score column.

    The answers themselves are left out: they are the applicants' words, already in the Full CSV.
    """
    response_col = _response_column(sheet)
    pairs = question_score_columns(list(sheet.frame.columns))
    frame = sheet.frame[[response_col, *pairs]].rename(columns={response_col: "response_id"})
    scored = frame[list(pairs)].apply(lambda column: column.astype(str).str.strip() != "").any(axis=1)
    frame = frame[scored].assign(reviewer=reviewer)
    numbers = [n for n, keep in zip(sheet.row_numbers, scored) if keep]
    return SingleScorerExport(RawSheet(f"{sheet.name} (scores)", frame.reset_index(drop=True), numbers), pairs)


def read_site_export(
    path: str | Path, reviewer: str | None = None, mapped_email: tuple[str, ...] = ()
) -> FullExport | SingleScorerExport:
    """Read either of the site's exports (CSV, or an XLSX of it): the Full CSV, or with a reviewer the Single Scorer CSV."""
    sheet = read_table(path)
    if is_single_scorer(list(sheet.frame.columns)):
        if not reviewer:
            raise FileReadError(
                f"{Path(path).name} is the site's Single Scorer CSV (each answer beside its score); "
                "say whose scores they are with --reviewer NAME and import it again."
            )
        return split_single_scorer(sheet, reviewer)
    return split_full_export(sheet, mapped_email)


def read_full_export(path: str | Path, mapped_email: tuple[str, ...] = ()) -> FullExport:
    """Read the site's Full CSV (or an XLSX of it) into raw applications, reviews and decisions."""
    return split_full_export(read_table(path), mapped_email)
