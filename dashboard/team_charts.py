"""Team charts and tables for the Teams page: aggregated frames from an allocation, and the charts drawn from them.

Frames hold counts and hours per team (never answers); each chart function returns an
alt.Chart built from such a frame. "Hours each member contributes" reuses the Wellbeing
page's team_balance frame and chart (dashboard.wellbeing / dashboard.wellbeing.charts).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

import altair as alt
import pandas as pd

from dashboard import theme
from dashboard.availability import DAYS, utc_offset_hours, week_grid
from dashboard.teams import RULE_NAMES, Instance, describe, team_common_hours, unplaced_reason, validate_teams

DAY_ORDER = [d[:3].title() for d in DAYS]
COMMON_COLOUR = theme.PALETTE[3]  # yellow stands out from the blue "share free" ramp


def _members(assignments: Mapping[str, str | None], team: str) -> list[str]:
    return [e for e, name in assignments.items() if name == team]


def team_grid_frame(
    instance: Instance, assignments: Mapping[str, str | None], only: Iterable[str] | None = None
) -> pd.DataFrame:
    """Per non-empty team (or only the named ones) and UTC half-hour: the share of the team (members and
    Navigators) free, and if common."""
    wanted = None if only is None else set(only)
    frames = []
    for team in instance.teams:
        members = _members(assignments, team.name)
        if not members or (wanted is not None and team.name not in wanted):
            continue
        sets = {f"navigator:{n.email}": n.availability for n in team.navigators}
        sets |= {m: instance.candidate(m).availability for m in members if instance.candidate(m)}
        grid = week_grid(sets)
        grid.insert(0, "team", team.name)
        frames.append(grid)
    columns = ["team", "slot", "day", "day_index", "start", "end", "time", "free", "people", "share", "common"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def common_hours_heatmap(grid: pd.DataFrame, columns: int = 3) -> alt.Chart:
    """A week grid (day x UTC half-hour) per team: how much of the team is free; common half-hours are brightest."""
    frame = grid.copy()
    frame["status"] = frame["common"].map({True: "Everyone free", False: "Not everyone"})
    return (
        alt.Chart(frame)
        .mark_rect(stroke=theme.BACKGROUND, strokeWidth=0.5)
        .encode(
            x=alt.X(
                "start:Q",
                title="Time of day (UTC)",
                scale=alt.Scale(domain=[0, 24], nice=False),
                axis=alt.Axis(values=list(range(0, 25, 3)), labelExpr="datum.value + ':00'", grid=False),
            ),
            x2="end:Q",
            y=alt.Y("day:O", title=None, sort=DAY_ORDER),
            color=alt.condition(
                "datum.common",
                alt.value(COMMON_COLOUR),
                alt.Color(
                    "share:Q",
                    title="Share of the team free",
                    scale=alt.Scale(domain=[0, 1], range=theme.SEQUENTIAL),
                    legend=alt.Legend(format="%", gradientLength=220),
                ),
            ),
            strokeOpacity=alt.value(1),
            facet=alt.Facet(
                "team:N", columns=columns, title=None, header=alt.Header(labelFontSize=15, labelFontWeight=600)
            ),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("day:O", title="Day"),
                alt.Tooltip("time:N", title="Time (UTC)"),
                alt.Tooltip("free:Q", title="People free"),
                alt.Tooltip("people:Q", title="Team with Navigators"),
                alt.Tooltip("status:N", title="Common?"),
            ],
        )
        .properties(
            width=250,
            height=130,
            title=alt.Title(
                "When each team can meet",
                subtitle=[
                    "Day x half-hour (UTC); yellow: a half-hour the whole team and its Navigators share",
                    "Two consecutive yellow half-hours make one common hour, as Djangonaut Space's site counts them",
                ],
            ),
        )
    )


def team_balance_frame(instance: Instance, assignments: Mapping[str, str | None]) -> pd.DataFrame:
    """Per team and experience level: how many members; with the team's size, common hours and time-zone span."""
    rows = []
    for team in instance.teams:
        members = [instance.candidate(m) for m in _members(assignments, team.name) if instance.candidate(m)]
        if not members:
            continue
        offsets = [o for o in (utc_offset_hours(m.timezone) for m in members) if o is not None]
        span = (max(offsets) - min(offsets)) if offsets else 0.0
        common = team_common_hours(instance, team, [m.email for m in members])
        levels = Counter(m.experience_level or "Not given" for m in members)
        for level, count in sorted(levels.items(), key=lambda item: -item[1]):  # most common first, as value_counts
            rows.append(
                {
                    "team": team.name,
                    "experience_level": level,
                    "count": int(count),
                    "size": len(members),
                    "common_hours": common,
                    "timezone_span": span,
                }
            )
    columns = ["team", "experience_level", "count", "size", "common_hours", "timezone_span"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class DraftTables:
    """What the Teams page shows about a draft allocation besides its charts."""

    broken: int  # how many rules the draft breaks
    violations: pd.DataFrame  # Team, Rule, What breaks
    teams: pd.DataFrame  # one row per team: members, common hours, tight and broken rules
    explanations: str  # why each team is as it is, one paragraph a team
    unplaced: pd.DataFrame  # Djangonaut, E-mail, Why
    tightest: list[str]  # non-empty teams, fewest common hours first


def draft_tables(instance: Instance, assignments: Mapping[str, str | None], names: Mapping[str, str]) -> DraftTables:
    """The rules a draft breaks, its teams, why each is so and who is not placed, as the page's tables."""
    violations = validate_teams(instance, assignments)
    described = describe(instance, assignments, violations=violations)
    unplaced = [e for e, t in assignments.items() if not t and instance.candidate(e)]
    return DraftTables(
        broken=len(violations),
        violations=pd.DataFrame(
            [
                {"Team": ", ".join(v.teams), "Rule": RULE_NAMES.get(v.rule, v.rule), "What breaks": v.message}
                for v in violations
            ]
        ),
        teams=pd.DataFrame(
            [
                {
                    "Team": t.name,
                    "Project": t.project or "Any",
                    "Members": len(t.members),
                    "Common hours": t.meeting_hours,
                    "Fewest Captain hours": min(t.captain_hours.values()) if t.captain_hours else None,
                    "Tight": "; ".join(t.tight) or "-",
                    "Broken": " ".join(t.broken) or "-",
                }
                for t in described
            ]
        ),
        explanations="\n\n".join(t.explanation for t in described),
        unplaced=pd.DataFrame(
            [{"Djangonaut": names[e], "E-mail": e, "Why": unplaced_reason(instance, e, assignments)} for e in unplaced]
        ),
        tightest=[t.name for t in sorted((t for t in described if t.members), key=lambda t: t.meeting_hours)],
    )


def frame_key(frame: pd.DataFrame) -> int:
    """One number naming what a frame holds, to name a chart drawn from it."""
    return int(pd.util.hash_pandas_object(frame, index=False).sum())


def navigator_load_frame(instance: Instance, assignments: Mapping[str, str | None]) -> pd.DataFrame:
    """Per Navigator: how many Djangonauts they mentor across teams, and the maximum allowed."""
    loads: dict[str, int] = {}
    teams_of: dict[str, list[str]] = {}
    for team in instance.teams:
        size = len(_members(assignments, team.name))
        for navigator in team.navigators:
            loads[navigator.email] = loads.get(navigator.email, 0) + size
            teams_of.setdefault(navigator.email, []).append(team.name)
    return pd.DataFrame(
        [
            {"navigator": n, "teams": ", ".join(teams_of[n]), "load": load, "maximum": instance.rules.max_per_navigator}
            for n, load in loads.items()
        ],
        columns=["navigator", "teams", "load", "maximum"],
    )


def experience_mix_chart(balance: pd.DataFrame, min_size: int, max_size: int) -> alt.Chart:
    """Team sizes split by experience level, with the allowed size band."""
    bars = (
        alt.Chart(balance)
        .mark_bar()
        .encode(
            y=alt.Y("team:N", title=None),
            x=alt.X(
                "count:Q",
                title="Djangonauts",
                scale=alt.Scale(domain=[0, max(max_size, int(balance["size"].max() or 0))]),
                axis=alt.Axis(tickMinStep=1),
            ),
            color=alt.Color("experience_level:N", title="Experience", legend=alt.Legend(labelLimit=200, columns=2)),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("experience_level:N", title="Experience"),
                alt.Tooltip("count:Q", title="Djangonauts"),
                alt.Tooltip("size:Q", title="Team size"),
            ],
        )
    )
    band = (
        alt.Chart(pd.DataFrame({"low": [min_size], "high": [max_size]}))
        .mark_rect(color=theme.OK, opacity=0.12)
        .encode(x="low:Q", x2="high:Q")
    )
    return alt.layer(band, bars).properties(
        title=alt.Title("Size and experience mix", subtitle=f"Shaded: the allowed size, {min_size}-{max_size}"),
        height=alt.Step(26),
        width="container",
    )


def timezone_spans(balance: pd.DataFrame) -> pd.DataFrame:
    """One row per team of a balance frame: its time-zone span and common hours."""
    return balance.drop_duplicates("team")[["team", "timezone_span", "common_hours"]]


def timezone_span_chart(balance: pd.DataFrame) -> alt.Chart:
    """How many hours apart each team's members live (largest minus smallest UTC offset)."""
    frame = timezone_spans(balance)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("team:N", title=None),
            x=alt.X("timezone_span:Q", title="Hours between members' time zones"),
            tooltip=[
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("timezone_span:Q", title="Time-zone span (h)"),
                alt.Tooltip("common_hours:Q", title="Common hours"),
            ],
        )
        .properties(
            title=alt.Title("Time-zone span", subtitle="Wider teams have fewer shared hours"),
            height=alt.Step(26),
            width="container",
        )
    )


def navigator_load_chart(loads: pd.DataFrame) -> alt.Chart:
    """Djangonauts per Navigator against the maximum; over the maximum shows in the warning colour."""
    frame = loads.copy()
    frame["state"] = (frame["load"] > frame["maximum"]).map({True: "Over the maximum", False: "Within the maximum"})
    maximum = int(frame["maximum"].max()) if len(frame) else 0
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("navigator:N", title=None),
            x=alt.X(
                "load:Q",
                title="Djangonauts mentored",
                scale=alt.Scale(domain=[0, max(maximum + 1, int(frame["load"].max() or 0))]),
                axis=alt.Axis(tickMinStep=1),
            ),
            color=alt.Color(
                "state:N",
                title=None,
                scale=alt.Scale(domain=["Within the maximum", "Over the maximum"], range=[theme.ACCENT, theme.WARN]),
            ),
            tooltip=[
                alt.Tooltip("navigator:N", title="Navigator"),
                alt.Tooltip("teams:N", title="Teams"),
                alt.Tooltip("load:Q", title="Djangonauts"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"maximum": [maximum]}))
        .mark_rule(strokeDash=[4, 4], color=theme.MUTED)
        .encode(x="maximum:Q")
    )
    return alt.layer(bars, rule).properties(
        title=alt.Title("Navigator load", subtitle=f"Dashed: at most {maximum} each"),
        height=alt.Step(26),
        width="container",
    )
