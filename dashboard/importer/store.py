"""Canonical rows -> database, in one audited transaction per import: every raw row kept as read, rows inserted or
updated by their key, each sheet's rejections and warnings replaced by this import's; all or nothing."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from dashboard import audit, db as dbmod, fields, models
from dashboard.config import Settings
from dashboard.importer.columns import ColumnMap, map_columns, refuse_other_tables_sheet
from dashboard.importer.results import ImportFailed, ImportResult, Rejection
from dashboard.importer.rows import dedupe, validate_rows
from dashboard.parsing import is_blank
from dashboard.sessions import get_or_create_session

# Tables whose rows belong to an application: stored only when that application is.
APPLICATION_PARTS = ("reviews", "decisions")


def _row_hash(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


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
    good, duplicates = dedupe(good, key, item.sheet, row_numbers)
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
            code, why = (
                "application_rejected",
                f"Sheet '{item.sheet}', row {row_number}: the application in row {row_number} of sheet "
                f"'{rejected_in_source[row_number].sheet}' was rejected, so its {what} is not stored either; "
                "fix that row (see its reason) and import again.",
            )
        elif response_id not in known:
            code, why = (
                "no_application",
                f"Sheet '{item.sheet}', row {row_number}, column '{column}': there is no application "
                f"'{response_id}' in {session.name}, so this {what} cannot be stored; import the "
                "applications first, or correct the response id, and import again.",
            )
        else:
            kept.append((position, row))
            continue
        orphans.append(Rejection(item.sheet, row_number, column, response_id, code, why, position))
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
