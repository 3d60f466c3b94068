"""Charts to show at talks: built only from dashboard.privacy aggregates, titled with the finding.

``talk_figures`` turns a session's tables into safe aggregates (SafeFrame) and headline
numbers; each ``*_chart`` function draws one of them; ``talk_charts`` draws them all at a
size (on screen, or a 1920x1080 slide); the export functions turn charts into PNG, SVG and
a zip with ``numbers.json``. The Talk page, ``export-charts`` and the notebooks all use these.
"""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, engagement, models, privacy, selection, store, theme
from dashboard.sessions import find_session
from dashboard.config import Settings
from dashboard.privacy import SafeFrame

EXPERIENCE_ORDER = ("Beginner", "Intermediate", "Experienced")
STAGE_LABELS = {"start": "Start", "mid": "Middle", "end": "End"}
APPLICANTS, COHORT = "Applicants", "Cohort"
BAND_ORDER = tuple(name for name, _, _ in selection.TIMEZONE_BANDS) + (selection.UNKNOWN,)
CHECKIN_FIGURES = ("checkins", "checkin_rate", "tickets_progressed", "tickets_closed", "catch_ups_held",
                   "standups_attended", "review_comments", "prs_opened", "prs_merged")
CHART_ORDER = ("numbers", "applications", "experience", "timezones", "projects", "hours", "participation", "prs",
               "confidence")
CHART_TITLES = {
    "numbers": "The session in numbers", "applications": "Applications and acceptance rate across sessions",
    "experience": "Experience: applicants vs. cohort", "timezones": "Time zones: applicants vs. cohort",
    "projects": "Project preferences: applicants vs. cohort", "hours": "Weekly hours against the expected hours",
    "participation": "Check-ins and stand-up attendance by week", "prs": "PRs opened and merged by week",
    "confidence": "Confidence before and after",
}


@dataclass(frozen=True)
class Size:
    """Where a chart is shown: its plot width/height and how much to scale the theme's fonts."""

    width: int | str
    height: int
    font: float = 1.0
    fit: bool = False  # width/height are the whole image's, not the plot's


SCREEN = Size("container", 340, 1.0)
SLIDE = Size(1760, 920, 2.0, fit=True)  # a 1920x1080 slide with margins; text readable from the back
NOTEBOOK = Size(820, 300, 1.0)  # Jupyter has no container width


# --- loading ------------------------------------------------------------------------------

@dataclass
class SessionTables:
    """The tables of one session that the talk charts read, plus every session's applications."""

    session: dict[str, Any]
    applications: pd.DataFrame
    decisions: pd.DataFrame
    people: pd.DataFrame
    checkins: pd.DataFrame
    surveys: pd.DataFrame
    one_to_ones: pd.DataFrame
    history: pd.DataFrame  # session, session_order, email, accepted: one row per application of any session


def session_for(url: str, settings: Settings | None, name: str | None = None) -> dict[str, Any]:
    """The named (else configured, else latest) session as a dict; SessionNotFound with a hint otherwise."""
    with OrmSession(dbmod.get_engine(url)) as db:
        found = find_session(db, settings or Settings(), name)
        session_id = found.id
    sessions = store.sessions_frame(url)
    return sessions[sessions["id"] == session_id].iloc[0].to_dict()


def load_history(url: str, sessions: Collection[int] | None = None) -> pd.DataFrame:
    """Every session's (or the given sessions') applications with whether each was accepted, oldest session first."""
    columns = ["session", "session_order", "email", "accepted"]
    order = {int(row["id"]): (i, row["name"]) for i, row in enumerate(store.sessions_frame(url).to_dict("records"))}
    a, d = models.Application, models.Decision
    query = (select(a.session_id, a.email, d.status)
             .outerjoin(d, (d.session_id == a.session_id) & (d.response_id == a.response_id))
             .order_by(a.session_id, a.id))
    if sessions is not None:
        query = query.where(a.session_id.in_([int(i) for i in sessions]))
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(query).all()
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=["session_id", "email", "status"])
    frame["session_order"] = frame["session_id"].map(lambda i: order[int(i)][0])
    frame["session"] = frame["session_id"].map(lambda i: order[int(i)][1])
    frame["email"] = frame["email"].astype(str).str.lower()
    frame["accepted"] = frame["status"].eq("accepted")
    return frame.sort_values("session_order", kind="stable").reset_index(drop=True)[columns]


def load_tables(url: str, session_id: int, visible: Collection[int] | None = None) -> SessionTables:
    """Read one session's tables (and every session's applications, or the visible sessions') for the talk charts."""
    sessions = store.sessions_frame(url)
    match = sessions[sessions["id"] == session_id]
    if match.empty:
        raise LookupError(f"Session id {session_id} is not in the database; pick a session that exists.")
    load = lambda table: store.load_table(url, session_id, table)  # noqa: E731
    return SessionTables(
        session=match.iloc[0].to_dict(), applications=load("applications"), decisions=load("decisions"),
        people=load("people"), checkins=load("checkins"), surveys=load("surveys"),
        one_to_ones=store.load_one_to_ones(url, session_id),
        history=load_history(url, None if visible is None else {*visible, session_id}),
    )


# --- the safe aggregates ------------------------------------------------------------------

@dataclass
class TalkFigures:
    """Everything the talk charts show: privacy-checked aggregates and headline numbers."""

    session_name: str
    min_group_size: int
    expected_hours: float
    numbers: dict[str, Any]
    applications: SafeFrame
    composition: dict[str, SafeFrame] = field(default_factory=dict)  # experience, timezones, projects
    hours: SafeFrame | None = None
    participation: SafeFrame | None = None
    prs: SafeFrame | None = None
    confidence: SafeFrame | None = None
    published: tuple[privacy.Figure, ...] = ()  # every figure the charts and numbers.json publish (rule 5)


def merged_band(bands: list[str]) -> str:
    """The label of adjacent time-zone bands taken together: "Americas + Europe & Africa (UTC-12 to +3)"."""
    names = [band.split(" (")[0] for band in bands]
    ranges = [band.split(" (")[1].rstrip(")") for band in bands if " (" in band]
    if len(ranges) != len(bands):
        return " + ".join(names)
    return f"{' + '.join(names)} ({ranges[0].split(' to ')[0]} to {ranges[-1].split(' to ')[1]})"


def _unit(kind: str, values) -> pd.Series | str:
    """Which row of a person a figure counts ("applications:2026 Session 6", "checkins:3"): see privacy rule 5."""
    return f"{kind}:{values}" if isinstance(values, str) else kind + ":" + pd.Series(values).astype(str)


def _applicant_rows(tables: SessionTables) -> tuple[pd.DataFrame, pd.Series]:
    apps = tables.applications.copy()
    apps["email"] = apps["email"].astype(str).str.lower()
    apps["unit"] = _unit("applications", str(tables.session["name"]))
    start = tables.session.get("start_date")
    apps["timezone_band"] = [selection.timezone_band(tz, start if isinstance(start, date) else None)
                             for tz in apps["timezone"]]
    apps["project_preference"] = [list(p) if isinstance(p, list) and p else [selection.NO_PREFERENCE]
                                  for p in apps["project_preferences"]]
    accepted = set(tables.decisions.loc[tables.decisions["status"] == "accepted", "response_id"])
    return apps, apps["response_id"].isin(accepted)


def _project_order(apps: pd.DataFrame) -> list[str]:
    """Projects by how many applicants named them, "No preference" last."""
    counts = apps["project_preference"].explode().value_counts()
    ordered = sorted(counts.index, key=lambda p: (p == selection.NO_PREFERENCE, -counts[p], str(p).lower()))
    return [str(p) for p in ordered]


def _checkin_rows(checkins: pd.DataFrame) -> pd.DataFrame:
    return checkins.assign(unit=_unit("checkins", checkins["week"]).to_numpy() if len(checkins) else [])


def _cohort_checkins(tables: SessionTables) -> pd.DataFrame:
    roster = set(engagement.djangonauts(tables.people)["email"])
    rows = tables.checkins[tables.checkins["email"].isin(roster)] if len(tables.checkins) else tables.checkins
    return _checkin_rows(rows)


def _units(rows: pd.DataFrame) -> frozenset:
    return frozenset(zip(rows["unit"].astype(str), rows["email"].astype(str))) if len(rows) else frozenset()


def _answered(surveys: pd.DataFrame, stage: str, column: str) -> pd.DataFrame:
    if surveys.empty:
        return surveys
    return surveys[(surveys["stage"] == stage) & surveys[column].notna()].assign(unit=_unit("surveys", stage))


def _numbers(tables: SessionTables, apps: pd.DataFrame, min_size: int) -> tuple[dict[str, Any], list[privacy.Figure]]:
    """The headline numbers (numbers.json, the numbers slide) and the figures they publish (apps: _applicant_rows)."""
    weeks = int(tables.session.get("weeks") or 8)
    start = tables.session.get("start_date")
    raw = engagement.session_in_numbers(tables.checkins, tables.people, tables.one_to_ones, tables.surveys,
                                        start_date=start if isinstance(start, date) else None)
    cohort = int(raw.get("djangonauts") or 0)
    if cohort < min_size:
        return {}, []
    raw = {k: v for k, v in raw.items() if not k.startswith("surveyed_")}
    if not raw.get("checkins"):  # no check-ins recorded (e.g. a past session): no activity figures, not zeros
        for key in CHECKIN_FIGURES:
            raw.pop(key, None)
    if tables.one_to_ones.empty:
        raw.pop("one_to_ones_held", None)
    # A mean or share over fewer people than the minimum is not published: each counts its own answers.
    answers = {f"confidence_{stage}": _answered(tables.surveys, stage, "confidence") for stage in ("start", "end")}
    answers["more_comfortable_share"] = _answered(tables.surveys, "end", "comfortable_contributing")
    for key, rows in answers.items():
        if (rows["email"].nunique() if len(rows) else 0) < min_size:
            raw[key] = None
    raw.update(applications=len(tables.applications), weeks=weeks)
    roster = engagement.djangonauts(tables.people).assign(unit="people")
    checkins = _checkin_rows(tables.checkins)
    attended = checkins[checkins["attended_standup"].map(lambda v: v is True or v == 1)] if len(checkins) else checkins
    figures = [("applications", "people", apps), ("djangonauts", "people", roster), ("checkins", "people", checkins),
               ("standups_attended", "people", attended),
               *[(key, f"sum {key}", checkins) for key in engagement.COUNT_FIELDS],
               ("confidence_start", "mean confidence", answers["confidence_start"]),
               ("confidence_end", "mean confidence", answers["confidence_end"])]
    numbers = privacy.safe_numbers(raw, cohort, min_size)
    return numbers, [privacy.Figure(NUMBERS_JSON, key, measure, _units(rows))
                     for key, measure, rows in figures if numbers.get(key) is not None]


def talk_figures(tables: SessionTables, min_size: int) -> TalkFigures:
    """All the talk's aggregates for a session, each folded so no group is under min_size, and nothing that
    one could subtract from another to reveal a smaller group (privacy rule 5)."""
    apps, accepted = _applicant_rows(tables)
    session = str(tables.session["name"])
    # rate x applications would count the accepted (and the not accepted): both must be large enough. This
    # session's own figures are published on their own (numbers.json), so it is never combined with another.
    history = privacy.rate_by(tables.history.assign(unit=_unit("applications", tables.history["session"]).to_numpy()),
                              "accepted", "session", min_size, order=list(dict.fromkeys(tables.history["session"])),
                              ordered=True, both_sides=True, unit="unit", alone=[session])
    composition = {
        "experience": privacy.compare_counts(apps, "experience_level", accepted, min_size, order=EXPERIENCE_ORDER,
                                             ordered=True, names=(APPLICANTS, COHORT), unit="unit"),
        "timezones": privacy.compare_counts(apps, "timezone_band", accepted, min_size, ordered=True,
                                            order=BAND_ORDER, merged_name=merged_band,
                                            names=(APPLICANTS, COHORT), unit="unit"),
        "projects": privacy.compare_counts(apps, "project_preference", accepted, min_size, explode=True,
                                           order=_project_order(apps), names=(APPLICANTS, COHORT), unit="unit"),
    }
    checkins = _cohort_checkins(tables)
    hours = privacy.quartiles_by(checkins, "hours", "week", min_size, ordered=True, unit="unit")
    prs = privacy.sum_by(checkins, ["prs_opened", "prs_merged"], "week", min_size, ordered=True, unit="unit")
    weekly = engagement.weekly_engagement(checkins, tables.people, tables.one_to_ones,
                                          int(tables.session.get("weeks") or 8), tables.session.get("start_date"))
    # Rates describe the whole cohort each week, so the cohort is the group that must be large enough.
    weekly = weekly[weekly["checkins"] > 0]
    participation = pd.concat([
        pd.DataFrame({"week": weekly["week"].astype(str), "order": weekly["week"], "measure": name,
                      "rate": weekly[column], "people": weekly["djangonauts"]})
        for name, column in (("Checked in", "checkin_rate"), ("Attended stand-up", "standup_rate"))
    ], ignore_index=True)
    participation = participation if len(participation) and participation["people"].min() >= min_size else participation.iloc[0:0]
    roster = _units(engagement.djangonauts(tables.people).assign(unit="people"))
    surveys = tables.surveys.copy()
    if len(surveys):
        surveys["unit"] = _unit("surveys", surveys["stage"]).to_numpy()
        surveys["stage"] = surveys["stage"].map(STAGE_LABELS).fillna(surveys["stage"])
    # numbers.json publishes the start and end means on their own: never combined with another stage
    confidence = privacy.mean_by(surveys, "confidence", "stage", min_size, order=list(STAGE_LABELS.values()),
                                 ordered=True, unit="unit", alone=[STAGE_LABELS["start"], STAGE_LABELS["end"]]
                                 ) if len(surveys) else None
    numbers, number_figures = _numbers(tables, apps, min_size)
    figures = TalkFigures(
        session_name=session, min_group_size=min_size,
        expected_hours=float(tables.session.get("expected_hours") or 4.0), numbers=numbers,
        applications=history, composition=composition, hours=hours,
        participation=privacy.table(participation, min_size, figures=[
            privacy.Figure("", week, "people", roster) for week in dict.fromkeys(participation["week"])]),
        prs=prs, confidence=confidence,
    )
    return _without_differencing(figures, number_figures)


NUMBERS_JSON = "numbers.json"


def _frames(figures: TalkFigures) -> dict[str, SafeFrame]:
    """Every aggregate the talk publishes, by a name for the differencing check."""
    frames = {"applications": figures.applications, **figures.composition, "hours": figures.hours,
              "participation": figures.participation, "prs": figures.prs, "confidence": figures.confidence}
    return {name: safe for name, safe in frames.items() if safe is not None}


def _without_differencing(figures: TalkFigures, number_figures: list[privacy.Figure]) -> TalkFigures:
    """The figures with whatever privacy.withheld_for_differencing names taken out, and the published figures listed."""
    frames = _frames(figures)
    published = [*number_figures, *(replace(f, source=name) for name, safe in frames.items() for f in safe.figures)]
    withheld = privacy.withheld_for_differencing(published, figures.min_group_size)
    if withheld:
        for name, safe in frames.items():
            labels = {label for source, label in withheld if source == name}
            frames[name] = privacy.withhold(safe, labels)
        figures = replace(figures, numbers={k: v for k, v in figures.numbers.items() if (NUMBERS_JSON, k) not in withheld},
                          applications=frames["applications"], hours=frames["hours"], prs=frames["prs"],
                          participation=frames["participation"], confidence=frames.get("confidence"),
                          composition={k: frames[k] for k in figures.composition})
        kept = {(name, f.label) for name, safe in frames.items() for f in safe.figures}
        published = [f for f in published if (f.source, f.label) in kept or
                     (f.source == NUMBERS_JSON and f.label in figures.numbers)]
    return replace(figures, published=tuple(published))


# --- chart helpers ------------------------------------------------------------------------

def _require(safe: Any) -> pd.DataFrame:
    if not isinstance(safe, SafeFrame):
        raise TypeError("Talk charts are drawn only from dashboard.privacy aggregates (SafeFrame).")
    return safe.frame


def _scaled(section: dict, factor: float) -> dict:
    keys = ("fontSize", "labelFontSize", "titleFontSize", "subtitleFontSize", "offset", "labelPadding", "titlePadding",
            "symbolSize", "tickSize")
    out = {k: v for k, v in section.items()}
    for key in keys:
        if key in out:
            out[key] = out[key] * (factor ** 2 if key == "symbolSize" else factor)
    return out


TITLE_LINE = 68  # characters that fit on one title line of a slide


def wrap_title(title: str, limit: int = TITLE_LINE) -> str | list[str]:
    """A long title as two lines, broken after '; ' or ', ' (else a space) before the limit."""
    if len(title) <= limit:
        return title
    for mark in ("; ", ", ", " "):
        cut = title.rfind(mark, 0, limit)
        if cut > limit // 3:
            return [title[:cut + len(mark.rstrip())].rstrip(), title[cut + len(mark):]]
    return title


def finish(chart: alt.Chart, size: Size, title: str, subtitle: str | list[str] = "") -> alt.Chart:
    """Size a chart, give it its finding as title, and scale the theme's text for the size."""
    chart = chart.properties(width=size.width, height=size.height,
                             title=alt.Title(wrap_title(title), subtitle=subtitle or alt.Undefined))
    if size.fit:  # the whole image, axes, legend and title included, has exactly this size
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit", contains="padding"))
    if size.font == 1.0:
        return chart
    config = theme.theme_config()["config"]
    f = size.font
    return (chart.configure(padding=int(config["padding"] * f))
            .configure_title(**_scaled(config["title"], f))
            .configure_axis(**_scaled(config["axis"], f), tickCount=6)
            .configure_legend(**_scaled(config["legend"], f), symbolSize=120 * f * f, labelLimit=int(400 * f))
            .configure_header(**_scaled(config["header"], f)))


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if abs(value - round(value)) > 1e-9 else f"{value:.0f}"


def _note(safe: SafeFrame) -> list[str]:
    """The privacy note as a subtitle line, when anything was combined, withheld or left out."""
    return [safe.note] if safe.folded or safe.withheld or safe.left_out else []


def _empty_chart(size: Size, title: str, reason: str) -> alt.Chart:
    chart = alt.Chart(pd.DataFrame({"text": [reason]})).mark_text(fontSize=16 * size.font, color=theme.MUTED).encode(
        text="text:N")
    return finish(chart, size, title)


# --- the charts ---------------------------------------------------------------------------

NUMBER_TILES = (  # key, label, how to show the value
    ("applications", "Applications", _num), ("djangonauts", "Djangonauts", _num),
    ("tickets_progressed", "Tickets progressed", _num), ("catch_ups_held", "Weekly catch-ups held", _num),
    ("one_to_ones_held", "One-to-ones held", _num), ("review_comments", "PR review comments", _num),
    ("prs_opened", "PRs opened", _num), ("prs_merged", "PRs merged", _num),
    ("more_comfortable_share", "Feel more comfortable contributing", _pct),
)


def numbers_frame(numbers: dict[str, Any], min_size: int) -> SafeFrame:
    """The headline numbers as tiles (label, value text, position), checked like any aggregate."""
    tiles = [(engagement.tickets_label(numbers), engagement.tickets_text(numbers)) if key == "tickets_progressed"
             else (label, fmt(numbers[key])) for key, label, fmt in NUMBER_TILES if numbers.get(key) is not None]
    start, end = numbers.get("confidence_start"), numbers.get("confidence_end")
    if start is not None and end is not None:
        tiles.append(("Confidence, start → end (of 5)", f"{_num(start)} → {_num(end)}"))
    columns = [i % 3 for i in range(len(tiles))]
    if len(tiles) % 3 == 1:
        columns[-1] = 1  # a lone last tile sits in the middle
    frame = pd.DataFrame({"label": [t[0] for t in tiles], "value": [t[1] for t in tiles],
                          "column": columns, "row": [i // 3 for i in range(len(tiles))],
                          "people": numbers.get("djangonauts", 0)})
    return privacy.table(frame, min_size)


def numbers_chart(numbers: SafeFrame, size: Size = SCREEN, *, session_name: str = "", weeks: int | None = None) -> alt.Chart:
    """The session in numbers: big figures with their labels, three to a row."""
    frame = _require(numbers)
    title = f"{session_name} in numbers" if session_name else "The session in numbers"
    if frame.empty:
        return _empty_chart(size, title, "Too few Djangonauts to publish figures")
    n = int(frame["people"].iloc[0])
    subtitle = f"{n} Djangonauts" + (f" over {weeks} weeks" if weeks else "") + ", figures from their weekly check-ins"
    rows = int(frame["row"].max()) + 1
    base = alt.Chart(frame).encode(
        x=alt.X("column:O", axis=None, scale=alt.Scale(paddingOuter=0.1)),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(paddingOuter=0.1)))
    value = base.mark_text(fontSize=54 * size.font, fontWeight=700, color=theme.ACCENT, dy=-14 * size.font).encode(
        text="value:N")
    label = base.mark_text(fontSize=17 * size.font, color=theme.TEXT, dy=30 * size.font).encode(text="label:N")
    sized = size if size.fit else Size(size.width, max(size.height, 130 * rows * (1 if size.font == 1 else 1.6)), size.font)
    return finish(alt.layer(value, label), sized, title, subtitle)


def applications_chart(history: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Applications per session as bars, each labelled with its acceptance rate."""
    frame = _require(history).copy()
    title = CHART_TITLES["applications"]
    if frame.empty:
        return _empty_chart(size, title, "No session has enough applications to show")
    frame["applications"] = frame["people"].astype(int)
    frame["label"] = frame["rate"].map(lambda r: "" if pd.isna(r) else f"{_pct(r)}\naccepted")
    counts = ", ".join(str(v) for v in frame["applications"])
    title = f"Applications per session: {counts}"
    if frame["rate"].notna().any():
        low, high = frame["rate"].min(), frame["rate"].max()
        rates = _pct(low) if round(low, 2) == round(high, 2) else f"{low * 100:.0f}–{high * 100:.0f} %"
        title += f"; {rates} accepted"
    x = alt.X("session:N", sort=alt.SortField("order"), title=None,
              axis=alt.Axis(labelAngle=0, labelLimit=400 * size.font))
    base = alt.Chart(frame).encode(x=x)
    bars = base.mark_bar().encode(y=alt.Y("applications:Q", title="Applications"),
                                           tooltip=["session:N", "applications:Q", alt.Tooltip("rate:Q", format=".0%")])
    count = base.mark_text(dy=-14 * size.font, fontSize=18 * size.font, fontWeight=600).encode(
        y="applications:Q", text="applications:Q")
    rate = base.mark_text(baseline="bottom", dy=-30 * size.font, fontSize=15 * size.font, color=theme.BACKGROUND,
                          fontWeight=600, lineBreak="\n").encode(y=alt.datum(0), text="label:N")
    subtitle = ["Applications received per session; in each bar, the share accepted"]
    subtitle += _note(history)
    return finish(alt.layer(bars, count, rate), size, title, subtitle)


def _composition_title(frame: pd.DataFrame, column: str, dimension: str) -> str:
    wide = frame.pivot_table(index=column, columns="population", values="share", aggfunc="first")
    if APPLICANTS not in wide or COHORT not in wide or wide.empty:
        return f"{dimension}: applicants vs. cohort"
    gap = (wide[COHORT] - wide[APPLICANTS]).round(3)
    label = sorted(gap.index, key=lambda g: (-abs(gap[g]), gap[g] < 0))[0]  # biggest gap, "more" on a tie
    if abs(gap[label]) < 0.05:
        return f"The cohort mirrors the applicants' {dimension.lower()}"
    name = str(label).split(" (")[0]  # "Asia & Pacific (UTC+3:30 to +14)" -> "Asia & Pacific"
    return f"{name}: {_pct(wide.loc[label, COHORT])} of the cohort vs. {_pct(wide.loc[label, APPLICANTS])} of the applicants"


def composition_chart(composition: SafeFrame, column: str, dimension: str, size: Size = SCREEN) -> alt.Chart:
    """Share of applicants and of the cohort in each group, side by side."""
    frame = _require(composition).copy()
    if frame.empty:
        return _empty_chart(size, f"{dimension}: applicants vs. cohort", "Too few people to compare")
    frame["label"] = frame["share"].map(_pct)
    title = _composition_title(frame, column, dimension)
    many = column == "project_preference"
    subtitle = [f"Share of applicants and of the accepted cohort, by {dimension.lower()}"
                + ("; people may name several projects" if many else "")]
    subtitle += _note(composition)
    y = alt.Y(f"{column}:N", sort=alt.SortField("order"), title=None,
              axis=alt.Axis(labelLimit=420 * size.font, labelPadding=8 * size.font))
    colour = alt.Color("population:N", title=None, sort=[APPLICANTS, COHORT],
                       scale=alt.Scale(domain=[APPLICANTS, COHORT], range=[theme.PALETTE[0], theme.PALETTE[1]]))
    base = alt.Chart(frame).encode(y=y, yOffset=alt.YOffset("population:N", sort=[APPLICANTS, COHORT]), color=colour)
    bars = base.mark_bar().encode(x=alt.X("share:Q", title=None, axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
                                          scale=alt.Scale(domain=[0, max(1.0, float(frame["share"].max())) if many else 1.0])),
                                  tooltip=[f"{column}:N", "population:N", alt.Tooltip("share:Q", format=".0%")])
    text = base.mark_text(align="left", dx=6 * size.font, fontSize=15 * size.font).encode(x="share:Q", text="label:N")
    return finish(alt.layer(bars, text), size, title, subtitle)


def hours_chart(hours: SafeFrame, expected_hours: float, size: Size = SCREEN) -> alt.Chart:
    """Middle half of reported weekly hours (quartiles) and the median, against the expected hours."""
    frame = _require(hours).copy()
    title = CHART_TITLES["hours"]
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show weekly hours")
    medians = frame["median"]
    at = "at" if (medians - expected_hours).abs().max() <= 0.5 else "around"
    span = f"{_num(medians.iloc[0])} h" if medians.nunique() == 1 else f"{_num(medians.min())}–{_num(medians.max())} h"
    title = (f"The median week was {span}, {at} the expected {_num(expected_hours)} h; "
             f"the middle half worked {_num(frame['q1'].min())}–{_num(frame['q3'].max())} h")
    if len(title) > 95:
        title = f"The median week was {span} against the expected {_num(expected_hours)} h"
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(domain=[0, max(float(frame["q3"].max()), expected_hours) * 1.25])
    base = alt.Chart(frame).encode(x=x)
    band = base.mark_bar(opacity=0.55, size=46 * size.font, cornerRadiusEnd=0).encode(
        y=alt.Y("q1:Q", title="Hours in the week", scale=y_scale), y2="q3:Q",
        tooltip=["week:N", "people:Q", "q1:Q", "median:Q", "q3:Q"])
    median = base.mark_tick(color=theme.TEXT, opacity=1, thickness=4 * size.font, size=46 * size.font).encode(y="median:Q")
    expected = alt.Chart(pd.DataFrame({"expected": [expected_hours], "label": [f"expected {_num(expected_hours)} h"]}))
    rule = expected.mark_rule(color=theme.OK, strokeDash=[8, 6], strokeWidth=3 * size.font).encode(y="expected:Q")
    rule_label = expected.mark_text(align="left", baseline="middle", x="width", dx=8 * size.font,
                                    color=theme.OK, fontSize=15 * size.font, fontWeight=600).encode(
        y="expected:Q", text="label:N")
    subtitle = ["Bars: the middle half of the check-ins each week; white line: the median; dashed: the expected hours"]
    subtitle += _note(hours)
    return finish(alt.layer(rule, band, median, rule_label), size, title, subtitle)


def participation_chart(participation: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Share of the cohort that checked in, and that attended the stand-up, each week."""
    frame = _require(participation).copy()
    title = CHART_TITLES["participation"]
    if frame.empty:
        return _empty_chart(size, title, "Too few Djangonauts to show weekly participation")
    checked = frame[frame["measure"] == "Checked in"]["rate"]
    standup = frame[frame["measure"] == "Attended stand-up"]["rate"]
    title = (f"{_pct(checked.mean())} of Djangonauts checked in each week on average; "
             f"{_pct(standup.mean())} came to stand-ups")
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("measure:N", title=None, sort=["Checked in", "Attended stand-up"])
    base = alt.Chart(frame).encode(x=x, y=alt.Y("rate:Q", title="Share of the cohort", axis=alt.Axis(format="%"),
                                                 scale=alt.Scale(domain=[0, 1])), color=colour)
    lines = base.mark_line(strokeWidth=4 * size.font)
    points = base.mark_point(size=90 * size.font ** 2, filled=True).encode(
        tooltip=["week:N", "measure:N", alt.Tooltip("rate:Q", format=".0%")])
    n = int(frame["people"].max())
    return finish(alt.layer(lines, points), size, title, f"Share of the {n} Djangonauts, week by week")


def prs_chart(prs: SafeFrame, size: Size = SCREEN) -> alt.Chart:
    """Pull requests opened and merged each week, side by side."""
    frame = _require(prs)
    title = CHART_TITLES["prs"]
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show pull requests")
    long = frame.melt(id_vars=["week", "order"], value_vars=["prs_opened", "prs_merged"], var_name="measure",
                      value_name="count")
    long["measure"] = long["measure"].map({"prs_opened": "Opened", "prs_merged": "Merged"})
    opened, merged = int(frame["prs_opened"].sum()), int(frame["prs_merged"].sum())
    title = f"{merged} pull requests merged out of {opened} opened over {len(frame)} weeks"
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("measure:N", title=None, sort=["Opened", "Merged"],
                       scale=alt.Scale(domain=["Opened", "Merged"], range=[theme.PALETTE[0], theme.PALETTE[2]]))
    base = alt.Chart(long).encode(x=x, xOffset=alt.XOffset("measure:N", sort=["Opened", "Merged"]), color=colour)
    bars = base.mark_bar().encode(y=alt.Y("count:Q", title="Pull requests"),
                                  tooltip=["week:N", "measure:N", "count:Q"])
    text = base.mark_text(dy=-12 * size.font, fontSize=15 * size.font).encode(y="count:Q", text="count:Q")
    subtitle = ["As reported in the weekly check-ins", *_note(prs)]
    return finish(alt.layer(bars, text), size, title, subtitle)


def confidence_chart(confidence: SafeFrame | None, more_comfortable: float | None = None, size: Size = SCREEN) -> alt.Chart:
    """Mean confidence contributing (1-5) at the start and the end of the session."""
    title = CHART_TITLES["confidence"]
    if confidence is None:
        return _empty_chart(size, title, "No survey answers yet")
    frame = _require(confidence).copy()
    if frame.empty:
        return _empty_chart(size, title, "Too few survey answers to publish")
    frame["label"] = frame["mean"].map(lambda v: f"{v:.1f}")
    first, last = frame.iloc[0], frame.iloc[-1]
    if len(frame) > 1:
        verb = "rose" if last["mean"] > first["mean"] + 0.05 else "fell" if last["mean"] < first["mean"] - 0.05 else "stayed"
        title = (f"Confidence {verb} from {first['mean']:.1f} to {last['mean']:.1f} out of 5" if verb != "stayed"
                 else f"Confidence stayed at {last['mean']:.1f} out of 5")
    else:
        title = f"Confidence: {first['mean']:.1f} out of 5 ({str(first['stage']).lower()} of the session)"
    subtitle = [f"Mean self-rated confidence contributing to open source; {', '.join(f'{int(r.people)} answered at {str(r.stage).lower()}' for r in frame.itertuples())}"]
    if more_comfortable is not None:
        subtitle.append(f"{_pct(more_comfortable)} feel more comfortable contributing than before")
    subtitle += _note(confidence)
    y = alt.Y("stage:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelPadding=8 * size.font))
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(color=theme.ACCENT).encode(
        x=alt.X("mean:Q", title="Confidence (1 = not at all, 5 = very)", scale=alt.Scale(domain=[0, 5]),
                axis=alt.Axis(values=[0, 1, 2, 3, 4, 5])),
        color=alt.Color("stage:N", legend=None, sort=alt.SortField("order"),
                        scale=alt.Scale(range=[theme.PALETTE[5], theme.PALETTE[0], theme.PALETTE[1]][:len(frame)]
                                        if len(frame) < 3 else [theme.PALETTE[5], theme.PALETTE[4], theme.PALETTE[0]])),
        tooltip=["stage:N", "people:Q", alt.Tooltip("mean:Q", format=".1f")])
    text = base.mark_text(align="left", dx=10 * size.font, fontSize=28 * size.font, fontWeight=700).encode(
        x="mean:Q", text="label:N")
    return finish(alt.layer(bars, text), size, title, subtitle)


def weekly_lines_chart(series: dict[str, SafeFrame], value: str, title: str, y_title: str,
                       domain: tuple[float, float] | None = None, size: Size = SCREEN) -> alt.Chart:
    """One line per measure over the weeks (e.g. mean energy and mean burnout), from privacy aggregates."""
    frames = []
    for name, safe in series.items():
        frame = _require(safe)
        frames.append(frame[["week", "order", value, "people"]].assign(measure=name))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return _empty_chart(size, title, "Too few check-ins to show")
    x = alt.X("week:N", sort=alt.SortField("order"), title="Week", axis=alt.Axis(labelAngle=0))
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)
    base = alt.Chart(frame).encode(x=x, y=alt.Y(f"{value}:Q", title=y_title, scale=scale),
                                   color=alt.Color("measure:N", title=None, sort=list(series)))
    lines = base.mark_line(strokeWidth=3 * size.font)
    points = base.mark_point(size=70 * size.font ** 2, filled=True).encode(
        tooltip=["week:N", "measure:N", "people:Q", alt.Tooltip(f"{value}:Q", format=".2f")])
    return finish(alt.layer(lines, points), size, title)


def bar_chart(safe: SafeFrame, category: str, value: str, title: str, x_title: str, size: Size = SCREEN,
              value_format: str = ".2f") -> alt.Chart:
    """Horizontal bars of one value per group (e.g. each pseudonymous reviewer's strictness)."""
    frame = _require(safe)
    if frame.empty:
        return _empty_chart(size, title, "Nothing to show")
    sort = alt.SortField("order") if "order" in frame else None
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort=sort), x=alt.X(f"{value}:Q", title=x_title),
        color=alt.condition(f"datum['{value}'] < 0", alt.value(theme.PALETTE[1]), alt.value(theme.ACCENT)),
        tooltip=[f"{category}:N", alt.Tooltip(f"{value}:Q", format=value_format)])
    return finish(bars, size, title)


def talk_charts(figures: TalkFigures, size: Size = SCREEN) -> dict[str, alt.Chart]:
    """Every talk chart for a session, in the order of the talk."""
    numbers = numbers_frame(figures.numbers, figures.min_group_size)
    return {
        "numbers": numbers_chart(numbers, size, session_name=figures.session_name, weeks=figures.numbers.get("weeks")),
        "applications": applications_chart(figures.applications, size),
        "experience": composition_chart(figures.composition["experience"], "experience_level", "Experience", size),
        "timezones": composition_chart(figures.composition["timezones"], "timezone_band", "Time zone", size),
        "projects": composition_chart(figures.composition["projects"], "project_preference", "Project preference", size),
        "hours": hours_chart(figures.hours, figures.expected_hours, size),
        "participation": participation_chart(figures.participation, size),
        "prs": prs_chart(figures.prs, size),
        "confidence": confidence_chart(figures.confidence, figures.numbers.get("more_comfortable_share"), size),
    }


def build(url: str, session_id: int, settings: Settings | None) -> TalkFigures:
    """The talk's figures for a session, with the configured minimum group size."""
    return talk_figures(load_tables(url, session_id), privacy.min_group_size(settings))


def numbers_json(figures: TalkFigures) -> dict[str, Any]:
    """The headline figures as written to numbers.json."""
    return {"session": figures.session_name, "min_group_size": figures.min_group_size, **figures.numbers}


# --- export -------------------------------------------------------------------------------

def png_bytes(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG (twice the pixels by default, crisp on a projector)."""
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)


def svg_bytes(chart: alt.Chart) -> bytes:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(chart.to_dict()).encode("utf-8")


EXPORTERS = {"png": png_bytes, "svg": svg_bytes}


def export_files(charts: dict[str, alt.Chart], figures: TalkFigures,
                 formats: tuple[str, ...] = ("png", "svg")) -> dict[str, bytes]:
    """File name -> content for every chart in each format, plus numbers.json."""
    files = {f"{i:02d}-{name}.{fmt}": EXPORTERS[fmt](chart)
             for fmt in formats for i, (name, chart) in enumerate(charts.items(), start=1)}
    files["numbers.json"] = json.dumps(numbers_json(figures), indent=2, ensure_ascii=False).encode("utf-8")
    return dict(sorted(files.items()))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive of export files (the Talk page's "Download all")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write export files into a directory (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        written.append(path)
    return written
