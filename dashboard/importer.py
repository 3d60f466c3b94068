"""Raw rows -> canonical rows -> database, for every source (files, Google Sheets, demo).

``map_columns`` decides which raw column feeds which canonical field, ``validate_rows``
turns each raw row into a canonical row or a rejection with a sentence a person can act
on, and ``import_tables`` stores everything in one transaction: a crash or a bad file
leaves the previous data exactly as it was.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from dashboard import audit, availability, db as dbmod, fields, models
from dashboard.config import Settings
from dashboard.criteria import load_criteria
from dashboard.parsing import BadValue, is_blank, parse_scale, parse_timezone, parse_value
from dashboard.sessions import get_or_create_session

GRID_TARGET = re.compile(r"^availability\[(\w+)\]$")
GRID_HEADER = re.compile(r"\[(\w+)\]\s*$")


class ImportFailed(Exception):
    """The whole import was refused (e.g. a required column is missing); nothing was written."""


@dataclass
class Rejection:
    sheet: str
    row_number: int
    column: str | None
    value: str | None
    code: str
    reason: str


@dataclass
class ColumnMap:
    """Which raw header feeds each canonical field (plus grid days, scores and extras)."""

    fields: dict[str, str] = field(default_factory=dict)
    grid: dict[str, str] = field(default_factory=dict)  # weekday -> header
    scores: dict[str, str] = field(default_factory=dict)  # criterion -> header
    extra: list[str] = field(default_factory=list)  # unused headers kept as the row's extra answers (applications)
    unmapped: list[str] = field(default_factory=list)  # unused headers of other tables: only in the raw rows


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
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    sync_run_id: int | None = None
    seconds: float = 0.0
    columns_not_mapped: list[str] = field(default_factory=list)
    rejections_changed: bool = False  # the sheet's stored rejections differ from before this import

    def stored_data_changed(self) -> bool:
        """True when this import changed canonical rows or rejections (so cached views must reload)."""
        return bool(self.rows_inserted or self.rows_updated or self.rejections_changed)

    def unmapped_notice(self) -> str:
        """A sentence about columns that fed no field (their values stay in the raw rows), or ''."""
        if not self.columns_not_mapped:
            return ""
        names = ", ".join(f"'{c}'" for c in self.columns_not_mapped[:8]) + (" ..." if len(self.columns_not_mapped) > 8 else "")
        return (f"{len(self.columns_not_mapped)} column(s) of sheet '{self.sheet}' fed no {self.table} field and are kept "
                f"only with the raw rows: {names}. If one should fill a field, map its header in dashboard.toml "
                f"[mapping.{self.table}] and import again.")

    def summary(self) -> dict[str, Any]:
        """The JSON summary printed by ``--json``."""
        data = asdict(self)
        data["rejections"] = [asdict(r) for r in self.rejections]
        return data


def normalise_header(text: str) -> str:
    """Headers match regardless of case and repeated or trailing spaces."""
    return " ".join(str(text).split()).casefold()


def map_columns(headers: list[str], table_name: str, mapping: dict[str, str], settings: Settings, sheet: str) -> ColumnMap:
    """Match raw headers to canonical fields by the config mapping, then by canonical name."""
    spec = fields.table(table_name)
    by_norm = {normalise_header(h): h for h in headers if not is_blank(h)}
    criteria = [c.name for c in load_criteria(settings)] if table_name == "reviews" else []
    result = ColumnMap()
    used: set[str] = set()

    def take(target: str, header: str) -> None:
        target = target.strip()
        if m := GRID_TARGET.match(target):
            result.grid[availability.day_name(m.group(1))] = header
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

    for question, target in mapping.items():
        header = by_norm.get(normalise_header(question))
        if header is not None:
            take(target, header)
    # A grid mapped by its question text alone: "When are you free?" = "availability[]"
    for question, target in mapping.items():
        if target.strip() == "availability[]":
            prefix = normalise_header(question)
            for norm, header in by_norm.items():
                if norm.startswith(prefix) and (m := GRID_HEADER.search(header)):
                    result.grid[availability.day_name(m.group(1))] = header
                    used.add(header)
    for norm, header in by_norm.items():
        if header in used:
            continue
        canonical = norm.replace(" ", "_")
        if canonical in spec.field_names and canonical not in result.fields:
            take(canonical, header)
        elif canonical in criteria and canonical not in result.scores:
            take(canonical, header)
        elif canonical.startswith("score.") and canonical.removeprefix("score.") in criteria:
            take(canonical, header)
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


def _row_hash(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def generated_response_id(submitted_at: str, email: str) -> str:
    """A stable id for forms without one, from the timestamp and e-mail as written."""
    basis = f"{str(submitted_at).strip().lower()}|{str(email).strip().lower()}"
    return "r-" + hashlib.sha1(basis.encode()).hexdigest()[:10]


def _derive_week(submitted, start: date | None, weeks: int) -> int:
    if start is None:
        raise BadValue("no week was given and the session has no start date to count weeks from; add a week column or set [session] start_date")
    week = (submitted.date() - start).days // 7 + 1
    if week < 1:
        raise BadValue(f"submitted on {submitted.date()}, before the session started on {start}; give the week explicitly")
    if week > weeks + 1:
        raise BadValue(f"submitted on {submitted.date()}, after the session's {weeks} weeks; give the week explicitly")
    return min(week, weeks)


def validate_rows(
    frame: pd.DataFrame,
    table_name: str,
    colmap: ColumnMap,
    *,
    sheet: str,
    row_numbers: list[int],
    settings: Settings,
    session: models.Session,
) -> tuple[list[tuple[int, dict[str, Any]]], list[Rejection], int]:
    """Canonical rows (with their position) and rejections; blank rows are counted apart."""
    spec = fields.table(table_name)
    opts = settings.section("import")
    date_order = str(opts.get("date_order", "MDY"))
    tz = str(opts.get("timezone", "UTC"))
    criteria = {c.name: c for c in load_criteria(settings)}
    good: list[tuple[int, dict[str, Any]]] = []
    rejected: list[Rejection] = []
    blank = 0
    records = frame.to_dict("records")
    for position, raw in enumerate(records):
        row_number = row_numbers[position]
        if all(is_blank(v) for v in raw.values()):
            blank += 1
            continue
        row: dict[str, Any] = {}
        problem: Rejection | None = None

        def reject(column: str | None, value: Any, code: str, why: str) -> Rejection:
            shown = "" if is_blank(value) else str(value)
            where = f"Sheet '{sheet}', row {row_number}" + (f", column '{column}'" if column else "")
            return Rejection(sheet, row_number, column, shown[:500], code, f"{where}: {why}.")

        for name, header in colmap.fields.items():
            spec_field = spec.field(name)
            value = raw.get(header)
            try:
                row[name] = parse_value(spec_field, value, date_order=date_order, tz=tz)
            except (BadValue, availability.AvailabilityError) as exc:
                problem = reject(header, value, f"bad_{spec_field.kind}", f"{exc}; fix it in the source and import again")
                break
            except Exception as exc:  # an unexpected value must not stop the import
                problem = reject(header, value, "unreadable", f"the value could not be read ({type(exc).__name__}); fix it in the source")
                break
            if spec_field.required and row[name] is None:
                problem = reject(header, value, "missing_" + name, f"{name.replace('_', ' ')} is empty; the row cannot be stored without it")
                break
        if problem is None and colmap.grid:
            try:
                tzname = row.get("timezone") or "UTC"
                cells = {day: raw.get(header) for day, header in colmap.grid.items() if not is_blank(raw.get(header))}
                row["availability"] = availability.parse_grid_cells(cells, parse_timezone(tzname), session.start_date) if cells else None
            except (BadValue, availability.AvailabilityError) as exc:
                problem = reject(next(iter(colmap.grid.values())), None, "bad_availability", f"{exc}; fix the availability answer")
        if problem is None and colmap.scores:
            scores = {}
            for criterion, header in colmap.scores.items():
                if is_blank(raw.get(header)):
                    continue
                c = criteria.get(criterion)
                try:
                    scores[criterion] = parse_scale(raw.get(header), c.low if c else 1, c.high if c else 5)
                except BadValue as exc:
                    problem = reject(header, raw.get(header), "bad_score", f"{exc}; scores are whole numbers on the criterion's scale")
                    break
            row["scores"] = scores or None
        if problem is None and table_name == "applications":
            if not row.get("response_id"):
                row["response_id"] = generated_response_id(
                    raw.get(colmap.fields.get("submitted_at", ""), ""), raw.get(colmap.fields.get("email", ""), ""))
            if row.get("email") is None:
                problem = reject(colmap.fields.get("email"), raw.get(colmap.fields.get("email", "")), "missing_email",
                                 "e-mail is empty; the application cannot be matched to a person")
            row["extra"] = {h: str(raw.get(h)) for h in colmap.extra if not is_blank(raw.get(h))} or None
        if problem is None and table_name == "checkins" and row.get("week") is None:
            try:
                if row.get("submitted_at") is None:
                    raise BadValue("neither a week nor a timestamp is given")
                row["week"] = _derive_week(row["submitted_at"], session.start_date, session.weeks)
            except BadValue as exc:
                problem = reject(colmap.fields.get("week") or colmap.fields.get("submitted_at"), None, "no_week", str(exc))
        if problem is not None:
            rejected.append(problem)
        else:
            good.append((position, row))
    return good, rejected, blank


def _dedupe(good, spec, sheet, row_numbers):
    """Keep the last row per key (a form edited later wins); earlier ones become rejections."""
    last: dict[tuple, int] = {}
    for index, (position, row) in enumerate(good):
        last[tuple(row.get(k) for k in spec.key)] = index
    kept, dropped = [], []
    for index, (position, row) in enumerate(good):
        key = tuple(row.get(k) for k in spec.key)
        if last[key] == index:
            kept.append((position, row))
        else:
            later = row_numbers[good[last[key]][0]]
            label = " and ".join(f"{k} {row.get(k)}" for k in spec.key)
            dropped.append(Rejection(sheet, row_numbers[position], None, None, "duplicate",
                                     f"Sheet '{sheet}', row {row_numbers[position]}: row {later} has the same {label}; "
                                     f"the later answer is kept. Delete one of them if that is wrong."))
    return kept, dropped


def _model_values(model: type[models.Base], row: dict[str, Any]) -> dict[str, Any]:
    columns = set(model.__table__.columns.keys())
    return {k: v for k, v in row.items() if k in columns}


@dataclass
class TableInput:
    """One raw table to import: the frame of strings, its sheet name and source row numbers."""

    table: str
    frame: pd.DataFrame
    sheet: str
    row_numbers: list[int] | None = None


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
) -> list[ImportResult]:
    """Import several raw tables from one source in one transaction; all or nothing.

    Audited in the same transaction (dashboard.db.write) under `about` (the file or spreadsheet
    as the person named it; default: the source), by the actor, else the command line's user.
    """
    started = time.perf_counter()
    results: list[ImportResult] = []
    actor = actor or audit.cli_actor()
    try:
        with dbmod.write(url, actor=actor, action=IMPORT_ACTIONS.get(kind, "file_imported"), subject=about or source) as change:
            db = change.db
            session = get_or_create_session(db, settings, session_name)
            change.session_id = session.id
            run = models.SyncRun(session_id=session.id, source=source, kind=kind, status="running")
            db.add(run)
            db.flush()
            for item in inputs:
                results.append(_import_one(db, settings, session, run, item, source))
            run.status = "ok"
            run.finished_at = models.utcnow()
            run.rows_read = sum(r.rows_read for r in results)
            run.rows_stored = sum(r.rows_stored for r in results)
            run.rows_rejected = sum(r.rows_rejected for r in results)
            run.summary = {"tables": [
                {k: v for k, v in r.summary().items() if k != "rejections"} for r in results
            ]}
            # A re-import of the same rows adds only its run: cached views stay valid.
            change.bump = any(r.stored_data_changed() for r in results)
            change.detail = (f"{', '.join(r.table for r in results)} into {session.name}: {run.rows_read} read, "
                             f"{run.rows_stored} stored, {run.rows_rejected} rejected")
            seconds = time.perf_counter() - started
            for r in results:
                r.session, r.sync_run_id, r.seconds = session.name, run.id, round(seconds, 3)
    except Exception as exc:
        record_failed_run(url, settings, source=source, kind=kind, error=exc, session_name=session_name, actor=actor)
        raise
    return results


IMPORT_ACTIONS = {"import": "file_imported", "sync": "sheets_synced", "demo": "demo_built"}


def record_failed_run(url: str, settings: Settings, *, source: str, kind: str, error: BaseException,
                      session_name: str | None = None, actor: str | None = None) -> None:
    """Log a failed attempt in its own (audited) transaction, so the Data page can show the reason."""
    message = getattr(error, "user_message", None) or (
        str(error) if isinstance(error, ImportFailed) else f"{type(error).__name__}: {error}"
    )
    try:
        with dbmod.write(url, actor=actor or audit.cli_actor(), action="import_failed", subject=source,
                         detail=message[:500]) as change:
            session = get_or_create_session(change.db, settings, session_name)
            change.session_id = session.id
            change.db.add(models.SyncRun(session_id=session.id, source=source, kind=kind, status="failed",
                                         finished_at=models.utcnow(), error=message[:2000]))
    except Exception:  # the database itself is unavailable: the caller reports the original error
        pass


def _import_one(db, settings: Settings, session: models.Session, run: models.SyncRun, item: TableInput, source: str) -> ImportResult:
    spec = fields.table(item.table)
    frame = item.frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    row_numbers = item.row_numbers or [i + 2 for i in range(len(frame))]
    colmap = map_columns(list(frame.columns), item.table, settings.mapping(item.table), settings, item.sheet)
    good, rejected, blank = validate_rows(frame, item.table, colmap, sheet=item.sheet, row_numbers=row_numbers,
                                          settings=settings, session=session)
    good, duplicates = _dedupe(good, spec, item.sheet, row_numbers)
    rejected += duplicates
    result = ImportResult(table=item.table, source=source, sheet=item.sheet, rows_blank=blank,
                          columns_not_mapped=colmap.unmapped)

    # Keep every non-blank raw row, exactly as read.
    records = frame.to_dict("records")
    existing_raw = {
        (r.row_number, r.row_hash): r
        for r in db.scalars(select(models.RawRow).where(
            models.RawRow.session_id == session.id, models.RawRow.table_name == item.table,
            models.RawRow.source == source, models.RawRow.sheet == item.sheet))
    }
    raw_by_row: dict[int, models.RawRow] = {}
    for position, raw in enumerate(records):
        if all(is_blank(v) for v in raw.values()):
            continue
        clean = {k: ("" if is_blank(v) else str(v)) for k, v in raw.items()}
        key = (row_numbers[position], _row_hash(clean))
        raw_row = existing_raw.get(key)
        if raw_row is None:
            raw_row = models.RawRow(session_id=session.id, table_name=item.table, source=source, sheet=item.sheet,
                                    row_number=key[0], row_hash=key[1], data=clean, first_run_id=run.id)
            db.add(raw_row)
        raw_row.last_run_id = run.id
        raw_by_row[key[0]] = raw_row
    db.flush()

    model = models.TABLE_MODELS[item.table]
    existing = {
        tuple(getattr(obj, k) for k in spec.key): obj
        for obj in db.scalars(select(model).where(model.session_id == session.id))
    }
    for _, row in good:
        values = _model_values(model, row)
        key = tuple(values.get(k) for k in spec.key)
        obj = existing.get(key)
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

    result.rejections_changed = _replace_rejections(db, session, item, source, raw_by_row, rejected)

    result.rows_read = len(records) - blank
    result.rows_stored = len(good)
    result.rows_rejected = len(rejected)
    result.rejected_by_reason = dict(Counter(r.code for r in rejected))
    result.rejections = sorted(rejected, key=lambda r: r.row_number)
    db.flush()
    return result


def _replace_rejections(db, session: models.Session, item: TableInput, source: str,
                        raw_by_row: dict[int, models.RawRow], rejected: list[Rejection]) -> bool:
    """Make the sheet's stored rejections exactly this import's (the source's current state); True if any changed."""
    raw = models.RawRow
    current = {
        entry.raw_row_id: entry
        for entry in db.scalars(select(models.RejectedRow).join(raw, raw.id == models.RejectedRow.raw_row_id).where(
            raw.session_id == session.id, raw.table_name == item.table, raw.source == source, raw.sheet == item.sheet))
    }
    changed = False
    for rejection in rejected:
        raw_row = raw_by_row[rejection.row_number]
        entry = current.pop(raw_row.id, None)
        if entry is None:
            entry = models.RejectedRow(session_id=session.id, raw_row_id=raw_row.id)
            db.add(entry)
        values = {"table_name": item.table, "sheet": item.sheet, "row_number": rejection.row_number,
                  "column": rejection.column, "value": rejection.value, "code": rejection.code, "reason": rejection.reason}
        for name, value in values.items():
            if getattr(entry, name) != value:
                setattr(entry, name, value)
                changed = True
    for stale in current.values():  # rows fixed, blanked or gone from the source, or replaced by a newer version
        db.delete(stale)
        changed = True
    return changed


def import_frame(url: str, settings: Settings, table: str, frame: pd.DataFrame, *, source: str, sheet: str,
                 row_numbers: list[int] | None = None, session_name: str | None = None, kind: str = "import") -> ImportResult:
    """Import one raw table (see ``import_tables``)."""
    return import_tables(url, settings, [TableInput(table, frame, sheet, row_numbers)], source=source, kind=kind,
                         session_name=session_name)[0]
