"""A mapping, or the suggestions with their reasons, as a [mapping.<table>] block for dashboard.toml."""

from __future__ import annotations

import json

from dashboard.mapping.suggestions import Suggestion


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_toml(table: str, mapping: dict[str, str], notes: dict[str, str] | None = None) -> str:
    """The [mapping.<table>] block for dashboard.toml; notes become comments above their line."""
    lines = [f"[mapping.{table}]"]
    for question, target in mapping.items():
        if notes and notes.get(question):
            lines.append(f"# {' '.join(notes[question].split())}")
        lines.append(f"{_toml_string(question)} = {_toml_string(target)}")
    return "\n".join(lines) + "\n"


def suggestions_toml(table: str, suggestions: list[Suggestion]) -> str:
    """The suggested block with each reason as a comment; unmapped questions map to '' (kept as they are)."""
    notes = {s.column: (f"{s.confidence}: {s.reason}" if s.target else f"not mapped: {s.reason}") for s in suggestions}
    return to_toml(table, {s.column: s.target for s in suggestions}, notes)
