"""The Engagement page's charts: each builds an alt.Chart from a frame of dashboard.engagement."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.wellbeing.charts import week_axis

ENGAGEMENT_LABELS = {
    "checkin_rate": "Check-in rate",
    "standup_rate": "Stand-up attendance",
    "one_to_ones": "One-to-ones held",
    "prs_opened": "PRs opened",
    "prs_merged": "PRs merged",
    "review_comments": "PR review comments",
    "tickets_progressed": "Tickets progressed",
    "tickets_closed": "Tickets closed",
    "checkins": "Check-ins",
    "standups_attended": "Stand-ups attended",
}
WEEKLY_METRICS = (
    "checkin_rate",
    "standup_rate",
    "one_to_ones",
    "prs_opened",
    "prs_merged",
    "review_comments",
    "tickets_progressed",
    "tickets_closed",
)  # what the Engagement page offers week by week
RATES = ("checkin_rate", "standup_rate")


def engagement_by_week_chart(weekly: pd.DataFrame, metric: str) -> alt.Chart:
    """One engagement metric per week, a line per team (or one line for all teams)."""
    label = ENGAGEMENT_LABELS.get(metric, metric)
    weeks = int(weekly["week"].max()) if len(weekly) else 1
    y = alt.Y(
        f"{metric}:Q",
        title=label,
        axis=alt.Axis(format="%") if metric in RATES else alt.Axis(),
        scale=alt.Scale(domain=[0, 1]) if metric in RATES else alt.Scale(),
    )
    teams = weekly["team"].nunique() if len(weekly) else 1
    chart = (
        alt.Chart(weekly)
        .mark_line(point=True)
        .encode(
            x=week_axis(weeks),
            y=y,
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip(f"{metric}:Q", title=label, format=".0%" if metric in RATES else "d"),
            ],
        )
    )
    if teams > 1:
        chart = chart.encode(color=alt.Color("team:N", title=None))
    return chart.properties(title=label, height=340, width="container")


def cumulative_chart(
    cumulative: pd.DataFrame,
    metrics: tuple[str, ...] = ("prs_opened", "prs_merged", "review_comments", "tickets_progressed", "tickets_closed"),
) -> alt.Chart:
    """Running totals over the weeks, one line per metric, all teams together."""
    summed = cumulative.groupby("week")[[f"cum_{m}" for m in metrics]].sum().reset_index()
    frame = summed.melt("week", var_name="metric", value_name="total")
    frame["metric"] = frame["metric"].str.removeprefix("cum_").map(ENGAGEMENT_LABELS)
    weeks = int(frame["week"].max()) if len(frame) else 1
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=week_axis(weeks),
            y=alt.Y("total:Q", title="Running total"),
            color=alt.Color("metric:N", title=None),
            tooltip=[
                alt.Tooltip("metric:N", title="What"),
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("total:Q", title="Total"),
            ],
        )
        .properties(
            title=alt.Title("Running totals", subtitle="All teams, week by week"), height=340, width="container"
        )
    )
