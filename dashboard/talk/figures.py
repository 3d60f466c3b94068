"""The talk's safe aggregates: privacy-checked frames (SafeFrame) and headline numbers of one session.

Every group is folded so none is under the minimum group size, and nothing is published that
one could subtract from another to reveal a smaller group (privacy rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from dashboard import engagement, privacy, selection
from dashboard.config import Settings
from dashboard.privacy import SafeFrame
from dashboard.talk.loading import SessionTables, load_tables

EXPERIENCE_ORDER = ("Beginner", "Intermediate", "Experienced")
STAGE_LABELS = {"start": "Start", "mid": "Middle", "end": "End"}
APPLICANTS, COHORT = "Applicants", "Cohort"
BAND_ORDER = tuple(name for name, _, _ in selection.TIMEZONE_BANDS) + (selection.UNKNOWN,)
CHECKIN_FIGURES = (
    "checkins",
    "checkin_rate",
    "tickets_progressed",
    "tickets_closed",
    "catch_ups_held",
    "standups_attended",
    "review_comments",
    "prs_opened",
    "prs_merged",
)


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
    apps["unit"] = _unit("applications", str(tables.session.name))
    apps["timezone_band"] = [selection.timezone_band(tz, tables.session.start_date) for tz in apps["timezone"]]
    apps["project_preference"] = [
        list(p) if isinstance(p, list) and p else [selection.NO_PREFERENCE] for p in apps["project_preferences"]
    ]
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
    weeks = tables.session.weeks
    raw = engagement.session_in_numbers(
        tables.checkins, tables.people, tables.one_to_ones, tables.surveys, start_date=tables.session.start_date
    )
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
    figures = [
        ("applications", "people", apps),
        ("djangonauts", "people", roster),
        ("checkins", "people", checkins),
        ("standups_attended", "people", attended),
        *[(key, f"sum {key}", checkins) for key in engagement.COUNT_FIELDS],
        ("confidence_start", "mean confidence", answers["confidence_start"]),
        ("confidence_end", "mean confidence", answers["confidence_end"]),
    ]
    numbers = privacy.safe_numbers(raw, cohort, min_size)
    return numbers, [
        privacy.Figure(NUMBERS_JSON, key, measure, _units(rows))
        for key, measure, rows in figures
        if numbers.get(key) is not None
    ]


def talk_figures(tables: SessionTables, min_size: int) -> TalkFigures:
    """All the talk's aggregates for a session, each folded so no group is under min_size, and nothing that
    one could subtract from another to reveal a smaller group (privacy rule 5)."""
    apps, accepted = _applicant_rows(tables)
    session = str(tables.session.name)
    # rate x applications would count the accepted (and the not accepted): both must be large enough. This
    # session's own figures are published on their own (numbers.json), so it is never combined with another.
    history = privacy.rate_by(
        tables.history.assign(unit=_unit("applications", tables.history["session"]).to_numpy()),
        "accepted",
        "session",
        min_size,
        order=list(dict.fromkeys(tables.history["session"])),
        ordered=True,
        both_sides=True,
        unit="unit",
        alone=[session],
    )
    composition = {
        "experience": privacy.compare_counts(
            apps,
            "experience_level",
            accepted,
            min_size,
            order=EXPERIENCE_ORDER,
            ordered=True,
            names=(APPLICANTS, COHORT),
            unit="unit",
        ),
        "timezones": privacy.compare_counts(
            apps,
            "timezone_band",
            accepted,
            min_size,
            ordered=True,
            order=BAND_ORDER,
            merged_name=merged_band,
            names=(APPLICANTS, COHORT),
            unit="unit",
        ),
        "projects": privacy.compare_counts(
            apps,
            "project_preference",
            accepted,
            min_size,
            explode=True,
            order=_project_order(apps),
            names=(APPLICANTS, COHORT),
            unit="unit",
        ),
    }
    checkins = _cohort_checkins(tables)
    hours = privacy.quartiles_by(checkins, "hours", "week", min_size, ordered=True, unit="unit")
    prs = privacy.sum_by(checkins, ["prs_opened", "prs_merged"], "week", min_size, ordered=True, unit="unit")
    weekly = engagement.weekly_engagement(
        checkins, tables.people, tables.one_to_ones, tables.session.weeks, tables.session.start_date
    )
    # Rates describe the whole cohort each week, so the cohort is the group that must be large enough.
    weekly = weekly[weekly["checkins"] > 0]
    participation = pd.concat(
        [
            pd.DataFrame(
                {
                    "week": weekly["week"].astype(str),
                    "order": weekly["week"],
                    "measure": name,
                    "rate": weekly[column],
                    "people": weekly["djangonauts"],
                }
            )
            for name, column in (("Checked in", "checkin_rate"), ("Attended stand-up", "standup_rate"))
        ],
        ignore_index=True,
    )
    participation = (
        participation if len(participation) and participation["people"].min() >= min_size else participation.iloc[0:0]
    )
    roster = _units(engagement.djangonauts(tables.people).assign(unit="people"))
    surveys = tables.surveys.copy()
    if len(surveys):
        surveys["unit"] = _unit("surveys", surveys["stage"]).to_numpy()
        surveys["stage"] = surveys["stage"].map(STAGE_LABELS).fillna(surveys["stage"])
    # numbers.json publishes the start and end means on their own: never combined with another stage
    confidence = (
        privacy.mean_by(
            surveys,
            "confidence",
            "stage",
            min_size,
            order=list(STAGE_LABELS.values()),
            ordered=True,
            unit="unit",
            alone=[STAGE_LABELS["start"], STAGE_LABELS["end"]],
        )
        if len(surveys)
        else None
    )
    numbers, number_figures = _numbers(tables, apps, min_size)
    figures = TalkFigures(
        session_name=session,
        min_group_size=min_size,
        expected_hours=tables.session.expected_hours,
        numbers=numbers,
        applications=history,
        composition=composition,
        hours=hours,
        participation=privacy.table(
            participation,
            min_size,
            figures=[privacy.Figure("", week, "people", roster) for week in dict.fromkeys(participation["week"])],
        ),
        prs=prs,
        confidence=confidence,
    )
    return _without_differencing(figures, number_figures)


NUMBERS_JSON = "numbers.json"


def _frames(figures: TalkFigures) -> dict[str, SafeFrame]:
    """Every aggregate the talk publishes, by a name for the differencing check."""
    frames = {
        "applications": figures.applications,
        **figures.composition,
        "hours": figures.hours,
        "participation": figures.participation,
        "prs": figures.prs,
        "confidence": figures.confidence,
    }
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
        figures = replace(
            figures,
            numbers={k: v for k, v in figures.numbers.items() if (NUMBERS_JSON, k) not in withheld},
            applications=frames["applications"],
            hours=frames["hours"],
            prs=frames["prs"],
            participation=frames["participation"],
            confidence=frames.get("confidence"),
            composition={k: frames[k] for k in figures.composition},
        )
        kept = {(name, f.label) for name, safe in frames.items() for f in safe.figures}
        published = [
            f
            for f in published
            if (f.source, f.label) in kept or (f.source == NUMBERS_JSON and f.label in figures.numbers)
        ]
    return replace(figures, published=tuple(published))


def build(url: str, session_id: int, settings: Settings | None) -> TalkFigures:
    """The talk's figures for a session, with the configured minimum group size."""
    return talk_figures(load_tables(url, session_id), privacy.min_group_size(settings))
