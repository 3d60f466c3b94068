"""Each raw row -> a canonical row, or a rejection (a required field missing or unreadable) with a sentence that
names the sheet, row and column and says what to do; optional fields that cannot be read become warnings."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, NamedTuple

import pandas as pd

from dashboard import availability, fields, models
from dashboard.config import Settings
from dashboard.criteria import load_criteria
from dashboard.exports import status_for_tier
from dashboard.importer.columns import ColumnMap
from dashboard.importer.results import FieldWarning, Rejection
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
from dashboard.sessions import Session, week_of


class Validation(NamedTuple):
    """What validate_rows made of a frame: canonical rows (with their position), rejections, blank rows, warnings."""

    good: list[tuple[int, dict[str, Any]]]
    rejected: list[Rejection]
    blank: int
    warnings: list[FieldWarning]


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


def dedupe(good, key_fields: tuple[str, ...], sheet, row_numbers):
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
