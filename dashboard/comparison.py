"""Sessions side by side: applicants, acceptance, retention through the weeks, confidence before and after.

What organisers compare after a session (the session-comparison notebook and its HTML report).
Every figure is a dashboard.privacy aggregate, folded the way the Talk page folds its charts
(the acceptance rates are those of its "Applications" chart), so the comparison, its charts
and its CSV files can be shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from dashboard import engagement, exports, privacy, reads, talk, theme
from dashboard.config import Settings
from dashboard.privacy import SafeFrame
from dashboard.sessions import SessionNotFound

SUMMARY_FORMATS = {
    "acceptance_rate": "{:.0%}",
    "retained_share": "{:.0%}",
    "confidence_start": "{:.1f}",
    "confidence_end": "{:.1f}",
    "confidence_change": "{:+.1f}",
}  # for showing the summary table


@dataclass
class SessionComparison:
    """Privacy-checked figures of several sessions, oldest first."""

    sessions: list[str]
    min_group_size: int
    applications: SafeFrame  # session, order, people (applicants), rate (share accepted)
    retention: SafeFrame  # session, session_order, week, order, people (the cohort), rate (share still checking in)
    confidence: SafeFrame  # session, session_order, stage, order, people (who answered), mean (1-5)
    summary: SafeFrame  # one row per session: the figures above side by side
    without_checkins: list[str]  # sessions with no check-ins: their retention is unknown, not zero


def sessions_to_compare(
    url: str, settings: Settings | None, session: str | None = None, compare_with: list[str] | None = None
) -> pd.DataFrame:
    """The session (named, configured or latest) and the ones to compare it with (default: every earlier one), oldest first."""
    chosen = talk.session_for(url, settings, session)
    frame = reads.sessions_frame(url)
    if compare_with is None:
        return frame.loc[: frame.index[frame["id"] == chosen.id][0]].reset_index(drop=True)
    unknown = sorted(set(compare_with) - set(frame["name"]))
    if unknown:
        raise SessionNotFound(
            f"Session(s) {', '.join(unknown)} not found (known sessions: "
            f"{', '.join(frame['name'])}); correct compare_with."
        )
    return frame[frame["name"].isin({*compare_with, chosen.name})].reset_index(drop=True)


def retention_rows(checkins: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One row per Djangonaut and week: retained when they checked in that week or any later one."""
    roster = list(engagement.djangonauts(people)["email"])
    rows = checkins[checkins["email"].isin(roster)] if len(checkins) else checkins
    if not roster or rows.empty:
        return pd.DataFrame(
            {"email": pd.Series(dtype=str), "week": pd.Series(dtype=int), "retained": pd.Series(dtype=bool)}
        )
    last_seen = rows.groupby("email")["week"].max()
    grid = pd.DataFrame(
        [(email, week) for email in roster for week in range(1, int(rows["week"].max()) + 1)], columns=["email", "week"]
    )
    grid["retained"] = grid["email"].map(last_seen).fillna(0).to_numpy() >= grid["week"].to_numpy()
    return grid


def _per_session(frames: list[pd.DataFrame], columns: list[str], min_size: int) -> SafeFrame:
    if not frames:
        return privacy.table(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), min_size)
    return privacy.table(pd.concat(frames, ignore_index=True)[columns], min_size)


def compare_sessions(
    url: str, settings: Settings | None, session: str | None = None, compare_with: list[str] | None = None
) -> SessionComparison:
    """Applicants, acceptance, retention and confidence of a session and the sessions it is compared with."""
    chosen = sessions_to_compare(url, settings, session, compare_with)
    names = list(chosen["name"])
    min_size = privacy.min_group_size(settings)
    history = talk.load_history(url)
    applications = privacy.rate_by(
        history[history["session"].isin(names)],
        "accepted",
        "session",
        min_size,
        order=names,
        ordered=True,
        both_sides=True,
    )
    retention, confidence, without_checkins, cohorts = [], [], [], {}
    for position, row in enumerate(chosen.itertuples()):
        people, checkins, surveys = (reads.load_table(url, int(row.id), t) for t in ("people", "checkins", "surveys"))
        cohorts[row.name] = len(engagement.djangonauts(people))
        rows = retention_rows(checkins, people)
        if rows.empty:
            without_checkins.append(row.name)
        else:
            weekly = privacy.rate_by(rows, "retained", "week", min_size, ordered=True)
            retention.append(weekly.frame.assign(session=row.name, session_order=position))
        if len(surveys):
            surveys = surveys.assign(stage=surveys["stage"].map(talk.STAGE_LABELS).fillna(surveys["stage"]))
            stages = privacy.mean_by(
                surveys, "confidence", "stage", min_size, order=list(talk.STAGE_LABELS.values()), ordered=True
            )
            confidence.append(stages.frame.assign(session=row.name, session_order=position))
    retention_safe = _per_session(retention, ["session", "session_order", "week", "order", "people", "rate"], min_size)
    confidence_safe = _per_session(
        confidence, ["session", "session_order", "stage", "order", "people", "mean"], min_size
    )
    return SessionComparison(
        names,
        min_size,
        applications,
        retention_safe,
        confidence_safe,
        _summary(names, cohorts, applications, retention_safe, confidence_safe, min_size),
        without_checkins,
    )


def _summary(
    names: list[str],
    cohorts: dict[str, int],
    applications: SafeFrame,
    retention: SafeFrame,
    confidence: SafeFrame,
    min_size: int,
) -> SafeFrame:
    """One row per session; each figure comes from a published group, 'smallest_group' is the smallest behind the row."""
    apps = applications.frame.set_index("session")
    rows = []
    for name in names:
        row: dict = {"session": name}
        groups: list[int] = []
        if name in apps.index:
            row["applicants"] = int(apps.at[name, "people"])
            rate = apps.at[name, "rate"]
            row["acceptance_rate"] = None if pd.isna(rate) else round(float(rate), 3)
            groups.append(row["applicants"])
        if cohorts.get(name, 0) >= min_size:
            row["cohort"] = cohorts[name]
            groups.append(row["cohort"])
        weeks = retention.frame[retention.frame["session"] == name]
        if len(weeks):
            last = weeks.sort_values("order").iloc[-1]
            row.update(retained_to_week=str(last["week"]), retained_share=round(float(last["rate"]), 3))
            groups.append(int(last["people"]))
        stages = confidence.frame[confidence.frame["session"] == name].set_index("stage")
        for stage in ("Start", "End"):
            if stage in stages.index:
                row[f"confidence_{stage.lower()}"] = round(float(stages.at[stage, "mean"]), 2)
                groups.append(int(stages.at[stage, "people"]))
        if "confidence_start" in row and "confidence_end" in row:
            row["confidence_change"] = round(row["confidence_end"] - row["confidence_start"], 2)
        if groups:
            rows.append({**row, "smallest_group": min(groups)})
    columns = [
        "session",
        "applicants",
        "acceptance_rate",
        "cohort",
        "retained_to_week",
        "retained_share",
        "confidence_start",
        "confidence_end",
        "confidence_change",
        "smallest_group",
    ]
    return privacy.table(pd.DataFrame(rows, columns=columns), min_size, people_column="smallest_group")


# --- charts -------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _nothing_to_show(size: talk.Size, title: str, reason: str) -> alt.Chart:
    text = alt.Chart(pd.DataFrame({"text": [reason]})).mark_text(color=theme.MUTED, fontSize=16 * size.font)
    return talk.finish(text.encode(text="text:N"), size, title)


def retention_chart(retention: SafeFrame, size: talk.Size = talk.SCREEN) -> alt.Chart:
    """Share of each session's cohort still checking in, week by week: one line per session."""
    frame = retention.frame
    title = "Retention: share of the cohort still checking in"
    if frame.empty:
        return _nothing_to_show(size, title, "No session has enough check-ins to compare")
    last = frame.sort_values(["session_order", "order"]).groupby("session", sort=False).tail(1)
    latest = last.iloc[-1]
    title = f"{_pct(latest['rate'])} of {latest['session']} were still checking in by week {latest['week']}"
    if len(last) > 1:
        title += "; " + ", ".join(f"{r.session}: {_pct(r.rate)}" for r in last.iloc[:-1].itertuples())
    sessions = list(dict.fromkeys(frame.sort_values("session_order")["session"]))
    base = alt.Chart(frame).encode(
        x=alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "rate:Q",
            title="Share of the cohort still checking in",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color("session:N", title=None, sort=sessions),
    )
    lines = base.mark_line(strokeWidth=3 * size.font)
    points = base.mark_point(size=70 * size.font**2, filled=True).encode(
        tooltip=["session:N", "week:N", "people:Q", alt.Tooltip("rate:Q", format=".0%")]
    )
    subtitle = "Still checking in: a check-in that week or any later week; a missed week in between is not a drop-out"
    return talk.finish(alt.layer(lines, points), size, title, subtitle)


def confidence_chart(confidence: SafeFrame, size: talk.Size = talk.SCREEN) -> alt.Chart:
    """Mean confidence contributing (1-5) at each survey stage, one row per session."""
    frame = confidence.frame
    title = "Confidence before and after, by session"
    if frame.empty:
        return _nothing_to_show(size, title, "Too few survey answers to compare")
    wide = frame.pivot_table(index="session", columns="stage", values="mean", aggfunc="first")
    if {"Start", "End"} <= set(wide.columns) and wide[["Start", "End"]].notna().all().all():
        change = wide["End"] - wide["Start"]
        verb = "rose" if (change > 0.05).all() else "fell" if (change < -0.05).all() else "changed"
        title = (
            f"Confidence {verb} in every session, by {change.abs().min():.1f}–{change.abs().max():.1f} points out of 5"
            if verb != "changed"
            else title
        )
    sessions = list(dict.fromkeys(frame.sort_values("session_order")["session"]))
    stages = list(dict.fromkeys(frame.sort_values("order")["stage"]))
    y = alt.Y("session:N", sort=sessions, title=None, axis=alt.Axis(labelLimit=400 * size.font))
    scale = alt.Scale(domain=[1, 5])
    span = (
        alt.Chart(frame)
        .mark_rule(color=theme.MUTED, strokeWidth=3 * size.font)
        .encode(
            y=y,
            x=alt.X(
                "min(mean):Q",
                title="Mean confidence (1 = not at all, 5 = very)",
                scale=scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5]),
            ),
            x2="max(mean):Q",
        )
    )
    points = (
        alt.Chart(frame)
        .mark_point(size=220 * size.font**2, filled=True, opacity=1)
        .encode(
            y=y,
            x=alt.X("mean:Q", scale=scale),
            color=alt.Color("stage:N", title=None, sort=stages),
            tooltip=["session:N", "stage:N", "people:Q", alt.Tooltip("mean:Q", format=".1f")],
        )
    )
    return talk.finish(alt.layer(span, points), size, title, "Self-rated confidence contributing to open source")


# --- export -------------------------------------------------------------------------------


def comparison_files(comparison: SessionComparison) -> dict[str, bytes]:
    """The comparison as CSV files (summary, acceptance, retention, confidence), safe to share."""
    tables = {
        "comparison.csv": comparison.summary,
        "applications.csv": comparison.applications,
        "retention.csv": comparison.retention,
        "confidence.csv": comparison.confidence,
    }
    return {
        name: exports.safe_csv(safe.frame.drop(columns=["order", "session_order"], errors="ignore")).encode("utf-8")
        for name, safe in tables.items()
    }


def write_comparison(comparison: SessionComparison, folder: str | Path) -> list[Path]:
    """Write the comparison's CSV files into a folder (created if needed)."""
    return talk.write_files(comparison_files(comparison), Path(folder))
