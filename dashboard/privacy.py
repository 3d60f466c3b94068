"""Aggregates that are safe to show in a talk: no one can be singled out from them.

Every chart that leaves the app (Talk page, ``export-charts``, notebooks) is built from a
``SafeFrame``, and only the functions here make one. The rules, in order:

1. Only aggregates leave: counts, shares, rates, means and quartiles per group. A column
   that names or describes a person (personal, sensitive or free-text fields of
   ``dashboard.fields``, ids, e-mails) can be neither grouped by nor published, and any value
   that looks like an e-mail address is refused.
2. Every published group holds at least ``min_group_size`` distinct people ([privacy] in
   dashboard.toml, default 5). Smaller groups are not dropped (a total would give them away)
   but folded: into "Other" for unordered categories, into their smaller neighbour for ordered
   ones (weeks 7 and 8 become "7-8").
3. Secondary suppression: if the folded group is itself still too small, the next smallest
   group joins it, until every group is large enough. The published groups then partition the
   people, so no sum or difference of published numbers isolates a group under the minimum.
   With only one group left and too few people, nothing is published.
4. Two linked partitions (applicant pool vs. cohort) are folded together until every group
   holds at least the minimum applicants, cohort members and applicants left out: "6
   applicants, 6 accepted" tells everyone that each of the 6 was accepted.

5. Differencing across everything one export publishes: if one published figure is computed
   from rows that include all the rows of another of the same kind, subtracting one from the
   other gives the figure of the rows in between ("S5–S6: 93 applicants" next to "S6: 90
   applicants" gives S5's 3). Every aggregate carries its ``Figure``s (what it measures and the
   rows behind it); ``differencing_leaks`` tries every pair, and ``withheld_for_differencing``
   names what to withhold (the larger of the pair) until no pair isolates fewer than the minimum.
   A group that is also published on its own elsewhere is folded ``alone``: never combined with
   its neighbours, left out when too small.

A rate or mean describes a whole group of at least the minimum; its numerator is not a
group that is published on its own. Where rate x people would count a small group that
matters (accepted or not accepted in a session), ``rate_by(..., both_sides=True)`` withholds
that group's rate and says so in the note.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dashboard import fields
from dashboard.config import Settings

DEFAULT_MIN_GROUP_SIZE = 5
OTHER = "Other"
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_LABEL_LENGTH = 60  # group labels are categories; anything longer is treated as free text

# Columns whose values are free text or identify a person or a record, even when
# dashboard.fields does not mark them personal (answers, comments, ids, staff e-mails).
_CATEGORICAL_TEXT = {"experience_level", "team", "project", "stage", "status"}
_IDENTIFIERS = {
    "response_id",
    "email",
    "reviewer",
    "captain",
    "navigators",
    "extra",
    "scores",
    "note",
    "held_on",
    "submitted_at",
    "updated_at",
    "created_at",
    "availability",
}


def _forbidden_columns() -> frozenset[str]:
    names = set(_IDENTIFIERS)
    for spec in fields.TABLES.values():
        for f in spec.fields:
            if f.personal or f.sensitive or (f.kind == fields.TEXT and f.name not in _CATEGORICAL_TEXT):
                names.add(f.name)
    return frozenset(names)


FORBIDDEN_COLUMNS = _forbidden_columns()


class PrivacyError(ValueError):
    """An attempt to publish something that could identify a person."""


ALL = "all"  # the label of a figure about a whole frame (its total), not one group


@dataclass(frozen=True)
class Figure:
    """One published number and the rows it is computed from, for the differencing check.

    ``units`` are (unit, person) pairs: the unit says which row of that person (the week of a
    check-in, the stage of a survey, the session of an application), so figures over the same
    rows compare, and a difference is measured in people.
    """

    source: str  # what publishes it: a chart's key, or "numbers.json"
    label: str  # its group in that source (ALL for a whole frame), or the headline number's key
    measure: str  # "people", "mean confidence", "sum prs_opened": only figures of one measure subtract
    units: frozenset = field(default_factory=frozenset)
    part: str = ""  # which count of the group, when it publishes several ("Cohort", "accepted")

    @property
    def where(self) -> str:
        return f"{self.source}: {self.label}{f' ({self.part})' if self.part else ''}, {self.measure}"


def differencing_leaks(figures: Iterable[Figure], min_size: int) -> list[tuple[Figure, Figure, int]]:
    """Every pair (larger, smaller) of figures of one measure where the larger's rows include all of the
    smaller's, and the rows in between belong to 1..min_size-1 people: subtracting would publish them."""
    by_measure: dict[str, list[Figure]] = {}
    for figure in figures:
        if figure.units:
            by_measure.setdefault(figure.measure, []).append(figure)
    leaks = []
    for group in by_measure.values():
        group.sort(key=lambda f: len(f.units))
        for i, smaller in enumerate(group):
            for larger in group[i + 1 :]:
                if len(larger.units) > len(smaller.units) and smaller.units <= larger.units:
                    people = len({person for _, person in larger.units - smaller.units})
                    if 0 < people < min_size:
                        leaks.append((larger, smaller, people))
    return leaks


def withheld_for_differencing(figures: Iterable[Figure], min_size: int) -> set[tuple[str, str]]:
    """(source, label) of the figures to withhold so that no pair leaks, one at a time (withholding one can end
    several leaks): of each leaking pair the one that takes fewer published figures with it (a group of a frame
    whose total is published takes the whole frame, see withhold), the larger when both cost the same."""
    remaining = list(figures)
    withheld: set[tuple[str, str]] = set()

    def cost(figure: Figure) -> int:
        same_source = [f for f in remaining if f.source == figure.source]
        return len(same_source) if any(f.label == ALL for f in same_source) else 1

    while leaks := differencing_leaks(remaining, min_size):
        larger, smaller, _ = leaks[0]
        chosen = smaller if cost(smaller) < cost(larger) else larger
        withheld.add((chosen.source, chosen.label))
        remaining = [f for f in remaining if (f.source, f.label) != (chosen.source, chosen.label)]
    return withheld


_TOKEN = object()


@dataclass(frozen=True)
class SafeFrame:
    """An aggregate that passed the rules above; chart builders for talks accept only this."""

    frame: pd.DataFrame
    min_group_size: int
    folded: tuple[str, ...] = ()  # original group labels that were combined with others
    people: int = 0  # distinct people behind the whole frame
    withheld: tuple[str, ...] = ()  # published groups whose rate is not shown (too few on one side)
    left_out: tuple[str, ...] = ()  # groups not shown at all (too small on their own, or by differencing)
    figures: tuple[Figure, ...] = field(default=(), repr=False, compare=False)  # what each row publishes
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self._token is not _TOKEN:
            raise PrivacyError("SafeFrame is made only by dashboard.privacy functions (count_by, mean_by, ...).")
        guard(self.frame)

    @property
    def empty(self) -> bool:
        return self.frame.empty

    @property
    def note(self) -> str:
        """One sentence for a caption: what was combined or withheld to protect small groups."""
        parts = []
        if self.folded:
            parts.append(
                f"Groups under {self.min_group_size} people are combined with others ({', '.join(self.folded)})."
            )
        if self.withheld:
            parts.append(
                f"Rates are withheld where fewer than {self.min_group_size} people are on either side "
                f"({', '.join(self.withheld)})."
            )
        if self.left_out:
            parts.append(
                f"Left out, so that no group under {self.min_group_size} people can be worked out from the "
                f"other figures: {', '.join(self.left_out)}."
            )
        return " ".join(parts) or f"Every group has at least {self.min_group_size} people."


def _safe(
    frame: pd.DataFrame,
    min_size: int,
    folded: Iterable[str] = (),
    people: int = 0,
    withheld: Iterable[str] = (),
    left_out: Iterable[str] = (),
    figures: Iterable[Figure] = (),
) -> SafeFrame:
    return SafeFrame(
        frame.reset_index(drop=True),
        min_size,
        tuple(dict.fromkeys(str(f) for f in folded)),
        int(people),
        tuple(str(w) for w in withheld),
        tuple(dict.fromkeys(str(x) for x in left_out)),
        tuple(figures),
        _TOKEN,
    )


def withhold(safe: SafeFrame, labels: Iterable[str]) -> SafeFrame:
    """The aggregate without some groups (differencing). A frame whose total is published (its shares, or the
    sum of its rows) loses every group: the rest would give the withheld ones away."""
    labels = {str(label) for label in labels}
    if not labels or safe.empty:
        return safe
    by = str(safe.frame.columns[0])  # every aggregate here has its group column first
    if ALL in labels or any(f.label == ALL for f in safe.figures):
        labels |= set(map(str, safe.frame[by]))
    kept = safe.frame[~safe.frame[by].astype(str).isin(labels)]
    kept = kept.assign(order=range(len(kept))) if "order" in kept else kept
    gone = [label for label in dict.fromkeys(map(str, safe.frame[by])) if label in labels]
    return _safe(
        kept,
        safe.min_group_size,
        safe.folded,
        safe.people if len(kept) else 0,
        safe.withheld,
        (*safe.left_out, *gone),
        [f for f in safe.figures if f.label not in labels and f.label != ALL],
    )


def min_group_size(settings: Settings | None) -> int:
    """The configured smallest publishable group ([privacy] min_group_size, at least 2)."""
    value = (settings.section("privacy") if settings else {}).get("min_group_size", DEFAULT_MIN_GROUP_SIZE)
    try:
        return max(2, int(value))
    except (TypeError, ValueError):
        return DEFAULT_MIN_GROUP_SIZE


def looks_like_email(value: Any) -> bool:
    """True for a string that contains an e-mail address."""
    return isinstance(value, str) and bool(EMAIL_PATTERN.search(value))


def guard(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame itself if it holds no personal column, e-mail or free text; PrivacyError otherwise."""
    bad = sorted(set(map(str, frame.columns)) & FORBIDDEN_COLUMNS)
    if bad:
        raise PrivacyError(f"Refusing to publish personal or free-text column(s): {', '.join(bad)}.")
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        for value in values.dropna():
            if looks_like_email(value):
                raise PrivacyError(f"Refusing to publish column '{column}': it holds an e-mail address.")
            if isinstance(value, str) and len(value) > MAX_LABEL_LENGTH:
                raise PrivacyError(f"Refusing to publish column '{column}': it holds free text.")
            if not isinstance(value, (str, int, float, bool)):
                raise PrivacyError(f"Refusing to publish column '{column}': it holds {type(value).__name__} values.")
    return frame


def _check_input(frame: pd.DataFrame, columns: Iterable[str | None]) -> None:
    for column in columns:
        if column is None:
            continue
        if column in FORBIDDEN_COLUMNS:
            raise PrivacyError(f"'{column}' identifies people or is free text; it cannot be grouped or published.")
        if column not in frame.columns:
            raise PrivacyError(
                f"Column '{column}' is not in the data; known columns: {', '.join(map(str, frame.columns))}."
            )


# --- folding ------------------------------------------------------------------------------


def _merged_name(members: Sequence[str], ordered: bool) -> str:
    if ordered:
        return f"{members[0]}–{members[-1]}"
    return " + ".join(members) if len(members) <= 2 else OTHER


def fold_groups(
    sizes: Callable[[dict[str, str]], pd.Series],
    labels: Sequence[str],
    min_size: int,
    ordered: bool,
    merged_name: Callable[[list[str]], str] | None = None,
    alone: Iterable[str] = (),
) -> dict[str, str] | None:
    """Map each label to a published label so every published group holds at least min_size people.

    ``sizes(mapping)`` returns distinct people per published label under a mapping (merged
    groups are measured, not summed: a person in two weeks counts once). Returns None when
    even one group holding everybody would be too small. ``merged_name`` names a combined
    group from its original labels (default "first–last" when ordered, "A + B" or "Other").
    Ordered labels in ``alone`` are never combined (they are published on their own elsewhere):
    one that is too small, or a small group with no other neighbour, is left out of the mapping.
    """
    members: dict[str, list[str]] = {label: [label] for label in labels}  # published -> original labels
    order = list(labels)
    alone = set(alone)
    combined: set[str] = set()
    while True:
        mapping = {original: published for published, group in members.items() for original in group}
        counts = sizes(mapping).reindex(order).fillna(0)
        small = counts[counts < min_size]
        if small.empty:
            return mapping
        if len(order) == 1:
            return None
        if ordered:  # merge the smallest group with its smaller neighbour
            target = small.idxmin()
            i = order.index(target)
            neighbours = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order) and order[j] not in alone]
            if target in alone or not neighbours:  # nothing it may join: left out
                members.pop(target)
                order.remove(target)
                continue
            partner = min(neighbours, key=lambda n: counts[n])
            first, second = sorted((target, partner), key=order.index)
            group = members.pop(first) + members.pop(second)
            merged = merged_name(group) if merged_name else _merged_name(group, ordered=True)
            order[order.index(first)] = merged
            order.remove(second)
        else:  # small groups go into one combined group, which is shown last
            existing = [label for label in order if label in combined]
            plain_small = [label for label in small.index if label not in combined]
            if plain_small and (existing or len(plain_small) > 1):
                absorbed = plain_small
            else:  # secondary suppression: the combined group is still too small, the next smallest joins it
                candidates = counts.drop(existing).sort_values(kind="stable")
                absorbed = list(candidates.index[: 1 if existing else 2])
            group = sorted(
                (original for label in existing + absorbed for original in members.pop(label)), key=list(labels).index
            )
            merged = merged_name(group) if merged_name else _merged_name(group, ordered=False)
            order = [label for label in order if label not in existing + absorbed] + [merged]
            combined = {merged}
        members[merged] = group


def _people_sizes(frame: pd.DataFrame, by: str, person: str) -> Callable[[dict[str, str]], pd.Series]:
    def sizes(mapping: dict[str, str]) -> pd.Series:
        return frame.assign(_group=frame[by].map(mapping)).groupby("_group")[person].nunique()

    return sizes


def _labels(frame: pd.DataFrame, by: str, order: Sequence | None) -> list:
    present = list(pd.unique(frame[by].dropna()))
    if order is None:
        try:
            return sorted(present)
        except TypeError:
            return present
    return [label for label in order if label in present] + [label for label in present if label not in order]


def _prepare(
    frame: pd.DataFrame, by: str, person: str, order: Sequence | None, explode: bool, unit: str | None = None
) -> tuple[pd.DataFrame, list]:
    _check_input(frame, [by])
    if person not in frame.columns:
        raise PrivacyError(f"Column '{person}' (who each row is about) is needed to count people.")
    rows = frame.explode(by) if explode else frame
    rows = rows[rows[by].notna() & (rows[by].astype(str) != "")].copy()
    labels = _labels(rows, by, order)
    # (unit, person): which row of which person, compared across figures by the differencing check
    rows["_unit"] = list(zip(rows[unit].astype(str) if unit else [""] * len(rows), rows[person].astype(str)))
    rows[by] = rows[by].astype(str)
    return rows, [str(label) for label in labels]


def _folded(
    frame: pd.DataFrame,
    by: str,
    person: str,
    min_size: int,
    order: Sequence | None,
    ordered: bool,
    explode: bool = False,
    merged_name: Callable[[list[str]], str] | None = None,
    unit: str | None = None,
    alone: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[str], list[str], list[str]] | None:
    """Rows relabelled into publishable groups, the published labels in order, what was folded and what left out."""
    rows, labels = _prepare(frame, by, person, order, explode, unit)
    if rows.empty:
        return None
    mapping = fold_groups(_people_sizes(rows, by, person), labels, min_size, ordered, merged_name, alone)
    if mapping is None:
        return None
    rows[by] = rows[by].map(mapping)
    rows = rows[rows[by].notna()]
    published = list(dict.fromkeys(mapping[label] for label in labels if label in mapping))
    if not ordered:  # combined groups last
        published = [p for p in published if p in labels] + [p for p in published if p not in labels]
    folded = [label for label in labels if mapping.get(label, label) != label]
    left_out = [label for label in labels if label not in mapping]
    return rows, published, folded, left_out


def _empty(columns: Sequence[str], min_size: int) -> SafeFrame:
    return _safe(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), min_size)


def _figures(rows: pd.DataFrame, by: str, measures: dict[str, str], total: Sequence[str] = ()) -> list[Figure]:
    """What each published group (and, for the measures in total, the whole frame) publishes, with its rows."""
    figures = [
        Figure("", str(label), measure, frozenset(group["_unit"]))
        for label, group in rows.groupby(by, sort=False)
        for measure in ("people", *measures.values())
    ]
    everyone = frozenset(rows["_unit"])
    return figures + [Figure("", ALL, measures.get(name, name), everyone) for name in total]


def _finish(
    result: pd.DataFrame,
    by: str,
    published: list[str],
    min_size: int,
    folded: list[str],
    rows: pd.DataFrame,
    person: str,
    withheld: Iterable[str] = (),
    left_out: Iterable[str] = (),
    measures: dict[str, str] | None = None,
    total: Sequence[str] = (),
    extra: Iterable[Figure] = (),
) -> SafeFrame:
    result = result.set_index(by).reindex(published).reset_index()
    result.insert(1, "order", range(len(result)))
    return _safe(
        result,
        min_size,
        folded,
        rows[person].nunique(),
        withheld,
        left_out,
        [*_figures(rows, by, measures or {}, total), *extra],
    )


# --- the aggregates ---------------------------------------------------------------------
# ``unit`` (every aggregate): a column that, with the person, says which row of that person an
# aggregate counts (the week of a check-in, the stage of a survey, the session of an
# application), so that dashboard.talk can compare figures across one export (rule 5).


def count_by(
    frame: pd.DataFrame,
    by: str,
    min_size: int,
    *,
    person: str = "email",
    order: Sequence | None = None,
    ordered: bool = False,
    explode: bool = False,
    unit: str | None = None,
) -> SafeFrame:
    """People per group (and their share of everyone counted), small groups folded.

    ``explode`` counts list answers (project preferences) once per item; shares then add up
    to more than 100 % because one person can be in several groups.
    """
    folded = _folded(frame, by, person, min_size, order, ordered, explode, unit=unit)
    if folded is None:
        return _empty([by, "order", "people", "share"], min_size)
    rows, published, labels_folded, left_out = folded
    total = frame[person].nunique()
    result = rows.groupby(by)[person].nunique().rename("people").reset_index()
    result["share"] = result["people"] / total
    return _finish(
        result, by, published, min_size, labels_folded, rows, person, left_out=left_out, total=["people"]
    )  # people / share gives the total


def mean_by(
    frame: pd.DataFrame,
    value: str,
    by: str,
    min_size: int,
    *,
    person: str = "email",
    order: Sequence | None = None,
    ordered: bool = False,
    unit: str | None = None,
    alone: Iterable[str] = (),
) -> SafeFrame:
    """Mean of a numeric answer per group, with the number of people behind it."""
    _check_input(frame, [value])
    answered = frame[frame[value].notna()]
    folded = _folded(answered, by, person, min_size, order, ordered, unit=unit, alone=alone)
    if folded is None:
        return _empty([by, "order", "people", "mean"], min_size)
    rows, published, labels_folded, left_out = folded
    rows[value] = pd.to_numeric(rows[value], errors="coerce")
    result = rows.groupby(by).agg(people=(person, "nunique"), mean=(value, "mean")).reset_index()
    return _finish(
        result,
        by,
        published,
        min_size,
        labels_folded,
        rows,
        person,
        left_out=left_out,
        measures={"mean": f"mean {value}"},
    )


def rate_by(
    frame: pd.DataFrame,
    flag: str,
    by: str,
    min_size: int,
    *,
    person: str = "email",
    order: Sequence | None = None,
    ordered: bool = False,
    both_sides: bool = False,
    unit: str | None = None,
    alone: Iterable[str] = (),
) -> SafeFrame:
    """Share of answers that are true per group (e.g. stand-up attendance by week).

    ``both_sides`` withholds (NaN, listed in ``withheld``) the rate of a group where fewer than
    min_size people answered true or false, because the rate times the people would count them
    (e.g. the accepted and the not accepted applicants of a session); where it is shown, both
    counts are published figures too.
    """
    _check_input(frame, [flag])
    answered = frame[frame[flag].notna()]
    folded = _folded(answered, by, person, min_size, order, ordered, unit=unit, alone=alone)
    if folded is None:
        return _empty([by, "order", "people", "rate"], min_size)
    rows, published, labels_folded, left_out = folded
    rows[flag] = rows[flag].astype(bool).astype(float)
    result = rows.groupby(by).agg(people=(person, "nunique"), rate=(flag, "mean")).reset_index()
    withheld: list[str] = []
    sides: list[Figure] = []
    if both_sides:
        yes = rows[rows[flag] == 1].groupby(by)[person].nunique()
        no = rows[rows[flag] == 0].groupby(by)[person].nunique()
        small = [label for label in result[by] if min(yes.get(label, 0), no.get(label, 0)) < min_size]
        result.loc[result[by].isin(small), "rate"] = float("nan")
        withheld = [label for label in published if label in small]
        sides = [
            Figure("", label, "people", frozenset(group["_unit"]), f"{flag}" if value else f"not {flag}")
            for (label, value), group in rows.groupby([by, flag], sort=False)
            if label not in small
        ]
    return _finish(
        result,
        by,
        published,
        min_size,
        labels_folded,
        rows,
        person,
        withheld,
        left_out,
        measures={"rate": f"rate {flag}"},
        extra=sides,
    )


def sum_by(
    frame: pd.DataFrame,
    values: Sequence[str],
    by: str,
    min_size: int,
    *,
    person: str = "email",
    order: Sequence | None = None,
    ordered: bool = False,
    unit: str | None = None,
) -> SafeFrame:
    """Totals of count columns per group (PRs opened per week), with the people behind them."""
    _check_input(frame, values)
    folded = _folded(frame, by, person, min_size, order, ordered, unit=unit)
    if folded is None:
        return _empty([by, "order", "people", *values], min_size)
    rows, published, labels_folded, left_out = folded
    numeric = rows[list(values)].apply(pd.to_numeric, errors="coerce").fillna(0)
    result = numeric.assign(**{by: rows[by]}).groupby(by).sum().reset_index()
    result.insert(1, "people", rows.groupby(by)[person].nunique().reindex(result[by]).to_numpy())
    measures = {v: f"sum {v}" for v in values}
    return _finish(
        result,
        by,
        published,
        min_size,
        labels_folded,
        rows,
        person,
        left_out=left_out,
        measures=measures,
        total=list(values),
    )  # the rows add up to the session's totals


def quartiles_by(
    frame: pd.DataFrame,
    value: str,
    by: str,
    min_size: int,
    *,
    person: str = "email",
    order: Sequence | None = None,
    ordered: bool = False,
    unit: str | None = None,
) -> SafeFrame:
    """Lower quartile, median and upper quartile per group (never the minimum or maximum)."""
    _check_input(frame, [value])
    answered = frame[frame[value].notna()]
    folded = _folded(answered, by, person, min_size, order, ordered, unit=unit)
    if folded is None:
        return _empty([by, "order", "people", "q1", "median", "q3"], min_size)
    rows, published, labels_folded, left_out = folded
    rows[value] = pd.to_numeric(rows[value], errors="coerce")
    grouped = rows.groupby(by)[value]
    result = pd.DataFrame(
        {
            "people": rows.groupby(by)[person].nunique(),
            "q1": grouped.quantile(0.25),
            "median": grouped.median(),
            "q3": grouped.quantile(0.75),
        }
    ).reset_index()
    return _finish(result, by, published, min_size, labels_folded, rows, person, left_out=left_out)


def compare_counts(
    frame: pd.DataFrame,
    by: str,
    in_subset: pd.Series,
    min_size: int,
    *,
    person: str = "email",
    names: tuple[str, str] = ("Applicants", "Cohort"),
    order: Sequence | None = None,
    ordered: bool = False,
    explode: bool = False,
    merged_name: Callable[[list[str]], str] | None = None,
    unit: str | None = None,
) -> SafeFrame:
    """Composition of a whole (applicants) and a part of it (cohort) over the same groups.

    Groups are folded until each holds at least min_size people in the whole, in the part and
    in the rest (whole minus part: "all accepted" is a disclosure too), so both partitions use
    the same labels and neither they nor their difference reveal a small group.
    """
    _check_input(frame, [by])
    frame = frame.assign(_in_subset=in_subset.reindex(frame.index).fillna(False).astype(bool).to_numpy())
    rows, labels = _prepare(frame, by, person, order, explode, unit)
    subset = rows[rows["_in_subset"]]
    if rows.empty or subset.empty:
        return _empty([by, "order", "population", "people", "share"], min_size)

    def sizes(mapping: dict[str, str]) -> pd.Series:
        whole = _people_sizes(rows, by, person)(mapping)
        part = _people_sizes(subset, by, person)(mapping).reindex(whole.index).fillna(0)
        return pd.concat([whole, part, whole - part], axis=1).min(axis=1)

    mapping = fold_groups(sizes, labels, min_size, ordered, merged_name)
    if mapping is None:
        return _empty([by, "order", "population", "people", "share"], min_size)
    published = list(dict.fromkeys(mapping[label] for label in labels))
    if not ordered:
        published = [p for p in published if p in labels] + [p for p in published if p not in labels]
    parts, figures = [], []
    for name, part in ((names[0], rows), (names[1], subset)):
        part = part.assign(**{by: part[by].map(mapping)})
        counted = part.groupby(by)[person].nunique().reindex(published).fillna(0).astype(int)
        total = frame.loc[frame["_in_subset"] if name == names[1] else frame.index, person].nunique()
        parts.append(
            pd.DataFrame(
                {
                    by: published,
                    "order": range(len(published)),
                    "population": name,
                    "people": counted.to_numpy(),
                    "share": counted.to_numpy() / total,
                }
            )
        )
        figures += [
            Figure("", label, "people", frozenset(group["_unit"]), name)
            for label, group in part.groupby(by, sort=False)
        ]
        figures.append(Figure("", ALL, "people", frozenset(part["_unit"]), name))  # people / share gives the total
    folded = [label for label in labels if mapping[label] != label]
    return _safe(pd.concat(parts, ignore_index=True), min_size, folded, rows[person].nunique(), figures=figures)


def totals(
    frame: pd.DataFrame, values: Sequence[str], min_size: int, *, person: str = "email"
) -> dict[str, float] | None:
    """Sums of count columns over everyone, or None when fewer than min_size people are behind them."""
    _check_input(frame, values)
    if frame[person].nunique() < min_size:
        return None
    return {v: float(pd.to_numeric(frame[v], errors="coerce").fillna(0).sum()) for v in values}


def table(
    frame: pd.DataFrame, min_size: int, *, people_column: str = "people", figures: Iterable[Figure] = ()
) -> SafeFrame:
    """An already aggregated frame (one row per group, people per group in ``people_column``).

    For aggregates computed elsewhere (e.g. per-session figures): refuses personal columns
    and any row behind fewer than min_size people; it cannot fold, so the caller must, and
    passes the figures its rows publish for the differencing check.
    """
    guard(frame)
    if people_column not in frame.columns:
        raise PrivacyError(f"An aggregate needs a '{people_column}' column with the people behind each row.")
    small = frame[pd.to_numeric(frame[people_column], errors="coerce").fillna(0) < min_size]
    if not small.empty:
        raise PrivacyError(f"{len(small)} group(s) have fewer than {min_size} people; fold them before publishing.")
    return _safe(
        frame, min_size, (), int(pd.to_numeric(frame[people_column]).max()) if len(frame) else 0, figures=figures
    )


def pseudonymise(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    """Replace who (e.g. a reviewer's e-mail) by "<label> A", "<label> B"... in order of appearance.

    The new column is called ``<label lower-cased>_label``; the mapping is not returned, so an
    output can compare people without naming them.
    """
    names = list(dict.fromkeys(frame[column].dropna()))
    letters = {name: f"{label} {_letters(i)}" for i, name in enumerate(names)}
    out = frame.drop(columns=[column])
    out.insert(0, f"{label.lower()}_label", frame[column].map(letters))
    return out


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("A") + rest) + text
    return text


def safe_numbers(numbers: dict[str, Any], people: int, min_size: int) -> dict[str, float | int | str]:
    """Headline figures for a cohort of at least min_size people: numbers only, nothing personal."""
    if people < min_size:
        raise PrivacyError(f"The cohort has fewer than {min_size} people; its figures are not published.")
    clean: dict[str, float | int | str] = {}
    for key, value in numbers.items():
        if key in FORBIDDEN_COLUMNS or looks_like_email(key):
            raise PrivacyError(f"Refusing to publish '{key}' in the headline numbers.")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, str) and len(value) <= MAX_LABEL_LENGTH and not looks_like_email(value):
                clean[key] = value
                continue
            raise PrivacyError(f"Headline figure '{key}' must be a number.")
        clean[key] = int(value) if float(value).is_integer() else round(float(value), 2)
    return clean
