"""Wellbeing: who to check on this week and why, each person's weeks, one-to-ones, team balance."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import digest, wellbeing
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.wellbeing_panels import FLASH_KEY, check_on_cards, one_person, roster, week_figures
from dashboard.ui.widgets import chart, empty_state, md_text, plain_table, stop_without_session
from dashboard.wellbeing import charts

ctx = page_context("wellbeing")
st.title("Wellbeing")
stop_without_session(ctx, "check-ins")

thresholds = wellbeing.load_thresholds(ctx.settings)
names, this_week = loaders.derived(ctx, ("wellbeing_roster", date.today()), lambda: roster(ctx))
if not names:
    empty_state(
        "No Djangonauts to show for you in this session.",
        "Captains see their own teams once teams are saved on the Teams page; organisers see everyone.",
    )
    st.stop()

week = st.columns([1, 2])[0].select_slider(
    "As of week",
    options=list(range(1, this_week + 1)),
    value=this_week,
    key="wellbeing_week",
    help="Signals use the check-ins up to this week; later one-to-ones are ignored when looking back.",
)
handled, balance, load = loaders.derived(
    ctx, ("wellbeing_week_figures", week, thresholds), lambda: week_figures(ctx, week, thresholds)
)
scope = (
    "all teams" if ctx.viewer.is_organiser else ", ".join(sorted(ctx.viewer.captain_of))
)  # Captains: their own teams
st.caption(
    f"{md_text(ctx.session.name)} · week {week} of {ctx.session.weeks} · {len(names)} Djangonauts ({md_text(scope)}) · "
    f"about {ctx.session.expected_hours:g} h a week expected. Health comes before contributions."
)
if st.session_state.get(FLASH_KEY):
    st.success(st.session_state.pop(FLASH_KEY), icon=":material/check_circle:")

# --- Who to check on this week -----------------------------------------------------------
st.subheader("Who to check on this week")
queue = loaders.who_to_check_on(ctx, week, thresholds)  # names with reasons: noted in the audit log
if queue.empty:
    st.success("Nobody needs a check-in right now: no open signals. Keep the regular one-to-ones going.")
if handled:
    st.caption(
        f"{handled} current signals were already followed up by a one-to-one; they come back if a later "
        "check-in shows the same pattern."
    )
if not queue.empty:
    st.write(
        f"{len(queue)} {'Djangonaut' if len(queue) == 1 else 'Djangonauts'} with open signals, most severe first. "
        "Recording a one-to-one below marks their signals handled until a new check-in shows the pattern again."
    )
    check_on_cards(ctx, week, thresholds, queue)


# --- The weekly e-mail digest (sent by `python -m dashboard digest send`) ---------------------
@st.fragment
def digest_expander() -> None:
    """The digests sent lately and the viewer's own opt-out; the toggle reruns only this."""
    sent = digest.last_sent(ctx.url, ctx.session_id, ctx.viewer)  # organisers: every recipient; a Captain: own
    with st.expander(digest.last_sent_label(sent, ctx.viewer), icon=":material/mail:"):
        if len(sent):
            plain_table(
                sent,
                column_config={
                    "recipient": "To",
                    "kind": "Digest",
                    "week": "Week",
                    "sent_at": "Sent (UTC)",
                    "djangonauts": "Djangonauts named",
                },
            )
        if digest.is_address(ctx.viewer.email):  # local mode has no address to send to
            on = st.session_state.get("digest_on")  # the toggle keeps its state: read the database only once
            st.toggle(
                "E-mail me the weekly digest",
                value=not digest.is_opted_out(ctx.url, ctx.viewer.email) if on is None else on,
                key="digest_on",
                on_change=lambda: digest.set_opted_out(
                    ctx.url, ctx.viewer.email, not st.session_state["digest_on"], actor=ctx.viewer.email
                ),
            )


digest_expander()

# --- One person ----------------------------------------------------------------------------
st.subheader("One person")
one_person(ctx, week, thresholds, queue, names)

# --- Team balance --------------------------------------------------------------------------
st.subheader("Team balance")
if not balance["share"].notna().any():
    st.text("No hours reported yet.")
else:
    chart(ctx, ("team_balance", week, thresholds), lambda: charts.team_balance_chart(balance))
    carrying = balance[balance["carrying"]]
    for _, row in carrying.iterrows():
        st.text(
            f"{row['name']} works {row['share']:.0%} of {row['team']}'s hours in a typical week, from their "
            f"mean of {row['mean_hours']:.1f} h per reported week (an equal share would be {row['equal_share']:.0%})."
        )
if len(load):
    st.write("Navigator and Captain load")
    shown = load.assign(
        limit=load["limit"].map(lambda v: "" if pd.isna(v) else f"at most {int(v)}"),
        one_to_ones=load["one_to_ones"].map(lambda v: "" if pd.isna(v) else str(int(v))),
    )
    plain_table(
        shown.drop(columns=["email", "over_limit"]),
        column_config={
            "name": "Name",
            "role": "Role",
            "teams": "Teams",
            "djangonauts": "Djangonauts",
            "limit": "Navigator limit",
            "one_to_ones": "One-to-ones held",
            "open_signals": "Open signals",
        },
    )
    over = load[load["over_limit"]]
    for _, row in over.iterrows():
        st.warning(
            f"{md_text(row['name'])} guides {row['djangonauts']} Djangonauts; a Navigator looks after at most {int(row['limit'])}."
        )
