"""The Wellbeing page's charts (and the Teams page's team balance): each builds an alt.Chart from a frame of
dashboard.wellbeing (weekly_series, team_balance).

Unknown weeks (no check-in) are null, so lines break there instead of dropping to zero.
"""

from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import pandas as pd

from dashboard import theme

STATUS_LABELS = {"reported": "Checked in", "missing": "No check-in", "holiday": "Holiday", "not started": "Not started"}


def week_axis(weeks: int, title: str | None = "Week") -> alt.X:
    """Weeks 1..weeks along x, every week shown even without data."""
    return alt.X(
        "week:O", title=title, scale=alt.Scale(domain=list(range(1, max(1, weeks) + 1))), axis=alt.Axis(labelAngle=0)
    )


def _sparkline_shape(series: pd.DataFrame) -> tuple[pd.DataFrame, int, float]:
    frame = series[["week", "hours", "expected", "status"]].copy()
    weeks = int(frame["week"].max()) if len(frame) else 1
    top = max(float(frame["hours"].max()) if frame["hours"].notna().any() else 0, float(frame["expected"].max()) * 2)
    return frame, weeks, top


def hours_sparkline(series: pd.DataFrame, *, width: int = 220, height: int = 56) -> alt.Chart:
    """One person's weekly hours as a small line against the dashed expected line."""
    frame, weeks, top = _sparkline_shape(series)
    return _sparkline(frame, weeks, top, width, height)


def _sparkline(frame: pd.DataFrame, weeks: int, top: float, width: int, height: int) -> alt.Chart:
    x = alt.X("week:Q", axis=None, scale=alt.Scale(domain=[1, weeks], nice=False))
    y = alt.Y("hours:Q", axis=None, scale=alt.Scale(domain=[0, top], nice=False))
    expected = (
        alt.Chart(frame)
        .mark_rule(strokeDash=[4, 3], color=theme.MUTED, strokeWidth=1.5)
        .encode(y=alt.Y("expected:Q", axis=None, scale=alt.Scale(domain=[0, top], nice=False)))
    )
    line = alt.Chart(frame).mark_line(strokeWidth=2, color=theme.ACCENT).encode(x=x, y=y)
    points = (
        alt.Chart(frame)
        .mark_point(size=30, filled=True)
        .encode(
            x=x,
            y=y,
            color=alt.condition(
                alt.datum.hours > alt.datum.expected * 2, alt.value(theme.WARN), alt.value(theme.ACCENT)
            ),
            tooltip=[
                alt.Tooltip("week:Q", title="Week"),
                alt.Tooltip("hours:Q", title="Hours"),
                alt.Tooltip("expected:Q", title="Expected"),
            ],
        )
    )
    return (expected + line + points).properties(width=width, height=height).configure_view(stroke=None)


@lru_cache(maxsize=128)
def _sparkline_template(weeks: int, top: float, width: int, height: int) -> str:
    """The sparkline's Vega-Lite JSON for one shape (weeks, scale), without data."""
    empty = pd.DataFrame(
        {
            "week": pd.Series(dtype=int),
            "hours": pd.Series(dtype=float),
            "expected": pd.Series(dtype=float),
            "status": pd.Series(dtype=str),
        }
    )
    return json.dumps(_sparkline(empty, weeks, top, width, height).to_dict(validate=False))  # validated by the tests


def hours_sparkline_spec(series: pd.DataFrame, *, width: int = 220, height: int = 56) -> dict:
    """hours_sparkline(series) as Vega-Lite: the chart is built once per shape and only its data is filled in.

    A page of check-on cards draws one sparkline per person; building each with Altair costs ~75 ms.
    """
    frame, weeks, top = _sparkline_shape(series)
    spec = json.loads(_sparkline_template(weeks, top, width, height))
    spec["datasets"] = {spec["data"]["name"]: json.loads(frame.to_json(orient="records"))}
    return spec


def weekly_hours_chart(series: pd.DataFrame, *, title: str = "Hours per week") -> alt.Chart:
    """Weekly hours as bars over the shaded 'about expected' band; missing weeks are labelled."""
    frame = series.copy()
    frame["status_label"] = frame["status"].map(STATUS_LABELS).fillna(frame["status"])
    weeks = int(frame["week"].max()) if len(frame) else 1
    expected = float(frame["expected"].iloc[0]) if len(frame) else 4.0
    band_frame = pd.DataFrame(
        {
            "low": [float(frame["band_low"].iloc[0]) if len(frame) else expected * 0.5],
            "high": [float(frame["band_high"].iloc[0]) if len(frame) else expected * 1.5],
            "expected": [expected],
        }
    )
    band = alt.Chart(band_frame).mark_rect(color=theme.OK, opacity=0.18).encode(y="low:Q", y2="high:Q")
    rule = alt.Chart(band_frame).mark_rule(strokeDash=[6, 4], color=theme.OK, strokeWidth=2).encode(y="expected:Q")
    bars = (
        alt.Chart(frame)
        .mark_bar(size=26)
        .encode(
            x=week_axis(weeks),
            y=alt.Y("hours:Q", title="Hours"),
            color=alt.condition(alt.datum.hours > alt.datum.band_high, alt.value(theme.WARN), alt.value(theme.ACCENT)),
            tooltip=[
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("hours:Q", title="Hours"),
                alt.Tooltip("status_label:N", title="Status"),
            ],
        )
    )
    missing = (
        alt.Chart(frame[frame["status"] != "reported"])
        .mark_text(color=theme.MUTED, fontSize=11, angle=270, align="left")
        .encode(x=week_axis(weeks), y=alt.value(150), text="status_label:N")
    )
    return (band + rule + bars + missing).properties(
        title=alt.Title(title, subtitle=f"Shaded: about the {expected:g} h expected; orange: well above it"),
        height=300,
        width="container",
    )


def energy_burnout_chart(series: pd.DataFrame) -> alt.Chart:
    """Energy (1-5, higher is better) and burnout (1-5, higher is worse) answers per week."""
    frame = series[["week", "energy", "burnout"]].melt("week", var_name="answer", value_name="score")
    labels = {"energy": "Energy (5 = full of energy)", "burnout": "Burnout (5 = burned out)"}
    frame["answer"] = frame["answer"].map(labels)
    weeks = int(series["week"].max()) if len(series) else 1
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=week_axis(weeks),
            y=alt.Y("score:Q", title="Answer (1-5)", scale=alt.Scale(domain=[1, 5]), axis=alt.Axis(tickCount=5)),
            color=alt.Color(
                "answer:N",
                title=None,
                legend=alt.Legend(labelLimit=0),
                scale=alt.Scale(domain=list(labels.values()), range=[theme.ACCENT, theme.WARN]),
            ),
            tooltip=[
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("answer:N", title="Question"),
                alt.Tooltip("score:Q", title="Answer"),
            ],
        )
        .properties(title="Energy and burnout", height=300, width="container")
    )


def team_balance_chart(balance: pd.DataFrame) -> alt.Chart:
    """Each team's hours in a typical week split by member; members carrying the team stand out."""
    frame = balance[balance["share"].notna()].copy()  # members with no reported hours have no share yet
    frame["who"] = frame["name"].astype(str)
    frame["carrying_label"] = frame["carrying"].map({True: "Carrying the team", False: "Balanced"})
    frame["order"] = frame.groupby("team").cumcount()
    return (
        alt.Chart(frame)
        .mark_bar(stroke=theme.BACKGROUND, strokeWidth=1.5)
        .encode(
            y=alt.Y("team:N", title=None, sort="ascending"),
            x=alt.X(
                "share:Q",
                title="Share of the team's hours in a reported week",
                stack="normalize",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
            ),
            color=alt.Color(
                "carrying_label:N",
                title=None,
                scale=alt.Scale(domain=["Balanced", "Carrying the team"], range=[theme.ACCENT, theme.WARN]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("who:N", title="Djangonaut"),
                alt.Tooltip("mean_hours:Q", title="Mean hours per reported week", format=".1f"),
                alt.Tooltip("weeks_reported:Q", title="Weeks reported"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(
            title=alt.Title(
                "Share of each team's weekly hours",
                subtitle="From each member's mean hours per reported week; missed weeks are not zero",
            ),
            height=alt.Step(28),
            width="container",
        )
    )
