"""A field (or none) for every question of a form, weighing its words, its answers and known mappings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from dashboard import fields as f
from dashboard.criteria import Criterion
from dashboard.importer import normalise_header, question_of
from dashboard.mapping.answers import Profile, _profile, answer_fit
from dashboard.mapping.columns import GRID, GRID_HEADER, Column, Known, columns_of, is_availability_grid
from dashboard.mapping.question_words import (
    CONFIDENCE_WORDS,
    KNOWN_EXACT,
    MISFIT,
    NAMED_LIKE_FIELD,
    SUGGEST_AT,
    WORDS_WEIGHT,
    FITS,
    Rule,
    RULES,
    content_words,
    word_score,
)

SCORE = "score."  # reviews: "score.<criterion>"


@dataclass
class Suggestion:
    """The field suggested for one question, how sure, and why ('' = not mapped)."""

    column: str
    headers: list[str]
    samples: list[str]
    target: str
    score: float
    reason: str

    @property
    def confidence(self) -> str:
        return next(word for at, word in CONFIDENCE_WORDS if self.score >= at) if self.target else "none"


def targets(table: str, criteria: Iterable[Criterion] = ()) -> list[str]:
    """Every field a column of the table can feed (reviews: one score per criterion too)."""
    spec = f.table(table)
    names = list(spec.field_names)
    if table == "reviews":
        names += [SCORE + c.name for c in criteria]
    return names


def _field_spec(table: str, target: str, criteria: dict[str, Criterion]) -> f.Field:
    if target.startswith(SCORE):
        c = criteria[target.removeprefix(SCORE)]
        return f.Field(target, f.SCALE, low=c.low, high=c.high)
    return f.table(table).field(target)


def criterion_rules(criteria: Iterable[Criterion]) -> list[Rule]:
    """A rule per review criterion, from its name and label ('community' / 'Community connection')."""
    return [Rule(SCORE + c.name, f"{c.name.replace('_', ' ')} | {c.label}", tables=("reviews",)) for c in criteria]


def _rules_for(table: str, criteria: list[Criterion]) -> dict[str, Rule]:
    fields_here = set(targets(table, criteria))
    rules: dict[str, Rule] = {}
    for rule in (*RULES, *criterion_rules(criteria)):
        if rule.target in fields_here and (not rule.tables or table in rule.tables):
            rules.setdefault(rule.target, rule)
    return rules


def _candidates(
    column: Column,
    profile: Profile,
    table: str,
    rules: dict[str, Rule],
    criteria: dict[str, Criterion],
    known: list[Known],
) -> list[tuple[float, str, str]]:
    """(score, target, reason) for every field this question might feed."""
    out: list[tuple[float, str, str]] = []
    spec = f.table(table)
    norm = normalise_header(column.key)
    usable = {"", *rules, *([GRID] if "availability" in spec.field_names else [])}
    for item in known:
        if normalise_header(item.question) == norm and item.target in usable:
            out.append((KNOWN_EXACT - item.rank / 1000, item.target, f"the same question was {item.origin}"))
    if column.is_grid:
        if "availability" in spec.field_names and is_availability_grid(column):
            days = ", ".join(GRID_HEADER.match(h).group("label") for h in column.headers[:3])
            out.append(
                (
                    1.0,
                    GRID,
                    f"a checkbox grid of {len(column.headers)} columns ({days}, ...) about when people are free",
                )
            )
        return out
    mine = content_words(column.key)
    for item in known:
        theirs = content_words(item.question)
        if item.target not in rules or normalise_header(item.question) == norm or not (mine and theirs):
            continue  # exact matches are above; a field of another table or an old criterion is no hint
        dice = 2 * len(mine & theirs) / (len(mine) + len(theirs))
        fit = answer_fit(_field_spec(table, item.target, criteria), rules[item.target], profile)[0]
        if dice >= 0.5 and fit != MISFIT:
            out.append(
                (0.6 + 0.5 * dice - item.rank / 1000, item.target, f"it reads like '{item.question}', {item.origin}")
            )
    for target, rule in rules.items():
        fit, fit_words = answer_fit(_field_spec(table, target, criteria), rule, profile)
        if norm.replace(" ", "_") in (target, target.removeprefix(SCORE)):
            # The importer reads such a column without a mapping; odd answers only lower the confidence.
            out.append(
                (SUGGEST_AT, target, f"the column is named like the field, but {fit_words}")
                if fit == MISFIT
                else (NAMED_LIKE_FIELD, target, "the column is named like the field")
            )
            continue
        strength, said = word_score(rule, column.key)
        if strength:
            score = WORDS_WEIGHT * strength + fit
            reason = f"the question says {said}" + (f"; {fit_words}" if fit_words else "")
        elif rule.guess and fit == FITS:
            score, reason = rule.guess, fit_words
        else:
            continue
        if target == "availability" and fit != FITS:
            continue  # a text column only feeds availability when it holds slot numbers
        out.append((score, target, reason))
    return out


def suggest(
    frame: pd.DataFrame, table: str, criteria: Iterable[Criterion] = (), known: Iterable[Known] = ()
) -> list[Suggestion]:
    """A field (or none) for every question of a raw table, each field used by one question at most."""
    criteria = list(criteria)
    by_name = {c.name: c for c in criteria}
    rules = _rules_for(table, criteria)
    # dashboard.toml may name a review criterion without the "score." prefix, as the importer allows.
    known = sorted(
        (
            Known(k.question, SCORE + k.target, k.origin, k.rank) if table == "reviews" and k.target in by_name else k
            for k in known
        ),
        key=lambda k: k.rank,
    )
    columns = columns_of(frame)
    options: list[list[tuple[float, str, str]]] = []
    for column in columns:
        profile = _profile(list(frame[column.headers[0]])) if not column.is_grid else _profile([])
        options.append(sorted(_candidates(column, profile, table, rules, by_name, known), key=lambda o: -o[0]))
    ranked = sorted(
        ((score, i, target, reason) for i, opts in enumerate(options) for score, target, reason in opts),
        key=lambda o: (-o[0], o[1]),
    )
    chosen: dict[int, tuple[float, str, str]] = {}
    taken: dict[str, int] = {}
    for score, i, target, reason in ranked:
        if i in chosen or score < SUGGEST_AT or (target and target in taken):
            continue
        chosen[i] = (score, target, reason)
        if target:
            taken[target] = i
    result = []
    for i, column in enumerate(columns):
        if i in chosen:
            score, target, reason = chosen[i]
        else:
            score, target, reason = 0.0, "", _why_not(options[i], taken, columns, table, column)
        result.append(Suggestion(column.key, column.headers, column.samples, target, round(min(score, 1.0), 2), reason))
    return result


def _why_not(
    options: list[tuple[float, str, str]], taken: dict[str, int], columns: list[Column], table: str, column: Column
) -> str:
    kept = "kept as an extra answer" if f.table(table).keeps_extra else "kept with the raw rows"
    keys = [c.key for c in columns]
    for score, target, reason in options:
        if target in taken and question_of(column.key, keys) == question_of(columns[taken[target]].key, keys):
            return (
                f"a second column of '{columns[taken[target]].key}': rows that left that one empty are read from here"
            )
        if target in taken and score >= SUGGEST_AT:
            return f"{target} fits '{columns[taken[target]].key}' better; {kept}"
        if score > 0:
            return f"unsure ({reason}); {kept}"
    return f"no {table} field fits these words or answers; {kept}"
