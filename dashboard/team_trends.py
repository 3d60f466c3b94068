"""Wellbeing trends team by team: how each team's check-ins, hours, energy and burnout move over the weeks.

For organisers only (the wellbeing-trends notebook): a team of 3-4 Djangonauts is below any
publishable group size, so these figures never go through dashboard.privacy and never into a
talk. Only numbers per team and week leave here: no name, e-mail or free-text answer.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import engagement, theme, wellbeing

# column -> (what it measures, colour scale domain or None, whether a high value is good news)
TEAM_METRICS = {
    "checkin_rate": ("Share of the team that checked in", (0, 1), True),
    "median_hours": ("Median hours reported", None, None),
    "mean_energy": ("Mean energy (1 = drained, 5 = full of energy)", (1, 5), True),
    "mean_burnout": ("Mean burnout (1 = enjoying it, 5 = burned out)", (1, 5), False),
    "blockers": ("Check-ins reporting a blocker", None, False),
    "signals": ("Wellbeing signals raised", None, False),
}
COLUMNS = ["team", "week", "djangonauts", "checkins", *TEAM_METRICS]


def team_weekly(data: wellbeing.WellbeingData, signals: wellbeing.SessionSignals) -> pd.DataFrame:
    """Per team and week up to the signals' week: check-in rate, median hours, mean energy and burnout, blockers, signals."""
    s = data.session
    weekly = engagement.weekly_engagement(
        data.checkins, data.people, data.one_to_ones, s.weeks, s.start_date, by_team=True, as_of_week=signals.upto_week
    )
    if weekly.empty:
        return pd.DataFrame(columns=COLUMNS)
    team_of = engagement.djangonauts(data.people).set_index("email")["team"]
    rows = data.checkins.assign(team=data.checkins["email"].map(team_of)).dropna(subset=["team"])
    answers = (
        rows.assign(
            hours=pd.to_numeric(rows["hours"], errors="coerce"),
            energy=pd.to_numeric(rows["energy"], errors="coerce"),
            burnout=pd.to_numeric(rows["burnout"], errors="coerce"),
            blocked=rows["blockers"].map(wellbeing.has_blockers),
        )
        .groupby(["team", "week"], as_index=False)
        .agg(
            median_hours=("hours", "median"),
            mean_energy=("energy", "mean"),
            mean_burnout=("burnout", "mean"),
            blockers=("blocked", "sum"),
        )
    )
    history = signals.history.assign(team=signals.history["email"].map(team_of))
    raised = history.groupby(["team", "week"], as_index=False).size().rename(columns={"size": "signals"})
    out = weekly.merge(answers, on=["team", "week"], how="left").merge(raised, on=["team", "week"], how="left")
    for name in ("blockers", "signals"):
        out[name] = out[name].fillna(0).astype(int)
    for name in ("median_hours", "mean_energy", "mean_burnout"):
        out[name] = out[name].astype(float).round(2)
    return out[COLUMNS].reset_index(drop=True)


def team_heatmap(weekly: pd.DataFrame, metric: str, width: int = 820) -> alt.Chart:
    """One measure of team_weekly as a team x week grid, the value written in each cell."""
    label, domain, high_is_good = TEAM_METRICS[metric]
    frame = weekly.dropna(subset=[metric])
    low, high = (
        (theme.PANEL, theme.OK)
        if high_is_good
        else (theme.PANEL, theme.WARN)
        if high_is_good is False
        else (theme.PANEL, theme.ACCENT)
    )
    scale = alt.Scale(range=[low, high], domain=list(domain) if domain else alt.Undefined)
    number = ".0%" if metric == "checkin_rate" else ".1f" if metric.startswith(("mean", "median")) else "d"
    base = alt.Chart(frame).encode(
        x=alt.X("week:O", title="Week", axis=alt.Axis(labelAngle=0)), y=alt.Y("team:N", title=None, sort="ascending")
    )
    cells = base.mark_rect(stroke=theme.BACKGROUND, strokeWidth=2).encode(
        color=alt.Color(f"{metric}:Q", title=None, scale=scale, legend=None),
        tooltip=["team:N", "week:O", "djangonauts:Q", alt.Tooltip(f"{metric}:Q", title=label, format=number)],
    )
    text = base.mark_text(fontSize=13, color=theme.TEXT).encode(text=alt.Text(f"{metric}:Q", format=number))
    return alt.layer(cells, text).properties(
        width=width,
        height=alt.Step(34),
        title=alt.Title(
            label,
            subtitle="Team by team, week by week"
            + ("; a week without check-ins is blank, not zero" if metric.startswith(("mean", "median")) else ""),
        ),
    )
