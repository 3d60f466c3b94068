"""Which raw column feeds which canonical field: the config's mapping, then the canonical names, then the grids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashboard import availability, fields
from dashboard.config import Settings
from dashboard.criteria import load_criteria
from dashboard.importer.results import ImportFailed
from dashboard.parsing import is_blank

GRID_TARGET = re.compile(r"^availability\[(.+)\]$")


@dataclass
class ColumnMap:
    """Which raw header feeds each canonical field (plus grid days, scores and extras)."""

    fields: dict[str, str] = field(default_factory=dict)
    grid: dict[str, str] = field(default_factory=dict)  # header -> its grid label (a weekday or a time range)
    scores: dict[str, str] = field(default_factory=dict)  # criterion -> header
    extra: list[str] = field(default_factory=list)  # unused headers kept as the row's extra answers (applications)
    unmapped: list[str] = field(default_factory=list)  # unused headers of other tables: only in the raw rows
    twins: dict[str, list[str]] = field(default_factory=dict)  # a field's header -> later columns of the same question


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
