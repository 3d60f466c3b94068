"""The column-mapping step of the Data page: each question with sample answers and a field to confirm,
a preview of the first rows, and the saved mappings as a dashboard.toml block.

Used after a file upload (app_pages/data.py) and for a spreadsheet's tabs (dashboard/ui/sync_panel.py).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard import fields, mapping, mapping_store
from dashboard.config import Settings
from dashboard.criteria import load_criteria
from dashboard.sessions import Session
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import md_text, plain_table
from data_sources.files import RawSheet

WIDTHS = (4, 4, 3, 5)
PREVIEW_ROWS = 10


def form_key(prefix: str, raw: RawSheet, table: str) -> str:
    """A key that changes with the file's questions and the table, so a new file starts from fresh suggestions."""
    digest = hashlib.sha1("\x1f".join([table, *map(str, raw.frame.columns)]).encode()).hexdigest()[:12]
    return f"{prefix}:{digest}"


def _field_label(target: str) -> str:
    if not target:
        return "(not mapped)"
    if target == mapping.GRID:
        return "availability (checkbox grid)"
    return target.replace(mapping.SCORE, "score: ")


def _samples(suggestion: mapping.Suggestion) -> str:
    if not suggestion.samples:
        return "(no answers yet)"
    return " · ".join(suggestion.samples)


def _why(suggestion: mapping.Suggestion) -> str:
    return f"{suggestion.confidence.capitalize()}: {suggestion.reason}" if suggestion.target else suggestion.reason


def mapping_form(
    ctx: PageContext,
    raw: RawSheet,
    table: str,
    *,
    source: str,
    session: Session,
    settings: Settings,
    key: str,
    confirm_label: str,
) -> dict[str, str] | None:
    """Draw the questions and their fields; show a preview on request; the confirmed mapping when confirmed."""
    criteria = load_criteria(settings)
    known = mapping_store.known(ctx.url, settings, table, session_name=session.name, source=source)
    suggestions = mapping.suggest(raw.frame, table, criteria, known)
    options = ["", *mapping.targets(table, criteria)]
    grid_options = (
        ["", mapping.GRID] if "availability" in options else [""]
    )  # a whole grid feeds availability or nothing
    fed = sum(1 for s in suggestions if s.target)
    st.caption(
        f"{len(suggestions)} questions in '{md_text(raw.name)}', {len(raw.frame)} rows. Mission Control suggests a "
        f"field for {fed} of them; check each one and change what is wrong. Nothing is stored until you "
        f"press '{confirm_label}'."
    )
    with st.form(key, border=True):
        for column, title in zip(st.columns(WIDTHS), ("Question", "Sample answers", "Field", "Why this suggestion")):
            column.markdown(f"**{title}**")
        chosen: dict[str, str] = {}
        for i, suggestion in enumerate(suggestions):
            question, samples, field_box, why = st.columns(WIDTHS, vertical_alignment="center")
            grid = f" ({len(suggestion.headers)} columns)" if len(suggestion.headers) > 1 else ""
            question.markdown(md_text(suggestion.column) + grid)
            samples.caption(md_text(_samples(suggestion)))
            choices = grid_options if grid else options
            chosen[suggestion.column] = field_box.selectbox(
                f"Field for question {i + 1}",
                choices,
                index=choices.index(suggestion.target) if suggestion.target in choices else 0,
                format_func=_field_label,
                key=f"{key}:{i}",
                label_visibility="collapsed",
            )
            why.caption(md_text(_why(suggestion)))
        left, right, _ = st.columns([3, 4, 5])
        wants_preview = left.form_submit_button("Preview the first rows", icon=":material/visibility:")
        confirmed = right.form_submit_button(confirm_label, type="primary", icon=":material/check:")
    if not (wants_preview or confirmed):
        return None
    problems = mapping.conflicts(chosen)
    for problem in problems:
        st.error(md_text(problem))
    if problems:
        return None
    if wants_preview:
        show_preview(raw, table, chosen, ctx, source=source, session=session, settings=settings)
        return None
    return chosen


def show_preview(
    raw: RawSheet,
    table: str,
    chosen: dict[str, str],
    ctx: PageContext,
    *,
    source: str,
    session: Session,
    settings: Settings,
) -> None:
    """How the first rows would be stored or rejected with this mapping (nothing is stored)."""
    layers = mapping_store.preview_layers(ctx.url, settings, session.name, source, table, chosen)
    effective = mapping.effective_mapping(raw.frame.columns, layers)
    result = mapping.preview(
        raw.frame, table, effective, settings, session, sheet=raw.name, row_numbers=raw.row_numbers, limit=PREVIEW_ROWS
    )
    st.markdown("**Preview** (nothing is stored yet)")
    if result.error:
        st.error(
            f"Nothing could be stored with this mapping: {md_text(result.error)} Pick the question that holds it "
            "in the list above.",
            icon=":material/block:",
        )
        return
    shown = min(PREVIEW_ROWS, len(raw.frame))
    sentence = (
        f"Of the first {shown} rows, {result.stored} would be stored and {result.rejected} rejected"
        + (f" ({result.blank} blank)" if result.blank else "")
        + "."
    )
    (st.success if not result.rejected else st.warning)(sentence)
    for warning in result.warnings:
        st.warning(md_text(warning), icon=":material/warning:")
    if result.not_fed:
        kept = "kept as extra answers" if fields.table(table).keeps_extra else "kept only with the raw rows"
        st.caption(f"Not mapped, so {kept}: " + ", ".join(f"'{md_text(h)}'" for h in result.not_fed))
    if len(result.rows):
        plain_table(
            result.rows, column_config={"Reason": st.column_config.TextColumn("Reason and what to do", width="large")}
        )
    for reason in result.rows[result.rows["Result"] == "rejected"]["Reason"] if len(result.rows) else []:
        st.text(reason)  # in full: the table cuts long sentences


@st.cache_data(show_spinner=False, max_entries=32)
def _saved_mappings(url: str, session_id: int, version: int) -> list[dict]:
    return mapping_store.saved_mappings(url, session_id)  # saving a mapping bumps the data version


def saved_mappings_section(ctx: PageContext) -> None:
    """The session's saved mappings, each exportable as the dashboard.toml block."""
    saved = _saved_mappings(ctx.url, ctx.session_id, ctx.version)
    st.subheader("Saved column mappings")
    if not saved:
        st.caption(
            "None yet: after an upload or a sync, confirm which field each question feeds and Mission Control "
            "saves it for that file or spreadsheet. Until then, dashboard.toml [mapping] decides."
        )
        return
    st.caption(
        "Every import and sync of these sources uses them before dashboard.toml. Paste the block into "
        "dashboard.toml to keep it with your configuration."
    )
    for item in saved:
        fed = sum(1 for target in item["mapping"].values() if target)
        who = f" by {item['updated_by']}" if item["updated_by"] else ""
        with st.expander(
            f"{item['table']} from {mapping_store.source_label(item['source'])}: {fed} of "
            f"{len(item['mapping'])} questions mapped (saved {item['updated_at']:%Y-%m-%d %H:%M} UTC{who})"
        ):
            text = mapping.to_toml(item["table"], item["mapping"])
            st.code(text, language="toml")
    st.download_button(
        "Download all as TOML",
        mapping_store.toml_of(saved),
        file_name="mapping.toml",
        mime="application/toml",
        icon=":material/download:",
    )
