"""Shared checks that an output (chart spec, SVG, notebook) holds nobody's personal data."""

from __future__ import annotations

import re

from dashboard import reads

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
FREE_TEXT_COLUMNS = {
    "applications": ["motivation", "resilience", "community", "django_experience"],
    "checkins": ["blockers", "notes"],
    "surveys": ["free_text"],
    "reviews": ["comment"],
}


def gather_secrets(url: str) -> dict[str, set[str]]:
    """Everything identifying or free-text in a database, across every session."""
    found: dict[str, set[str]] = {"emails": set(), "names": set(), "githubs": set(), "free_text": set()}
    for session_id in reads.sessions_frame(url)["id"]:
        for table in ("applications", "people", "checkins", "surveys", "reviews"):
            frame = reads.load_table(url, int(session_id), table)
            for column in ("email", "reviewer"):
                if column in frame:
                    found["emails"] |= set(frame[column].dropna().astype(str).str.lower())
            if "name" in frame:
                found["names"] |= {n for n in frame["name"].dropna().astype(str) if len(n) > 3}
            if "github" in frame:
                found["githubs"] |= {g for g in frame["github"].dropna().astype(str) if len(g) > 3}
            for column in FREE_TEXT_COLUMNS.get(table, []):
                found["free_text"] |= {t for t in frame[column].dropna().astype(str) if len(t) > 12}
    return found


def strings_in(value) -> list[str]:
    """Every string anywhere in a JSON-like value (keys and values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *strings_in(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_nothing_personal(texts: list[str], secrets: dict[str, set[str]]) -> None:
    """No e-mail address at all, and no name, GitHub handle or free-text answer from the database."""
    joined = "\n".join(texts)
    match = EMAIL.search(joined)
    assert not match, f"an e-mail address is in the output: {match.group(0)}"
    lowered = joined.lower()
    for kind in ("emails", "githubs", "free_text"):
        leaked = [s for s in secrets[kind] if s.lower() in lowered]
        assert not leaked, f"{kind} leaked: {leaked[:3]}"
    leaked_names = [n for n in secrets["names"] if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", joined)]
    assert not leaked_names, f"names leaked: {leaked_names[:3]}"
