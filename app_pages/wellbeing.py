"""Wellbeing: who to check on this week and why, each person's weeks, one-to-ones, team balance."""

import streamlit as st

from dashboard import wellbeing
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.wellbeing_panels import (
    FLASH_KEY,
    check_on_cards,
    digest_expander,
    one_person,
    roster,
    team_balance,
    week_figures,
)
from dashboard.ui.widgets import empty_state, md_text, say_once, stop_without_session

ctx = page_context("wellbeing")
st.title("Wellbeing")
stop_without_session(ctx, "check-ins")

thresholds = wellbeing.load_thresholds(ctx.settings)
names, this_week = roster(ctx)  # cached: who this viewer may see, and this week
if not names:
    empty_state(
        "No Djangonauts to show for you in this session.",
        "Import the people (role djangonaut, with their team) on the Data page: check-ins show here for the "
        "Djangonauts it lists."
        if ctx.viewer.is_organiser
        else "Captains see their own teams once teams are saved on the Teams page.",
    )
    st.stop()

week = st.columns([1, 2])[0].select_slider(
    "As of week",
    options=list(range(1, this_week + 1)),
    value=this_week,
    key="wellbeing_week",
    help="Signals use the check-ins up to this week; later one-to-ones are ignored when looking back.",
)
figures = week_figures(ctx, week, thresholds)  # cached: the handled count, team balance and staff load
scope = (
    "all teams" if ctx.viewer.is_organiser else ", ".join(sorted(ctx.viewer.captain_of))
)  # Captains: their own teams
st.caption(
    f"{md_text(ctx.session.name)} · week {week} of {ctx.session.weeks} · {len(names)} Djangonauts ({md_text(scope)}) · "
    f"about {ctx.session.expected_hours:g} h a week expected. Health comes before contributions."
)
say_once(FLASH_KEY)

# --- Who to check on this week -----------------------------------------------------------
st.subheader("Who to check on this week")
queue = loaders.who_to_check_on(ctx, week, thresholds)  # names with reasons: noted in the audit log
if queue.empty:
    st.success("Nobody needs a check-in right now: no open signals. Keep the regular one-to-ones going.")
if figures.handled:
    st.caption(
        f"{figures.handled} current signals were already followed up by a one-to-one; they come back if a later "
        "check-in shows the same pattern."
    )
if not queue.empty:
    st.write(
        f"{len(queue)} {'Djangonaut' if len(queue) == 1 else 'Djangonauts'} with open signals, most severe first. "
        "Recording a one-to-one below marks their signals handled until a new check-in shows the pattern again."
    )
    st.fragment(check_on_cards)(ctx, week, thresholds, queue)  # "Show all" reruns only the cards

# --- The weekly e-mail digest (sent by `python -m dashboard digest send`) ---------------------
st.fragment(digest_expander)(ctx)  # the opt-out toggle reruns only the expander

# --- One person ----------------------------------------------------------------------------
st.subheader("One person")
st.fragment(one_person)(ctx, week, thresholds, queue, names)  # choosing someone reruns only this

# --- Team balance --------------------------------------------------------------------------
st.subheader("Team balance")
team_balance(ctx, week, thresholds, figures)
