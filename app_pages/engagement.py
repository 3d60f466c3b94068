"""Engagement: is the session working? By week and team, cumulative totals, the session in numbers."""

import streamlit as st

from dashboard import engagement, privacy
from dashboard import engagement_charts as charts
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import chart, empty_state, md_text, plain_table, stop_without_session

ctx = page_context("engagement")
st.title("Engagement")
stop_without_session(ctx, "check-ins")

# Navigators see their own team's engagement: no notes, no survey free text (filtered where it is loaded).
session, wb = loaders.engagement_data(ctx)
if wb.people.empty:
    empty_state(
        "No Djangonauts to show for you in this session.",
        "Engagement appears once the cohort's people and teams are imported or saved on the Teams page.",
    )
    st.stop()
scope = "all teams" if ctx.viewer.is_organiser else ", ".join(sorted(ctx.viewer.teams))
st.caption(f"{md_text(ctx.session.name)} · {len(wb.people)} Djangonauts ({md_text(scope)}) · {session.weeks} weeks")

# --- The session in numbers --------------------------------------------------------------
st.subheader("The session in numbers")
numbers = loaders.derived(
    ctx,
    ("session_in_numbers",),
    lambda: engagement.session_in_numbers(wb.checkins, wb.people, wb.one_to_ones, wb.surveys),
)
min_group = privacy.min_group_size(ctx.settings)
survey_ok = ctx.viewer.is_organiser or numbers["surveyed_end"] >= min_group
tiles = [
    (
        engagement.tickets_label(numbers),
        engagement.tickets_text(numbers),
        "Tickets Djangonauts moved forward, and of those closed, from the weekly check-ins",
    ),
    ("Weekly catch-ups held", numbers["catch_ups_held"], "Team stand-ups with at least one Djangonaut present"),
    ("One-to-ones held", numbers["one_to_ones_held"], "Recorded by Captains"),
    ("PR review comments", numbers["review_comments"], None),
    ("PRs opened", numbers["prs_opened"], None),
    ("PRs merged", numbers["prs_merged"], None),
]
if survey_ok:
    start, end = numbers["confidence_start"], numbers["confidence_end"]
    tiles.append(
        (
            "Confidence, start → end (of 5)",
            "-" if start is None or end is None else f"{start:.1f} → {end:.1f}",
            f"Mean answer: {numbers['surveyed_start']} start and {numbers['surveyed_end']} end surveys",
        )
    )
    share = numbers["more_comfortable_share"]
    tiles.append(
        (
            "Comfortable contributing",
            "-" if share is None else f"{share:.0%}",
            "Share of end-of-session survey answers saying they feel more comfortable contributing",
        )
    )
for row in range(0, len(tiles), 4):
    for column, (label, value, help_text) in zip(st.columns(4), tiles[row : row + 4]):
        column.metric(label, value, help=help_text, border=True)
if not survey_ok:
    st.caption(f"Survey figures are shown for groups of {min_group} or more answers only.")

# --- By week ---------------------------------------------------------------------------------


def weekly(by_team: bool):
    """engagement.weekly_engagement of the whole session or per team, once per data version."""
    return loaders.derived(
        ctx,
        ("weekly_engagement", by_team),
        lambda: engagement.weekly_engagement(
            wb.checkins, wb.people, wb.one_to_ones, session.weeks, session.start_date, by_team=by_team
        ),
    )


weekly_all, weekly_teams = weekly(False), weekly(True)
st.subheader("By week")


@st.fragment
def by_week_chart() -> None:
    """The weekly chart: choosing a metric or one line per team reruns only this."""
    pick, switch = st.columns([1, 2], vertical_alignment="bottom")
    metric = pick.selectbox(
        "Show", charts.WEEKLY_METRICS, format_func=charts.ENGAGEMENT_LABELS.get, key="engagement_metric"
    )
    by_team = switch.toggle("One line per team", value=weekly_teams["team"].nunique() > 1, key="engagement_by_team")
    chart(
        ctx, ("engagement_by_week", metric, by_team), lambda: charts.engagement_by_week_chart(weekly(by_team), metric)
    )


by_week_chart()
rate_columns = {
    **{name: label for name, label in charts.ENGAGEMENT_LABELS.items()},
    "team": "Team",
    "week": "Week",
    "djangonauts": "Djangonauts",
    "checkin_rate": st.column_config.NumberColumn("Check-in rate", format="percent"),
    "standup_rate": st.column_config.NumberColumn("Stand-up attendance", format="percent"),
}
plain_table(weekly_all.drop(columns=["team"]), column_config=rate_columns)

# --- By team ---------------------------------------------------------------------------------
st.subheader("By team")
plain_table(
    loaders.derived(ctx, ("totals_by_team",), lambda: engagement.totals_by_team(weekly_teams)),
    column_config=rate_columns,
)

# --- Cumulative totals -----------------------------------------------------------------------
st.subheader("Cumulative totals")
chart(ctx, ("cumulative",), lambda: charts.cumulative_chart(engagement.cumulative(weekly_all)))
