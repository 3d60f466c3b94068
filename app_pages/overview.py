"""Overview: the session at a glance."""

from datetime import date

import streamlit as st

from dashboard.overview import calendar_text, next_steps, session_at_a_glance
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import md_text, stop_without_session

ctx = page_context("overview")
st.title("Mission Control")

stop_without_session(ctx)

st.caption(
    f"{md_text(ctx.session.name)} · {calendar_text(ctx.session)} · "
    f"{ctx.session.weeks} weeks · about {ctx.session.expected_hours:g} h a week expected"
)


def compute_glance():
    this_week = loaders.wellbeing_this_week(ctx)
    return session_at_a_glance(
        ctx.session,
        loaders.table(ctx, "applications"),
        loaders.table(ctx, "reviews"),
        loaders.table(ctx, "decisions"),
        loaders.table(ctx, "teams"),
        loaders.people(ctx),
        loaders.checkins(ctx),
        this_week.signals.open,
    )


glance = loaders.derived(ctx, ("glance", date.today()), compute_glance)  # "this week" moves with the calendar

applicants, decided, teams, week, care = st.columns(5)
applicants.metric("Applicants", glance.applicants, help="Applications received for this session")
applicants.caption(f"{glance.reviewed} reviewed at least once")
decided.metric("Accepted", glance.decisions["accepted"])
decided.caption(
    f"{glance.decisions['waitlisted']} waitlisted · {glance.decisions['rejected']} rejected · "
    f"{glance.decisions['pending']} pending"
)
teams.metric("Teams", glance.teams)
teams.caption(f"{glance.djangonauts} Djangonauts")
if glance.starts_on:
    week.metric("Check-ins", "-", help="Check-ins begin with week 1")
    week.caption(f"from week 1, starting {glance.starts_on}")
else:
    rate = "-" if glance.checkin_rate is None else f"{glance.checkin_rate:.0%}"
    week.metric(f"Checked in, week {glance.week} of {glance.weeks}", rate)
    week.caption(f"{glance.checkins_this_week} of {glance.djangonauts} Djangonauts")
care.metric("Need a check-in", glance.need_check_in, help="Djangonauts with open wellbeing signals (Wellbeing page)")
care.caption("open signals, not yet followed up")

st.subheader("Next steps")
steps = next_steps(glance)
if steps:
    for step in steps:
        st.write(f"- {step}")
else:
    st.write("Nothing urgent: the session is on track.")
