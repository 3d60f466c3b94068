"""The effective mapping for a table: layers merged (first wins), fields chosen twice, questions not fed."""

from __future__ import annotations

from typing import Iterable

from dashboard.config import Settings
from dashboard.importer import ImportFailed, map_columns, normalise_header
from dashboard.mapping.columns import GRID


def conflicts(mapping: dict[str, str]) -> list[str]:
    """Sentences for fields chosen for more than one question (each field takes one column)."""
    by_target: dict[str, list[str]] = {}
    for question, target in mapping.items():
        if target:
            by_target.setdefault(target, []).append(question)
    return [
        f"{target} is chosen for {len(questions)} questions ({', '.join(repr(q) for q in questions)}); "
        f"keep it on the one that holds it and set the others to 'not mapped'."
        for target, questions in by_target.items()
        if len(questions) > 1
    ]


def effective_mapping(headers: Iterable[str], layers: Iterable[dict[str, str]]) -> dict[str, str]:
    """One mapping from several, the first layer winning per question and per field, for these headers.

    Entries whose question is not among the headers follow (they change nothing, but the importer
    names them when a required column is missing).
    """
    present = [normalise_header(h) for h in headers]
    chosen: dict[str, str] = {}
    absent: dict[str, str] = {}
    decided: set[str] = set()
    taken: set[str] = set()
    for layer in layers:
        for question, target in layer.items():
            norm, target = normalise_header(question), str(target).strip()
            here = norm in present or (target == GRID and any(h.startswith(norm) for h in present))
            if not here:
                absent.setdefault(question, target)
            elif norm not in decided and not (target and target in taken):
                decided.add(norm)
                chosen[question] = target
                if target:
                    taken.add(target)
    return {**chosen, **{q: t for q, t in absent.items() if normalise_header(q) not in decided}}


def questions_not_fed(
    headers: list[str], table: str, effective: dict[str, str], settings: Settings
) -> list[str] | None:
    """Headers no field would read with this mapping; None when a required field is not fed at all."""
    try:
        colmap = map_columns(list(headers), table, effective, settings, "")
    except ImportFailed:
        return None
    return colmap.extra + colmap.unmapped
