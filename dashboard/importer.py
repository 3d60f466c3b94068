"""Raw rows -> canonical rows -> database, for every source (files, Google Sheets, demo).

``map_columns`` decides which raw column feeds which canonical field, ``validate_rows``
turns each raw row into a canonical row or a rejection with a sentence a person can act
on, and ``import_tables`` stores everything in one transaction: a crash or a bad file
leaves the previous data exactly as it was.

Only a missing or unreadable *required* field rejects a row. An optional field that cannot be
read is stored empty and the row gets a warning (``FieldWarning``) naming the sheet, row,
column and value and saying what to do; warnings are stored beside the rejections.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import select

from dashboard import audit, availability, db as dbmod, fields, models
from dashboard.config import Settings
from dashboard.criteria import load_criteria
from dashboard.exports import status_for_tier
from dashboard.parsing import (
    BadValue,
    column_date_order,
    is_blank,
    list_options,
    parse_datetime,
    parse_number,
    parse_scale,
    parse_value,
)
from dashboard.sessions import Session, get_or_create_session, week_of

GRID_TARGET = re.compile(r"^availability\[(.+)\]$")


class ImportFailed(Exception):
    """The whole import was refused (e.g. a required column is missing); nothing was written."""


# Tables whose rows belong to an application: stored only when that application is.
APPLICATION_PARTS = ("reviews", "decisions")

STORED, STORED_WITH_WARNINGS, STORED_WITH_REJECTS = "stored", "stored_with_warnings", "stored_with_rejects"


@dataclass
class Rejection:
    sheet: str
    row_number: int
    column: str | None
    value: str | None
    code: str
    reason: str
    position: int = field(default=-1, repr=False)  # the row's index in the frame (derived sheets repeat row numbers)


@dataclass
class FieldWarning:
    """A field of a stored row that was stored empty, or read with a caveat, and what to do about it."""

    sheet: str
    row_number: int
    column: str
    value: str | None
    code: str
    message: str
    position: int = field(default=-1, repr=False)


class Validation(NamedTuple):
    """What validate_rows made of a frame: canonical rows (with their position), rejections, blank rows, warnings."""

    good: list[tuple[int, dict[str, Any]]]
    rejected: list[Rejection]
    blank: int
    warnings: list[FieldWarning]


@dataclass
class ColumnMap:
    """Which raw header feeds each canonical field (plus grid days, scores and extras)."""

    fields: dict[str, str] = field(default_factory=dict)
    grid: dict[str, str] = field(default_factory=dict)  # header -> its grid label (a weekday or a time range)
    scores: dict[str, str] = field(default_factory=dict)  # criterion -> header
    extra: list[str] = field(default_factory=list)  # unused headers kept as the row's extra answers (applications)
    unmapped: list[str] = field(default_factory=list)  # unused headers of other tables: only in the raw rows
    twins: dict[str, list[str]] = field(default_factory=dict)  # a field's header -> later columns of the same question


@dataclass
class ImportResult:
    table: str
    source: str
    sheet: str
    session: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_blank: int = 0
    rows_with_warnings: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    sync_run_id: int | None = None
    seconds: float = 0.0
    columns_not_mapped: list[str] = field(default_factory=list)
    rejections_changed: bool = False  # the sheet's stored rejections or warnings differ from before this import

    @property
    def status(self) -> str:
        """'stored', 'stored_with_warnings' or 'stored_with_rejects' (what --json and the exit code say)."""
        return STORED_WITH_REJECTS if self.rows_rejected else STORED_WITH_WARNINGS if self.warnings else STORED

    def stored_data_changed(self) -> bool:
        """True when this import changed canonical rows, rejections or warnings (so cached views must reload)."""
        return bool(self.rows_inserted or self.rows_updated or self.rejections_changed)

    def unmapped_notice(self) -> str:
        """A sentence about columns that fed no field (their values stay in the raw rows), or ''."""
        if not self.columns_not_mapped:
            return ""
        names = ", ".join(f"'{c}'" for c in self.columns_not_mapped[:8]) + (
            " ..." if len(self.columns_not_mapped) > 8 else ""
        )
        return (
            f"{len(self.columns_not_mapped)} column(s) of sheet '{self.sheet}' fed no {self.table} field and are kept "
            f"only with the raw rows: {names}. If one should fill a field, map its header in dashboard.toml "
            f"[mapping.{self.table}] and import again."
        )

    def counts_line(self) -> str:
        """'100 read, 99 stored (97 new, 2 changed, 0 unchanged), 1 rejected, 3 with warnings.'"""
        return (
            f"{self.rows_read} read, {self.rows_stored} stored ({self.rows_inserted} new, {self.rows_updated} changed, "
            f"{self.rows_unchanged} unchanged), {self.rows_rejected} rejected"
            + (f", {self.rows_with_warnings} with warnings" if self.rows_with_warnings else "")
            + "."
        )

    def detail_lines(self, limit: int = 10) -> list[str]:
        """The unmapped-columns notice, then each rejection's reason and each warning, at most `limit` of each."""
        lines = [self.unmapped_notice()] if self.columns_not_mapped else []
        for label, entries in (
            ("Rejected", [r.reason for r in self.rejections]),
            ("Warning", [w.message for w in self.warnings]),
        ):
            lines += [f"{label}: {text}" for text in entries[:limit]]
            if len(entries) > limit:
                lines.append(f"... and {len(entries) - limit} more (see the Data page).")
        return lines

    def summary(self) -> dict[str, Any]:
        """The JSON summary printed by ``--json``."""
        data = asdict(self)
        data["status"] = self.status
        for name in ("rejections", "warnings"):
            data[name] = [{k: v for k, v in entry.items() if k != "position"} for entry in data[name]]
        return data


def overall_status(results: list[ImportResult]) -> str:
    """The status of several tables imported together: the worst of theirs."""
    statuses = {r.status for r in results}
    return next((s for s in (STORED_WITH_REJECTS, STORED_WITH_WARNINGS) if s in statuses), STORED)


def normalise_header(text: str) -> str:
    """Headers match regardless of case and repeated or trailing spaces."""
    return " ".join(str(text).split()).casefold()


def map_columns(
    headers: list[str], table_name: str, mapping: dict[str, str], settings: Settings, sheet: str
) -> ColumnMap:
    """Match raw headers to canonical fields by the config mapping, then by canonical name."""
    spec = fields.table(table_name)
    by_norm = {normalise_header(h): h for h in headers if not is_blank(h)}
    criteria = [c.name for c in load_criteria(settings)] if table_name == "reviews" else []
    result = ColumnMap()
    used: set[str] = set()

    def take(target: str, header: str) -> None:
        target = target.strip()
        if m := GRID_TARGET.match(target):
            if availability.label_kind(m.group(1)) is None:
                raise ImportFailed(
                    f"dashboard.toml [mapping.{table_name}] maps '{header}' to '{target}', but '{m.group(1)}' is neither a "
                    f"day (availability[Monday]) nor a time range (availability[6:00 PM - 9:00 PM])."
                )
            result.grid[header] = m.group(1).strip()
        elif target.startswith("score.") or target in criteria:
            result.scores[target.removeprefix("score.")] = header
        elif target in spec.field_names:
            result.fields.setdefault(target, header)
        else:
            raise ImportFailed(
                f"dashboard.toml [mapping.{table_name}] maps '{header}' to '{target}', which is not a field of "
                f"{table_name}; use one of: {', '.join(spec.field_names)}."
            )
        used.add(header)

    kept_out: set[str] = set()  # mapped to '': an answer kept as it is, even when named like a field
    for question, target in mapping.items():
        header = by_norm.get(normalise_header(question))
        if header is not None and not str(target).strip():
            kept_out.add(header)
        elif header is not None:
            take(target, header)
    # A grid mapped by its question text alone: "When are you free?" = "availability[]"
    for question, target in mapping.items():
        if str(target).strip() == "availability[]":
            prefix = normalise_header(question)
            for norm, header in by_norm.items():
                if norm.startswith(prefix) and (label := availability.grid_label(header)):
                    result.grid[header] = label
                    used.add(header)
    if "availability" in spec.field_names and not result.grid and "availability" not in result.fields:
        result.grid = _availability_grid([h for h in by_norm.values() if h not in used])
        used.update(result.grid)
    for norm, header in by_norm.items():
        if header in used or header in kept_out:
            continue
        canonical = norm.replace(" ", "_")
        if canonical in spec.field_names and canonical not in result.fields:
            take(canonical, header)
        elif canonical in criteria and canonical not in result.scores:
            take(canonical, header)
        elif canonical.startswith("score.") and canonical.removeprefix("score.") in criteria:
            take(canonical, header)
    # A question asked twice (edited mid-form, or the same text twice) is several columns: each
    # row's answer is in whichever of them it filled.
    questions: dict[str, list[str]] = {}
    for header in headers:
        if not is_blank(header):
            questions.setdefault(question_of(header, headers), []).append(header)
    for header in result.fields.values():
        twins = [h for h in questions.get(question_of(header, headers), []) if h != header and h not in used]
        if twins:
            result.twins[header] = twins
            used.update(twins)
    unused = [h for h in by_norm.values() if h not in used]
    if spec.keeps_extra:
        result.extra = unused
    else:
        result.unmapped = unused

    required = [f.name for f in spec.fields if f.required]
    if table_name == "checkins" and "week" not in result.fields and "submitted_at" not in result.fields:
        required.append("week")
    missing = [name for name in required if name not in result.fields]
    if missing:
        questions = [q for q, t in mapping.items() if t in missing]
        wanted = f"'{questions[0]}'" if questions else f"'{missing[0]}'"
        raise ImportFailed(
            f"Column {wanted} (for {missing[0]}) not found in sheet '{sheet}'; map it in dashboard.toml "
            f"[mapping.{table_name}] or name the column '{missing[0]}'. Columns found: {', '.join(headers[:12])}"
            + ("..." if len(headers) > 12 else "")
        )
    return result


def refuse_other_tables_sheet(
    table_name: str, headers: list[str], colmap: ColumnMap, others: dict[str, dict[str, str]], sheet: str
) -> None:
    """Refuse a sheet none of whose questions feeds this table's own fields while several feed another table's.

    A check-in export imported as applications would otherwise be stored as applications made of an
    e-mail and a timestamp (and an application export as check-ins dated in the session).
    """
    present = {normalise_header(h) for h in headers}
    own_fields = set(fields.table(table_name).field_names)
    for other, mapping in others.items():
        other_fields = set(fields.table(other).field_names)
        own = [name for name in colmap.fields if name not in other_fields]
        claimed = {
            q: t for q, t in mapping.items() if t in other_fields - own_fields and normalise_header(q) in present
        }
        if not own and not colmap.grid and not colmap.scores and len(claimed) >= 2:
            questions = ", ".join(f"'{q}'" for q in list(claimed)[:3]) + (" ..." if len(claimed) > 3 else "")
            raise ImportFailed(
                f"Sheet '{sheet}' looks like {other}, not {table_name}: its questions {questions} feed {other} fields "
                f"({', '.join(sorted(set(claimed.values())))}) and none feeds a field only {table_name} has. "
                f"Import it as {other} (--table {other}, or choose {other} on the Data page), or map its questions "
                f"to {table_name} fields."
            )


def question_of(header: str, headers: list[str]) -> str:
    """A header's question text: 'Hours?.1' (a repeated header, as pandas names it) is 'Hours?' when that is a header too."""
    base, dot, number = str(header).rpartition(".")
    return normalise_header(base if dot and number.isdigit() and base in headers else header)


def _availability_grid(headers: list[str]) -> dict[str, str]:
    """Unmapped checkbox grids whose labels are days or time ranges ('When are you free? [Monday]'): header -> label."""
    questions: dict[str, dict[str, str]] = {}
    for header in headers:
        if label := availability.grid_label(header):
            question = normalise_header(header[: header.rindex("[")])
            questions.setdefault(question, {})[header] = label
    grid: dict[str, str] = {}
    for columns in questions.values():
        readable = sum(availability.label_kind(label) is not None for label in columns.values())
        if readable >= 2 and 2 * readable >= len(columns):  # a grid of days or times, not "Rate your skills [Python]"
            grid.update(columns)
    return grid


def _row_hash(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def generated_response_id(submitted_at: str, email: str) -> str:
    """A stable id for forms without one, from the timestamp and e-mail as written."""
    basis = f"{str(submitted_at).strip().lower()}|{str(email).strip().lower()}"
    return "r-" + hashlib.sha1(basis.encode()).hexdigest()[:10]


def _derive_week(submitted, start: date | None, weeks: int) -> int:
    if start is None:
        raise BadValue(
            "no week was given and the session has no start date to count weeks from; add a week column or set [session] start_date"
        )
    week = week_of(start, submitted.date())
    if week < 1:
        raise BadValue(
            f"submitted on {submitted.date()}, before the session started on {start}; give the week explicitly"
        )
    if week > weeks + 1:
        raise BadValue(f"submitted on {submitted.date()}, after the session's {weeks} weeks; give the week explicitly")
    return min(week, weeks)


def _other_date_order_hint(stamp: Any, order: str, session: models.Session | Session) -> str:
    """'; if the sheet writes the day first, set ...' when the timestamp read the other way falls in the session."""
    other = {"MDY": "DMY", "DMY": "MDY"}.get(order.upper())
    if other is None or is_blank(stamp):
        return ""
    try:
        _derive_week(parse_datetime(stamp, other), session.start_date, session.weeks)
    except (BadValue, ValueError):
        return ""
    read, first = ("month", "day") if other == "DMY" else ("day", "month")
    return (
        f"; the timestamp was read {read} first ({order}): if the sheet writes the {first} first, "
        f'set [import] date_order = "{other}" and import again'
    )


def validate_rows(
    frame: pd.DataFrame,
    table_name: str,
    colmap: ColumnMap,
    *,
    sheet: str,
    row_numbers: list[int],
    settings: Settings,
    session: models.Session | Session,  # reads start_date and weeks only (a preview passes an unsaved Session)
    choice_keys: bool = False,
) -> Validation:
    """Canonical rows (with their position), rejections, blank rows and field warnings.

    choice_keys: the frame is Djangonaut Space's export, whose choice answers are keys ('not_yet').
    """
    spec = fields.table(table_name)
    opts = settings.section("import")
    date_order = str(opts.get("date_order", "MDY"))
    tz = str(opts.get("timezone", "UTC"))
    criteria = {c.name: c for c in load_criteria(settings)}
    configured = settings.section("options").get(table_name, {})
    # A checkbox question's options, from the config or learned from the whole column, so that an
    # option holding a comma ('Django (docs, translations)') is not cut in two.
    options = {
        name: list_options(frame[header], configured.get(name, ()))
        if spec.field(name).kind == fields.LIST
        else tuple(configured.get(name, ()))
        for name, header in colmap.fields.items()
    }
    # Each date column's order: the configured one, unless the column's own dates prove the other.
    first_of = {"DMY": "day", "MDY": "month"}
    orders = {
        name: column_date_order(frame[header], date_order)
        for name, header in colmap.fields.items()
        if spec.field(name).kind in (fields.DATETIME, fields.DATE)
    }
    good: list[tuple[int, dict[str, Any]]] = []
    rejected: list[Rejection] = []
    warnings: list[FieldWarning] = []
    blank = 0
    records = frame.to_dict("records")
    for position, raw in enumerate(records):
        row_number = row_numbers[position]
        if all(is_blank(v) for v in raw.values()):
            blank += 1
            continue
        row: dict[str, Any] = {}
        problem: Rejection | None = None
        unreadable: dict[str, tuple[str, Any, str]] = {}

        def where(column: str | None) -> str:
            return f"Sheet '{sheet}', row {row_number}" + (f", column '{column}'" if column else "")

        def shown(value: Any) -> str:
            return ("" if is_blank(value) else str(value))[:500]

        def reject(column: str | None, value: Any, code: str, why: str) -> Rejection:
            return Rejection(sheet, row_number, column, shown(value), code, f"{where(column)}: {why}.", position)

        def warn(column: str, value: Any, code: str, why: str) -> None:
            warnings.append(
                FieldWarning(sheet, row_number, column, shown(value), code, f"{where(column)}: {why}.", position)
            )

        for name, header in colmap.fields.items():
            spec_field = spec.field(name)
            answered = [h for h in [header, *colmap.twins.get(header, [])] if not is_blank(raw.get(h))]
            header = answered[0] if answered else header
            value = raw.get(header)
            if len({str(raw.get(h)).strip() for h in answered}) > 1:
                warn(
                    answered[1],
                    raw.get(answered[1]),
                    "twin_answer",
                    f"columns '{header}' and '{answered[1]}' ask the same question and both are answered; "
                    f"the answer in '{header}' was used. Rename one of the questions if they differ",
                )
            error = None
            try:
                order, proof = orders.get(name, (date_order, None))
                if proof is not None and value == proof:
                    warn(
                        header,
                        value,
                        "check_datetime",
                        f"'{value}' is only a date with the {first_of[order]} first, so every date in column "
                        f"'{header}' was read {first_of[order]} first ({order}); set [import] date_order = "
                        f'"{order}" in dashboard.toml to say so',
                    )
                row[name] = parse_value(
                    spec_field,
                    value,
                    date_order=order,
                    tz=tz,
                    options=options[name],
                    choice_keys=choice_keys,
                    note=lambda why, h=header, v=value, k=spec_field.kind: warn(h, v, f"check_{k}", why),
                )
            except (BadValue, availability.AvailabilityError) as exc:
                error = str(exc)
            except Exception as exc:  # an unexpected value must not stop the import
                error = f"the value could not be read ({type(exc).__name__})"
            if error is not None and spec_field.required:
                problem = reject(
                    header, value, f"bad_{spec_field.kind}", f"{error}; fix it in the source and import again"
                )
                break
            if error is not None:
                row[name] = None
                unreadable[name] = (header, value, error)
                warn(
                    header,
                    value,
                    f"bad_{spec_field.kind}",
                    f"{error}; the row was stored with {name.replace('_', ' ')} empty. Fix the answer in the source "
                    "and import again",
                )
                continue
            if spec_field.required and row[name] is None:
                problem = reject(
                    header,
                    value,
                    "missing_" + name,
                    f"{name.replace('_', ' ')} is empty; the row cannot be stored without it",
                )
                break
        if problem is None and colmap.grid:
            # The time zone as stored, else as written ('UTC+5:30' is still an offset the grid can use).
            tz_header = colmap.fields.get("timezone")
            person_tz = row.get("timezone") or (None if is_blank(raw.get(tz_header)) else str(raw.get(tz_header)))
            answers = {header: (label, raw.get(header)) for header, label in colmap.grid.items()}
            slots, problems = availability.read_grid(answers, person_tz, session.start_date)
            if slots or not row.get("availability"):
                row["availability"] = slots or None
            for p in problems:
                warn(p.column or tz_header or next(iter(colmap.grid)), p.value, "unreadable_availability", p.message)
        if problem is None and colmap.scores:
            scores, unscaled = {}, []
            for criterion, header in colmap.scores.items():
                if is_blank(raw.get(header)):
                    continue
                c = criteria.get(criterion)
                try:
                    if c is None:  # a score column that is no criterion (the site's Single Scorer CSV): any number
                        unscaled.append(parse_number(raw.get(header)))
                    else:
                        scores[criterion] = parse_scale(raw.get(header), c.low, c.high)
                except BadValue as exc:
                    warn(
                        header,
                        raw.get(header),
                        "bad_score",
                        f"{exc}; the review was stored without this score. "
                        "Scores are whole numbers on the criterion's scale: fix it and import again",
                    )
            row["scores"] = scores or None
            if unscaled and row.get("overall") is None:
                row["overall"] = round(sum(unscaled) / len(unscaled), 4)
        if problem is None and table_name == "applications":
            if not row.get("response_id"):
                row["response_id"] = generated_response_id(
                    raw.get(colmap.fields.get("submitted_at", ""), ""), raw.get(colmap.fields.get("email", ""), "")
                )
            row["extra"] = {h: str(raw.get(h)) for h in colmap.extra if not is_blank(raw.get(h))} or None
        if problem is None and table_name == "decisions" and row.get("tier") is not None:
            row["status"] = status_for_tier(row["tier"])
            row["rank"] = row.get("rank") or row["tier"] + 1  # the app's ranks start at 1; lower is still better
        if problem is None and table_name == "checkins" and row.get("week") is None:
            if "week" in unreadable and row.get("submitted_at") is None:
                header, value, error = unreadable["week"]
                problem = reject(
                    header,
                    value,
                    "bad_int",
                    f"{error}; with no timestamp to work the week out from, "
                    "the row cannot be stored: fix the week in the source and import again",
                )
            elif "submitted_at" in unreadable:
                header, value, error = unreadable["submitted_at"]
                problem = reject(
                    header,
                    value,
                    "no_week",
                    f"{error}; the week is worked out from it, so the row "
                    "cannot be stored: fix the timestamp or give the week, and import again",
                )
            else:
                try:
                    if row.get("submitted_at") is None:
                        raise BadValue("neither a week nor a timestamp is given")
                    row["week"] = _derive_week(row["submitted_at"], session.start_date, session.weeks)
                except BadValue as exc:
                    stamp = raw.get(colmap.fields.get("submitted_at", ""))
                    problem = reject(
                        colmap.fields.get("week") or colmap.fields.get("submitted_at"),
                        None,
                        "no_week",
                        str(exc) + _other_date_order_hint(stamp, orders.get("submitted_at", (date_order,))[0], session),
                    )
        if problem is not None:
            rejected.append(problem)
        else:
            good.append((position, row))
    return Validation(good, rejected, blank, warnings)


def _dedupe(good, key_fields: tuple[str, ...], sheet, row_numbers):
    """Keep the last row per key (a form edited later wins); earlier ones become rejections."""
    last: dict[tuple, int] = {}
    for index, (position, row) in enumerate(good):
        last[tuple(row.get(k) for k in key_fields)] = index
    kept, dropped = [], []
    for index, (position, row) in enumerate(good):
        key = tuple(row.get(k) for k in key_fields)
        if last[key] == index:
            kept.append((position, row))
        else:
            later = row_numbers[good[last[key]][0]]
            label = " and ".join(f"{k} {row.get(k)}" for k in key_fields)
            dropped.append(
                Rejection(
                    sheet,
                    row_numbers[position],
                    None,
                    None,
                    "duplicate",
                    f"Sheet '{sheet}', row {row_numbers[position]}: row {later} has the same {label}; "
                    f"the later answer is kept. Delete one of them if that is wrong.",
                    position,
                )
            )
    return kept, dropped


def _model_values(model: type[models.Base], row: dict[str, Any]) -> dict[str, Any]:
    columns = set(model.__table__.columns.keys())
    return {k: v for k, v in row.items() if k in columns}


@dataclass
class TableInput:
    """One raw table to import: the frame of strings, its sheet name and source row numbers.

    choice_keys: the answers are Djangonaut Space's choice keys ('prefer_not_to_say'), read as the
    answers they stand for. rows_of: the sheet these rows were cut from (the site's scores and ranks
    come from its application rows); a row rejected there is rejected here too.
    """

    table: str
    frame: pd.DataFrame
    sheet: str
    row_numbers: list[int] | None = None
    choice_keys: bool = False
    rows_of: str | None = None


def import_tables(
    url: str,
    settings: Settings,
    inputs: list[TableInput],
    *,
    source: str,
    kind: str = "import",
    session_name: str | None = None,
    actor: str | None = None,
    about: str | None = None,
    save_mappings: dict[str, dict[str, str]] | None = None,
) -> list[ImportResult]:
    """Import several raw tables from one source in one transaction; all or nothing.

    Audited in the same transaction (dashboard.db.write) under `about` (the file or spreadsheet
    as the person named it; default: the source), by the actor, else the command line's user.
    save_mappings ({table: {question: target}}) are column mappings the person confirmed: saved for
    this source in the same transaction, before the rows are read with them.
    """
    from dashboard import mapping_store  # here, not at the top: mapping_store uses this module's header matching

    started = time.perf_counter()
    results: list[ImportResult] = []
    actor = actor or audit.cli_actor()
    try:
        with dbmod.write(
            url, actor=actor, action=IMPORT_ACTIONS.get(kind, "file_imported"), subject=about or source
        ) as change:
            db = change.db
            session = get_or_create_session(db, settings, session_name)
            change.session_id = session.id
            run = models.SyncRun(session_id=session.id, source=source, kind=kind, status="running")
            db.add(run)
            db.flush()
            for table_name, confirmed in (save_mappings or {}).items():
                mapping_store.save(db, session.id, source, table_name, confirmed, actor)
            # Applications first: a review or decision is stored only when its application is.
            rejected_rows: dict[str, dict[int, Rejection]] = {}
            by_input: dict[int, ImportResult] = {}
            for index, item in sorted(enumerate(inputs), key=lambda pair: pair[1].table in APPLICATION_PARTS):
                headers = list(map(str, item.frame.columns))
                mapping = mapping_store.effective(db, session.id, source, item.table, settings, headers)
                others = {
                    other: mapping_store.effective(db, session.id, source, other, settings, headers)
                    for other in fields.TABLES
                    if other != item.table
                }
                by_input[index] = _import_one(
                    db, settings, session, run, item, source, mapping, rejected_rows.get(item.rows_of or "", {}), others
                )
                rejected_rows[item.sheet] = {r.row_number: r for r in by_input[index].rejections}
            results = [by_input[index] for index in range(len(inputs))]
            run.status = "ok"
            run.finished_at = models.utcnow()
            run.rows_read = sum(r.rows_read for r in results)
            run.rows_stored = sum(r.rows_stored for r in results)
            run.rows_rejected = sum(r.rows_rejected for r in results)
            run.summary = {
                "tables": [
                    {k: v for k, v in r.summary().items() if k not in ("rejections", "warnings")} for r in results
                ]
            }
            # A re-import of the same rows adds only its run: cached views stay valid.
            change.bump = any(r.stored_data_changed() for r in results)
            change.detail = (
                f"{', '.join(r.table for r in results)} into {session.name}: {run.rows_read} read, "
                f"{run.rows_stored} stored, {run.rows_rejected} rejected"
            )
            seconds = time.perf_counter() - started
            for r in results:
                r.session, r.sync_run_id, r.seconds = session.name, run.id, round(seconds, 3)
    except Exception as exc:
        record_failed_run(
            url, settings, source=source, kind=kind, error=exc, session_name=session_name, actor=actor, about=about
        )
        raise
    return results


IMPORT_ACTIONS = {"import": "file_imported", "sync": "sheets_synced", "demo": "demo_built"}


def record_failed_run(
    url: str,
    settings: Settings,
    *,
    source: str,
    kind: str,
    error: BaseException,
    session_name: str | None = None,
    actor: str | None = None,
    about: str | None = None,
) -> None:
    """Log a failed attempt in its own (audited) transaction, so the Data page can show the reason."""
    message = getattr(error, "user_message", None) or (
        str(error) if isinstance(error, ImportFailed) else f"{type(error).__name__}: {error}"
    )
    try:
        with dbmod.write(
            url, actor=actor or audit.cli_actor(), action="import_failed", subject=about or source, detail=message[:500]
        ) as change:
            session = get_or_create_session(change.db, settings, session_name)
            change.session_id = session.id
            change.db.add(
                models.SyncRun(
                    session_id=session.id,
                    source=source,
                    kind=kind,
                    status="failed",
                    finished_at=models.utcnow(),
                    error=message[:2000],
                )
            )
    except Exception:  # the database itself is unavailable: the caller reports the original error
        pass


def _import_one(
    db,
    settings: Settings,
    session: models.Session,
    run: models.SyncRun,
    item: TableInput,
    source: str,
    mapping: dict[str, str],
    rejected_in_source: dict[int, Rejection],
    others: dict[str, dict[str, str]] | None = None,
) -> ImportResult:
    spec = fields.table(item.table)
    frame = item.frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    row_numbers = item.row_numbers or [i + 2 for i in range(len(frame))]
    colmap = map_columns(list(frame.columns), item.table, mapping, settings, item.sheet)
    refuse_other_tables_sheet(item.table, list(frame.columns), colmap, others or {}, item.sheet)
    good, rejected, blank, warnings = validate_rows(
        frame,
        item.table,
        colmap,
        sheet=item.sheet,
        row_numbers=row_numbers,
        settings=settings,
        session=session,
        choice_keys=item.choice_keys,
    )
    # Without a response id column a resubmitted form is a second row with the same e-mail: one application.
    key = ("email",) if item.table == "applications" and "response_id" not in colmap.fields else spec.key
    good, duplicates = _dedupe(good, key, item.sheet, row_numbers)
    rejected += duplicates
    if item.table in APPLICATION_PARTS:
        good, orphans = _with_their_application(db, session, item, colmap, good, row_numbers, rejected_in_source)
        rejected += orphans
    stored_positions = {position for position, _ in good}
    warnings = [w for w in warnings if w.position in stored_positions]  # a rejected row's reason says it all
    result = ImportResult(
        table=item.table, source=source, sheet=item.sheet, rows_blank=blank, columns_not_mapped=colmap.unmapped
    )

    # Keep every non-blank raw row, exactly as read.
    records = frame.to_dict("records")
    existing_raw = {
        (r.row_number, r.row_hash): r
        for r in db.scalars(
            select(models.RawRow).where(
                models.RawRow.session_id == session.id,
                models.RawRow.table_name == item.table,
                models.RawRow.source == source,
                models.RawRow.sheet == item.sheet,
            )
        )
    }
    raw_by_position: dict[int, models.RawRow] = {}
    for position, raw in enumerate(records):
        if all(is_blank(v) for v in raw.values()):
            continue
        clean = {k: ("" if is_blank(v) else str(v)) for k, v in raw.items()}
        key = (row_numbers[position], _row_hash(clean))
        raw_row = existing_raw.get(key)
        if raw_row is None:
            raw_row = models.RawRow(
                session_id=session.id,
                table_name=item.table,
                source=source,
                sheet=item.sheet,
                row_number=key[0],
                row_hash=key[1],
                data=clean,
                first_run_id=run.id,
            )
            db.add(raw_row)
            existing_raw[key] = raw_row
        raw_row.last_run_id = run.id
        raw_by_position[position] = raw_row
    db.flush()

    model = models.TABLE_MODELS[item.table]
    existing = {
        tuple(getattr(obj, k) for k in spec.key): obj
        for obj in db.scalars(select(model).where(model.session_id == session.id))
    }
    # A form resubmitted after an earlier import updates the application stored then, under its id, so
    # the reviews and decision made meanwhile stay with it (ids made from the timestamp start 'r-').
    earlier = (
        {obj.email: obj for obj in existing.values() if obj.response_id.startswith("r-")}
        if item.table == "applications" and "response_id" not in colmap.fields
        else {}
    )
    for _, row in good:
        values = _model_values(model, row)
        key = tuple(values.get(k) for k in spec.key)
        obj = existing.get(key)
        if obj is None and values.get("email") in earlier:
            obj = earlier[values["email"]]
            values["response_id"] = obj.response_id
        if obj is None:
            db.add(model(session_id=session.id, **values))
            result.rows_inserted += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
            for k, v in changed.items():
                setattr(obj, k, v)
            if changed:
                result.rows_updated += 1
            else:
                result.rows_unchanged += 1

    rejections = {
        (raw_by_position[r.position].id,): {
            "table_name": item.table,
            "sheet": item.sheet,
            "row_number": r.row_number,
            "column": r.column,
            "value": r.value,
            "code": r.code,
            "reason": r.reason,
        }
        for r in rejected
    }
    notices = {
        (raw_by_position[w.position].id, w.column): {
            "table_name": item.table,
            "sheet": item.sheet,
            "row_number": w.row_number,
            "value": w.value,
            "code": w.code,
            "message": w.message,
        }
        for w in warnings
    }
    rejections_changed = _replace_for_sheet(db, models.RejectedRow, session, item, source, rejections)
    warnings_changed = _replace_for_sheet(db, models.ImportWarning, session, item, source, notices)
    result.rejections_changed = rejections_changed or warnings_changed

    result.rows_read = len(records) - blank
    result.rows_stored = len(good)
    result.rows_rejected = len(rejected)
    result.rejected_by_reason = dict(Counter(r.code for r in rejected))
    result.rejections = sorted(rejected, key=lambda r: (r.row_number, r.position))
    result.warnings = sorted(warnings, key=lambda w: (w.row_number, w.position))
    result.rows_with_warnings = len({w.position for w in warnings})
    db.flush()
    return result


def _with_their_application(
    db,
    session: models.Session,
    item: TableInput,
    colmap: ColumnMap,
    good,
    row_numbers,
    rejected_in_source: dict[int, Rejection],
):
    """The reviews or decisions whose application is stored; the others become rejections that say why."""
    known = set(db.scalars(select(models.Application.response_id).where(models.Application.session_id == session.id)))
    what = "review" if item.table == "reviews" else "decision"
    column = colmap.fields.get("response_id")
    kept, orphans = [], []
    for position, row in good:
        row_number = row_numbers[position]
        response_id = row["response_id"]
        if row_number in rejected_in_source:
            source_rejection = rejected_in_source[row_number]
            orphans.append(
                Rejection(
                    item.sheet,
                    row_number,
                    column,
                    response_id,
                    "application_rejected",
                    f"Sheet '{item.sheet}', row {row_number}: the application in row {row_number} of "
                    f"sheet '{source_rejection.sheet}' was rejected, so its {what} is not stored either; "
                    f"fix that row (see its reason) and import again.",
                    position,
                )
            )
        elif response_id not in known:
            orphans.append(
                Rejection(
                    item.sheet,
                    row_number,
                    column,
                    response_id,
                    "no_application",
                    f"Sheet '{item.sheet}', row {row_number}, column '{column}': there is no application "
                    f"'{response_id}' in {session.name}, so this {what} cannot be stored; import the "
                    "applications first, or correct the response id, and import again.",
                    position,
                )
            )
        else:
            kept.append((position, row))
    return kept, orphans


def _replace_for_sheet(
    db, model, session: models.Session, item: TableInput, source: str, wanted: dict[tuple, dict[str, Any]]
) -> bool:
    """Make the sheet's stored rejections (or warnings) exactly this import's; True if any changed.

    Keys are (raw_row_id,) for rejections and (raw_row_id, column) for warnings.
    """
    raw = models.RawRow
    current = {
        (entry.raw_row_id,) + ((entry.column,) if model is models.ImportWarning else ()): entry
        for entry in db.scalars(
            select(model)
            .join(raw, raw.id == model.raw_row_id)
            .where(
                raw.session_id == session.id,
                raw.table_name == item.table,
                raw.source == source,
                raw.sheet == item.sheet,
            )
        )
    }
    changed = False
    for key, values in wanted.items():
        entry = current.pop(key, None)
        if entry is None:
            entry = model(session_id=session.id, raw_row_id=key[0], **({"column": key[1]} if len(key) > 1 else {}))
            db.add(entry)
        for name, value in values.items():
            if getattr(entry, name) != value:
                setattr(entry, name, value)
                changed = True
    for stale in current.values():  # rows fixed, blanked or gone from the source, or replaced by a newer version
        db.delete(stale)
        changed = True
    return changed


def import_frame(
    url: str,
    settings: Settings,
    table: str,
    frame: pd.DataFrame,
    *,
    source: str,
    sheet: str,
    row_numbers: list[int] | None = None,
    session_name: str | None = None,
    kind: str = "import",
) -> ImportResult:
    """Import one raw table (see ``import_tables``)."""
    return import_tables(
        url,
        settings,
        [TableInput(table, frame, sheet, row_numbers)],
        source=source,
        kind=kind,
        session_name=session_name,
    )[0]
