"""Audit log (organisers): who opened wellbeing details, who changed reviews, decisions and teams."""

import streamlit as st

from dashboard import audit
from dashboard.exports import safe_csv
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import empty_state, plain_table

ctx = page_context("audit")
st.title("Audit log")
st.caption(
    "Every change to the data (reviews, decisions, teams, one-to-ones, imports and syncs, from the app or the "
    "command line) and every read of wellbeing details or signals is noted here: who, what and when (UTC). "
    "Entries are never edited or deleted from here."
)

everywhere = st.toggle(
    "All sessions",
    value=ctx.session is None,
    disabled=ctx.session is None,
    help="Off: only entries about the session chosen in the sidebar.",
)
session_id = None if everywhere or ctx.session is None else ctx.session_id
entries = loaders.audit_entries(ctx, session_id)
if entries.empty:
    empty_state(
        "Nothing has been recorded yet.",
        "Entries appear here when someone saves a review, changes a decision or opens a wellbeing page.",
    )
    st.stop()

left, right = st.columns(2)
actions = sorted(entries["action"].unique())
chosen = left.multiselect("What", actions, format_func=lambda key: audit.ACTIONS.get(key, key))
people = sorted(entries["actor"].unique())
who = right.multiselect("Who", people)
shown = entries[entries["action"].isin(chosen or actions) & entries["actor"].isin(who or people)]
st.caption(f"{len(shown)} of {len(entries)} entries, newest first.")
table = audit.readable(shown)
plain_table(table if everywhere else table.drop(columns=["Session"]))
st.download_button(
    "Download as CSV",
    safe_csv(table),
    file_name="mission-control-audit.csv",
    mime="text/csv",
    icon=":material/download:",
)
