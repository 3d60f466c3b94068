"""A form's questions as columns (a checkbox grid is one question), and the mappings already known."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from dashboard import availability
from dashboard.importer import normalise_header
from dashboard.mapping.answers import FIT_SHARE, _share
from dashboard.mapping.question_words import RULES, STRONG, word_score
from dashboard.parsing import is_blank

GRID = "availability[]"  # the target of a whole checkbox grid ("Question [Monday]", ...)

GRID_HEADER = re.compile(r"^(?P<question>.+?)\s*\[(?P<label>[^\[\]]+)\]\s*$")


@dataclass
class Column:
    """One question of the form: a plain column, or every column of a checkbox grid."""

    key: str  # the mapping key: the header, or the grid's question text
    headers: list[str]
    samples: list[str] = field(default_factory=list)

    @property
    def is_grid(self) -> bool:
        return len(self.headers) > 1


def columns_of(frame: pd.DataFrame) -> list[Column]:
    """The form's questions in order; a checkbox grid's columns ('Q [Monday]', ...) form one question."""
    headers = [str(h) for h in frame.columns]
    grids: dict[str, list[str]] = {}
    for header in headers:
        if m := GRID_HEADER.match(header):
            grids.setdefault(normalise_header(m.group("question")), []).append(header)
    result: list[Column] = []
    seen: set[str] = set()
    for header in headers:
        m = GRID_HEADER.match(header)
        group = grids.get(normalise_header(m.group("question"))) if m else None
        if group and len(group) > 1:
            if group[0] in seen:
                continue
            seen.add(group[0])
            column = Column(m.group("question").strip(), group)
            column.samples = _grid_samples(frame, group)
        else:
            column = Column(header, [header], _samples(frame[header]))
        result.append(column)
    return result


def _samples(series: pd.Series, n: int = 3, width: int = 60) -> list[str]:
    out: list[str] = []
    for value in series:
        text = "" if is_blank(value) else " ".join(str(value).split())
        if text and text not in out:
            out.append(text if len(text) <= width else text[: width - 1] + "…")
        if len(out) == n:
            break
    return out


def _grid_samples(frame: pd.DataFrame, headers: list[str]) -> list[str]:
    out = []
    for header in headers:
        label = GRID_HEADER.match(header).group("label")
        for value in _samples(frame[header], 1, 40):
            out.append(f"{label}: {value}")
        if len(out) == 2:
            break
    return out


def is_availability_grid(column: Column) -> bool:
    """A grid whose rows are weekdays or hours, or whose question asks when people are free."""
    labels = [GRID_HEADER.match(h).group("label") for h in column.headers]
    if _share(labels, lambda label: availability.label_kind(label) is not None) >= FIT_SHARE:
        return True
    return word_score(next(r for r in RULES if r.target == "availability"), column.key)[0] >= STRONG


@dataclass(frozen=True)
class Known:
    """A question already mapped: saved in the app or written in dashboard.toml (lower rank = trusted more)."""

    question: str
    target: str
    origin: str  # e.g. "saved for 'week1.csv' in 2026 Session 6", "dashboard.toml [mapping.checkins]"
    rank: int = 0
