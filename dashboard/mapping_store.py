"""Column mappings confirmed in the app: stored per session, source and table, used by every import.

Which mapping decides a question (dashboard.mapping.effective_mapping, first wins):
1. the mapping saved for this source (a file's name, or the spreadsheet) in this session;
2. mappings saved for the same table from the session's other sources, newest first;
3. dashboard.toml [mapping.<table>].
The app's mapping wins over the file because the organiser confirmed it against the real answers.
Mappings of earlier sessions are never applied silently: they only make suggestions.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import audit, db as dbmod, mapping, models
from dashboard.config import Settings
from dashboard.importer import normalise_header
from dashboard.sessions import Session, get_or_create_session


def source_label(source: str) -> str:
    """How a source is named on screen: 'week1.csv' or 'the Google spreadsheet'."""
    if source.startswith("file:"):
        return f"'{source.removeprefix('file:')}'"
    if source.startswith("google_sheets:"):
        return "the Google spreadsheet"
    return f"'{source}'"


def _session_id(db: OrmSession, name: str | None) -> int | None:
    return db.scalar(select(models.Session.id).where(models.Session.name == name)) if name else None


def _saved(db: OrmSession, session_id: int, table: str) -> list[models.ColumnMapping]:
    m = models.ColumnMapping
    return list(
        db.scalars(
            select(m)
            .where(m.session_id == session_id, m.table_name == table)
            .order_by(m.updated_at.desc(), m.id.desc())
        )
    )


def layers(
    db: OrmSession,
    session_id: int | None,
    source: str,
    table: str,
    settings: Settings,
    confirmed: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """The mappings that apply to an import of this source, most trusted first.

    A confirmed mapping not saved yet (a preview) stands in for the source's own saved one.
    """
    saved = _saved(db, session_id, table) if session_id is not None else []
    own = [confirmed] if confirmed is not None else [s.mapping for s in saved if s.source == source]
    others = [s.mapping for s in saved if s.source != source]
    return [*own, *others, settings.mapping(table)]


def preview_layers(
    url: str, settings: Settings, session_name: str, source: str, table: str, confirmed: dict[str, str]
) -> list[dict[str, str]]:
    """The layers an import into the named session would use once this mapping is saved for the source."""
    with OrmSession(dbmod.get_engine(url)) as db:
        return layers(db, _session_id(db, session_name), source, table, settings, confirmed)


def tables_with_saved_mapping(url: str, source: str, session_name: str) -> set[str]:
    """The tables whose questions from this source the organiser confirmed in this session."""
    m, s = models.ColumnMapping, models.Session
    with OrmSession(dbmod.get_engine(url)) as db:
        return set(
            db.scalars(
                select(m.table_name).join(s, s.id == m.session_id).where(s.name == session_name, m.source == source)
            )
        )


def needs_mapping(url: str, settings: Settings, session_name: str, source: str, table: str, headers: list[str]) -> bool:
    """True when no mapping is saved for this source's table and some question would feed no field."""
    with OrmSession(dbmod.get_engine(url)) as db:
        session_id = _session_id(db, session_name)
        if session_id is not None and any(s.source == source for s in _saved(db, session_id, table)):
            return False
        applied = effective(db, session_id, source, table, settings, headers)
    not_fed = mapping.questions_not_fed(headers, table, applied, settings)
    return not_fed is None or bool(not_fed)


def effective(
    db: OrmSession, session_id: int | None, source: str, table: str, settings: Settings, headers: list[str]
) -> dict[str, str]:
    """The one mapping an import of these headers from this source uses."""
    return mapping.effective_mapping(headers, layers(db, session_id, source, table, settings))


def save(
    db: OrmSession, session_id: int, source: str, table: str, confirmed: dict[str, str], actor: str | None = None
) -> models.ColumnMapping:
    """Store (or replace) the mapping of one source's table in an open transaction; audited with an actor."""
    m = models.ColumnMapping
    row = db.scalar(select(m).where(m.session_id == session_id, m.source == source, m.table_name == table))
    if row is None:
        row = m(session_id=session_id, source=source, table_name=table, mapping={})
        db.add(row)
    row.mapping = dict(confirmed)
    row.updated_at = models.utcnow()
    row.updated_by = actor
    if actor:  # saved with an import: one more entry in the import's audited transaction
        audit.add(
            db, actor, "mapping_saved", source_label(source).strip("'"), _mapping_detail(table, confirmed), session_id
        )
    return row


def _mapping_detail(table: str, confirmed: dict[str, str]) -> str:
    fed = sum(1 for target in confirmed.values() if target)
    return f"{table}: {fed} of {len(confirmed)} questions mapped to fields"


def save_now(
    url: str,
    settings: Settings,
    source: str,
    table: str,
    confirmed: dict[str, str],
    *,
    session_name: str | None = None,
    actor: str | None = None,
) -> str:
    """Save a mapping in its own transaction (the session a sync would write to); returns the session's name."""
    with dbmod.write(
        url,
        actor=actor or audit.cli_actor(),
        action="mapping_saved",
        subject=source_label(source).strip("'"),
        detail=_mapping_detail(table, confirmed),
    ) as change:
        session = get_or_create_session(change.db, settings, session_name)
        change.session_id = session.id
        save(change.db, session.id, source, table, confirmed)
        return session.name


def _has_schema(url: str) -> bool:
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return False  # asking must not create an empty database file
    return "column_mappings" in inspect(dbmod.get_engine(url)).get_table_names()


def known(
    url: str, settings: Settings, table: str, *, session_name: str | None = None, source: str | None = None
) -> list[mapping.Known]:
    """Every question already mapped for this table, most trusted first, to suggest from.

    This session's saved mappings (this source first), then dashboard.toml, then earlier sessions'.
    """
    layers_: list[tuple[int, str, dict[str, str]]] = [
        (2, f"mapped in dashboard.toml [mapping.{table}]", settings.mapping(table))
    ]
    if _has_schema(url):
        with OrmSession(dbmod.get_engine(url)) as db:
            current = _session_id(db, session_name)
            m, s = models.ColumnMapping, models.Session
            for saved, name in db.execute(
                select(m, s.name)
                .join(s, s.id == m.session_id)
                .where(m.table_name == table)
                .order_by(m.updated_at.desc(), m.id.desc())
            ):
                tier = (0 if saved.source == source else 1) if saved.session_id == current else 3
                layers_.append((tier, f"saved for {source_label(saved.source)} in {name}", saved.mapping))
    result: list[mapping.Known] = []
    for _, origin, questions in sorted(layers_, key=lambda layer: layer[0]):  # stable: newest first within a tier
        result += [mapping.Known(q, t, origin, len(result) + i) for i, (q, t) in enumerate(questions.items())]
    return result


def saved_mappings(url: str, session_id: int) -> list[dict]:
    """The session's saved mappings (source, table, mapping, when and by whom), newest first."""
    m = models.ColumnMapping
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.scalars(select(m).where(m.session_id == session_id).order_by(m.updated_at.desc(), m.id.desc()))
        return [
            {
                "source": r.source,
                "table": r.table_name,
                "mapping": dict(r.mapping),
                "updated_at": r.updated_at,
                "updated_by": r.updated_by,
            }
            for r in rows
        ]


def export_toml(url: str, session_id: int, table: str | None = None) -> str:
    """The session's saved mappings as dashboard.toml [mapping.<table>] blocks."""
    return toml_of(saved_mappings(url, session_id), table)


def toml_of(saved: list[dict], table: str | None = None) -> str:
    """Saved mappings (as saved_mappings gives them) as one block per table; the newest source wins a question."""
    blocks = []
    for name in dict.fromkeys(s["table"] for s in saved if table in (None, s["table"])):
        mine = [s for s in saved if s["table"] == name]
        merged: dict[str, tuple[str, str]] = {}
        for question, target in (item for s in mine for item in s["mapping"].items()):
            merged.setdefault(normalise_header(question), (question, target))
        sources = ", ".join(source_label(s["source"]) for s in mine)
        blocks.append(f"# Saved in Mission Control for {sources}\n" + mapping.to_toml(name, dict(merged.values())))
    return "\n".join(blocks)


def session_for(url: str, settings: Settings, name: str | None = None) -> Session:
    """The session an import would write to (named, configured or latest), without an id: nothing is created."""
    with OrmSession(dbmod.get_engine(url)) as db:
        try:
            return replace(Session.from_row(get_or_create_session(db, settings, name)), id=None)
        finally:
            db.rollback()  # a session created only to be looked at is not kept
