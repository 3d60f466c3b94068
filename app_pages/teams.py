"""Teams: propose teams that meet the program's rules, edit them by hand, see what breaks, save."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import teams
from dashboard.ui import loaders, team_draft
from dashboard.ui.context import page_context
from dashboard.ui.widgets import chart, empty_state, md_text, say_once, stop_without_session
from dashboard.wellbeing import charts as wellbeing_charts

ctx = page_context("teams")
st.title("Teams")

stop_without_session(ctx)

try:
    rules = teams.rules_from_settings(ctx.settings)
except teams.InstanceError as exc:
    st.error(f"{md_text(exc)} Fix [teams] in dashboard.toml.")
    st.stop()
instance = loaders.teams_instance(ctx, rules)
if not instance.candidates:
    empty_state(
        "No applicant is accepted in this session yet.", "Accept Djangonauts on the Selection page, then come back."
    )
    st.stop()
if not instance.teams:
    empty_state(
        "This session has no teams yet.",
        "Add teams (name, project, navigators, captain) to your spreadsheet's Teams tab or import a teams CSV "
        "on the Data page.",
    )
    st.stop()

navigator_limit = (
    "no limit on how many Djangonauts a Navigator mentors"
    if rules.max_per_navigator >= teams.NO_NAVIGATOR_LIMIT
    else f"at most {rules.max_per_navigator} Djangonauts per Navigator"
)
st.caption(
    f"Rules: teams of {rules.min_team_size}-{rules.max_team_size}; at least {rules.navigator_meeting_hours} common "
    f"hours a week with the Navigators; the Captain shares at least {rules.captain_hours} h with each Djangonaut; "
    f"each Djangonaut only on a project they chose; {navigator_limit}. "
    "Hours are counted as Djangonaut Space's site counts them: two consecutive common half-hours make one "
    "hour, on the hour or not (09:30-11:30 UTC is 2 hours)."
)
say_once(team_draft.FLASH)

draft = team_draft.current_draft(ctx, instance.current_assignments())
st.fragment(team_draft.propose)(ctx, instance, draft)
team_draft.proposal_summary(ctx)

st.subheader("Who is in which team")
st.caption(
    "Move someone with the controls below or change the Team column; the rules are checked at once. "
    "Nothing is saved until you press Save teams."
)
st.fragment(team_draft.editor)(ctx, instance, draft)

# --- Who carries each team (saved teams, from check-ins) -------------------------------------
# "This week" moves with the calendar, so the date is part of what names these.
contribution_key = (str(date.today()), ctx.settings.key("wellbeing"))


def contribution() -> pd.DataFrame:
    """Each member's share of their saved team's hours: the Wellbeing page's team balance, without 'No team'."""
    balance = loaders.wellbeing_this_week(ctx).balance  # the Wellbeing page's, cached
    return balance[balance["team"] != "No team"]


def contribution_shown() -> tuple[bool, bool]:
    """Whether there are check-ins, and whether they give member shares to chart."""
    if not len(loaders.checkins(ctx)):
        return False, False
    return True, bool(len(contribution()))


has_checkins, has_contribution = loaders.derived(
    ctx, ("teams_contribution_shown", *contribution_key), contribution_shown
)
if has_checkins:
    st.subheader("Who carries each team")
    st.caption(
        "Each member's share of their team's weekly hours so far, from their mean hours per reported week "
        "(missed weeks are not zero), from check-ins (saved teams)."
    )
if has_contribution:
    chart(
        ctx,
        ("teams_contribution", *contribution_key),
        lambda: wellbeing_charts.team_balance_chart(contribution()).properties(
            title=alt.Title(
                "Hours each member contributes", subtitle="Orange: one person carries much more than an equal share"
            )
        ),
    )
