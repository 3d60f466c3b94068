"""Choosing the cohort: the ranked table, filters, decisions, capacity, composition and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Iterable, Mapping, Sequence

import altair as alt
import pandas as pd
from sqlalchemy import select

from dashboard import db as dbmod, exports, fields, models, privacy, theme  # noqa: F401  (theme: the shared Altair look)
from dashboard.availability import count_hours
from dashboard.config import Settings
from dashboard.privacy import SafeFrame
from dashboard.review import ReviewStats
from dashboard.timezones import zone_info
from dashboard.values import as_bool, email_list, is_missing

STATUSES = fields.DECISION_STATUSES  # accepted / waitlisted / rejected / pending
DJANGONAUTS_PER_NAVIGATOR = 4
NO_PREFERENCE = "No preference"
UNKNOWN = "Not answered"
POOL, ACCEPTED = "Applicant pool", "Accepted"  # the two populations composition compares
REVIEW_STATES = ("all", "reviewed", "not reviewed", "contested", "undecided", "fits no team")

# Offsets are taken at the session's start, so daylight saving time is accounted for.
TIMEZONE_BANDS = (
    ("Americas (UTC-12 to -2:30)", -24.0, -2.0),
    ("Europe & Africa (UTC-2 to +3)", -2.0, 3.25),
    ("Asia & Pacific (UTC+3:30 to +14)", 3.25, 24.0),
)


class SelectionError(ValueError):
    """A decision that cannot be saved, phrased for the organiser."""


# --- the ranked table ---------------------------------------------------------------------


def timezone_band(tz: Any, when: date | None = None) -> str:
    """A broad time-zone band ('Americas', 'Europe & Africa', 'Asia & Pacific') for an IANA zone."""
    if not isinstance(tz, str) or not tz.strip():
        return UNKNOWN
    try:
        zone = zone_info(tz)
    except KeyError:
        return UNKNOWN
    moment = datetime.combine(when or date.today(), time(12), tzinfo=timezone.utc).astimezone(zone)
    offset = moment.utcoffset().total_seconds() / 3600
    return next(name for name, low, high in TIMEZONE_BANDS if low <= offset < high)


def _timezone_bands(zones: pd.Series, when: date | None) -> list[str]:
    """timezone_band of each zone, worked out once per distinct zone (a cohort shares a few dozen)."""
    codes, distinct = pd.factorize(zones)  # a missing zone is code -1: the UNKNOWN appended last
    bands = [timezone_band(tz, when) for tz in distinct] + [UNKNOWN]
    return [bands[code] for code in codes]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    if isinstance(value, str) and value.strip():
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def _yes_no(value: Any) -> str:
    if is_missing(value):
        return UNKNOWN
    return "Yes" if as_bool(value) else "No"


def ranked_table(
    applications: pd.DataFrame, stats: ReviewStats, decisions: pd.DataFrame, session_start: date | None = None
) -> pd.DataFrame:
    """Every application with its review statistics and decision, best normalised score first.

    'position' is the place in this order (1 = best); 'rank' is the organisers' Selection Rank.
    """
    table = applications.copy()
    table["response_id"] = table["response_id"].astype(str)
    per_app = stats.applications.copy()
    per_app["response_id"] = per_app["response_id"].astype(str)
    table = table.merge(per_app, on="response_id", how="left")
    table["n_reviews"] = table["n_reviews"].fillna(0).astype(int)
    table["raw_reviews"] = table["raw_reviews"].fillna(0).astype(int)
    table["contested"] = table["contested"].fillna(False).astype(bool)
    chosen = decisions.reindex(columns=["response_id", "status", "rank", "score"])  # score: the site's own, if imported
    chosen["response_id"] = chosen["response_id"].astype(str)
    table = table.merge(chosen, on="response_id", how="left")
    table["status"] = table["status"].where(table["status"].isin(STATUSES), "pending")
    table["rank"] = pd.to_numeric(table["rank"], errors="coerce").astype("Int64")
    table["timezone_band"] = _timezone_bands(table["timezone"], session_start) if "timezone" in table else UNKNOWN
    table["project_preferences"] = (
        table["project_preferences"].map(_as_list)
        if "project_preferences" in table
        else [[] for _ in range(len(table))]
    )
    table["projects"] = table["project_preferences"].map(lambda p: ", ".join(p) if p else NO_PREFERENCE)
    for column in ("mean", "median", "normalised", "spread"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    table = table.sort_values(
        ["normalised", "mean", "response_id"], ascending=[False, False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "position", range(1, len(table) + 1))
    return table


SCORE_COLUMNS = ("mean", "median", "normalised", "spread")


def hide_conflicted_scores(table: pd.DataFrame, conflicted: Iterable[str]) -> pd.DataFrame:
    """The ranked table as a viewer with these conflicts of interest may see it, exports included.

    On those applications the scores and the contested flag are blanked, 'conflict' is True and
    'position' is empty; they are listed last by response id and the others are numbered 1..n,
    so neither the order nor the numbers reveal where they rank. decisions_csv and full_csv
    leave their review scores out too.
    """
    hidden = table["response_id"].astype(str).isin({str(c) for c in conflicted})
    result = table.copy()
    result.loc[hidden, [*SCORE_COLUMNS, "score"]] = float("nan")
    result.loc[hidden, "contested"] = False
    result["conflict"] = hidden
    visible = result[~hidden]
    result = pd.concat([visible, result[hidden].sort_values("response_id", kind="stable")], ignore_index=True)
    result["position"] = pd.array(list(range(1, len(visible) + 1)) + [None] * int(hidden.sum()), dtype="Int64")
    return result


def position_label(position: Any, response_id: str) -> str:
    """'#3 R-12' for a ranked position, just the response id when the position is hidden."""
    return str(response_id) if position is None or pd.isna(position) else f"#{position} {response_id}"


@dataclass(frozen=True)
class Filters:
    """What the organiser narrowed the ranked table to (empty = no restriction)."""

    score_min: float | None = None
    score_max: float | None = None
    projects: tuple[str, ...] = ()
    timezone_bands: tuple[str, ...] = ()
    min_hours: float | None = None
    tutorial: bool | None = None
    experience_levels: tuple[str, ...] = ()
    state: str = "all"


def filter_ranked(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of the ranked table that pass every filter, in ranked order."""
    keep = pd.Series(True, index=table.index)
    score = table["normalised"]
    if filters.score_min is not None:
        keep &= score >= filters.score_min
    if filters.score_max is not None:
        keep &= score <= filters.score_max
    if filters.projects:
        wanted = set(filters.projects)
        keep &= table["project_preferences"].map(
            lambda prefs: bool(set(prefs) & wanted) or (not prefs and NO_PREFERENCE in wanted)
        )
    if filters.timezone_bands:
        keep &= table["timezone_band"].isin(filters.timezone_bands)
    if filters.min_hours is not None:
        keep &= pd.to_numeric(table["hours_available"], errors="coerce") >= filters.min_hours
    if filters.tutorial is not None:
        keep &= table["tutorial_completed"].map(
            lambda v: v is not None and not pd.isna(v) and bool(v) == filters.tutorial
        )
    if filters.experience_levels:
        keep &= table["experience_level"].isin(filters.experience_levels)
    if filters.state == "reviewed":
        keep &= table["n_reviews"] > 0
    elif filters.state == "not reviewed":
        keep &= table["n_reviews"] == 0
    elif filters.state == "contested":
        keep &= table["contested"]
    elif filters.state == "undecided":
        keep &= table["status"] == "pending"
    elif filters.state == "fits no team":  # the column dashboard.placeability.with_placeability adds
        keep &= table["fit_teams"] == 0 if "fit_teams" in table else False
    elif filters.state != "all":
        raise ValueError(f"Unknown review state '{filters.state}'; use one of: {', '.join(REVIEW_STATES)}.")
    return table[keep.fillna(False).astype(bool)]


# --- decisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionChange:
    response_id: str
    status: str
    rank: int | None = None


def _clean_rank(value: Any) -> int | None:
    if is_missing(value):
        return None
    try:
        rank = int(value)
    except (TypeError, ValueError):
        raise SelectionError(
            f"Rank '{value}' is not a whole number; ranks are 1, 2, 3 ... (lower is better)."
        ) from None
    if rank < 1:
        raise SelectionError(f"Rank {rank} is below 1; ranks are 1, 2, 3 ... (lower is better).")
    return rank


def decision_changes(before: pd.DataFrame, after: pd.DataFrame) -> list[DecisionChange]:
    """The rows whose status or rank differ between two (response_id, status, rank) frames."""
    old = {str(r["response_id"]): (r["status"], _clean_rank(r["rank"])) for r in before.to_dict("records")}
    changes = []
    for row in after.to_dict("records"):
        key = str(row["response_id"])
        new = (row["status"], _clean_rank(row["rank"]))
        if old.get(key) != new:
            changes.append(DecisionChange(key, new[0], new[1]))
    return changes


def bulk_changes(response_ids: Iterable[str], status: str, *, rank_from: int | None = None) -> list[DecisionChange]:
    """The same status for many applications; with rank_from, ranks in the given order from that number."""
    ids = [str(r) for r in response_ids]
    return [DecisionChange(rid, status, None if rank_from is None else rank_from + i) for i, rid in enumerate(ids)]


def save_decisions(
    url: str, session_id: int, changes: Sequence[DecisionChange], actor: str, keep_rank: bool = False
) -> int:
    """Apply decisions in one transaction, each change audited; returns how many rows changed.

    With keep_rank, a change whose rank is None leaves the stored rank as it was (bulk status).
    """
    for change in changes:
        if change.status not in STATUSES:
            raise SelectionError(f"Status '{change.status}' is not one of: {', '.join(STATUSES)}.")
        _clean_rank(change.rank)
    changed = 0
    with dbmod.write(url, actor=actor, action="decision_changed", session_id=session_id) as change_log:
        db = change_log.db
        known = set(
            db.scalars(select(models.Application.response_id).where(models.Application.session_id == session_id))
        )
        missing = sorted({c.response_id for c in changes} - known)
        if missing:
            raise SelectionError(f"Applications not in this session: {', '.join(missing[:5])}; reload the page.")
        existing = {
            d.response_id: d
            for d in db.scalars(select(models.Decision).where(models.Decision.session_id == session_id))
        }
        for change in changes:
            decision = existing.get(change.response_id)
            if decision is None:
                decision = models.Decision(session_id=session_id, response_id=change.response_id, status="pending")
                db.add(decision)
                existing[change.response_id] = decision
            rank = decision.rank if keep_rank and change.rank is None else change.rank
            if decision.status == change.status and decision.rank == rank and decision.id is not None:
                continue
            detail = f"{decision.status or 'pending'} -> {change.status}; rank {decision.rank or '-'} -> {rank or '-'}"
            decision.status, decision.rank = change.status, rank
            change_log.entry(change.response_id, detail)
            changed += 1
    return changed


# --- capacity -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    places: int | None
    source: str


def places(settings: Settings, people: pd.DataFrame, teams: pd.DataFrame) -> Places:
    """How many Djangonauts fit: [selection] team_count x team_size when set, else Navigators x 4."""
    cfg = settings.section("selection")
    if cfg.get("team_count") and cfg.get("team_size"):
        count, size = int(cfg["team_count"]), int(cfg["team_size"])
        return Places(count * size, f"{count} teams x {size} Djangonauts (dashboard.toml [selection])")
    navigators: set[str] = set()
    if not people.empty and "role" in people:
        navigators |= set(people.loc[people["role"] == "navigator", "email"].astype(str).str.lower())
    if not teams.empty and "navigators" in teams:
        for listed in teams["navigators"]:
            navigators |= set(email_list(listed))
    per = int(cfg.get("djangonauts_per_navigator", DJANGONAUTS_PER_NAVIGATOR))
    if navigators:
        named = f"{len(navigators)} Navigator{'' if len(navigators) == 1 else 's'}"
        return Places(len(navigators) * per, f"{named} x {per} Djangonauts")
    return Places(None, "no Navigators yet; set team_count and team_size in dashboard.toml [selection]")


@dataclass(frozen=True)
class Capacity:
    accepted: int
    places: Places

    @property
    def remaining(self) -> int | None:
        return None if self.places.places is None else self.places.places - self.accepted

    @property
    def over(self) -> bool:
        return self.remaining is not None and self.remaining < 0


def capacity_after(decisions: pd.DataFrame, changes: Sequence[DecisionChange], where: Places) -> Capacity:
    """Accepted count once the changes are applied, against the places available."""
    status = dict(zip(decisions["response_id"].astype(str), decisions["status"])) if not decisions.empty else {}
    for change in changes:
        status[change.response_id] = change.status
    return Capacity(sum(1 for s in status.values() if s == "accepted"), where)


def capacity_message(capacity: Capacity) -> str:
    """One sentence: accepted so far against the places, and what to do when over."""
    if capacity.places.places is None:
        return f"{capacity.accepted} accepted; places unknown ({capacity.places.source})."
    text = f"{capacity.accepted} accepted for {capacity.places.places} places ({capacity.places.source})"
    if capacity.over:
        return (
            f"{text}: {-capacity.remaining} over capacity. Waitlist someone, or add Navigators before accepting more."
        )
    if capacity.remaining == 0:
        return f"{text}: the cohort is full."
    return f"{text}: {capacity.remaining} left."


# --- composition --------------------------------------------------------------------------

DIMENSIONS = {
    "experience_level": "Experience level",
    "timezone_band": "Time-zone band",
    "project_preference": "Project preference",
}
SENSITIVE_DIMENSIONS = {
    "underrepresented": "Under-represented in tech (self-identified)",
    "gender_minority": "Woman or gender minority (self-identified)",
}


def composition_dimensions(organiser: bool) -> dict[str, str]:
    """The dimensions a viewer may compare; self-identified demographics only for organisers."""
    return DIMENSIONS | (SENSITIVE_DIMENSIONS if organiser else {})


def _groups(table: pd.DataFrame, dimension: str) -> pd.Series:
    """Each application's group; for project preference the list of projects (no preference is a group too)."""
    if dimension == "project_preference":
        return table["project_preferences"].map(lambda p: p if p else [NO_PREFERENCE])
    if dimension in SENSITIVE_DIMENSIONS:
        return table[dimension].map(_yes_no) if dimension in table else pd.Series(UNKNOWN, index=table.index)
    return table[dimension].fillna(UNKNOWN).astype(str).replace("", UNKNOWN)


def composition(table: pd.DataFrame, dimension: str, min_size: int, *, organiser: bool) -> SafeFrame:
    """Applicant pool vs accepted cohort per group, folded by privacy's rule for two linked populations.

    Groups are combined (into "A + B" or "Other") until each holds at least min_size applicants,
    min_size accepted and min_size not accepted, so neither a count nor a difference of counts
    singles anyone out. Shares are of people (a person preferring two projects counts in both
    groups, so project shares add up to more than 100%).
    """
    if dimension not in composition_dimensions(organiser):
        raise PermissionError(f"'{dimension}' is not available to you; organisers only.")
    rows = pd.DataFrame({"group": _groups(table, dimension), "applicant": range(len(table))}, index=table.index)
    order = sorted(set(rows["group"].explode()), key=lambda g: (g in (UNKNOWN, NO_PREFERENCE), g))
    return privacy.compare_counts(
        rows,
        "group",
        table["status"].eq("accepted"),
        min_size,
        person="applicant",
        names=(POOL, ACCEPTED),
        order=order,
        explode=dimension == "project_preference",
        merged_name=_combined_group,
    )


def _combined_group(groups: list[str]) -> str:
    """Two groups taken together as 'A + B' without their notes in brackets (time-zone ranges), more as 'Other'."""
    return " + ".join(group.split(" (")[0] for group in groups) if len(groups) <= 2 else privacy.OTHER


def composition_counts(composition: SafeFrame) -> pd.DataFrame:
    """One row per published group, in the chart's order: how many applied and how many were accepted."""
    frame = composition.frame
    wide = frame.pivot(index="group", columns="population", values="people")
    groups = frame.sort_values("order").drop_duplicates("group")["group"]
    return (
        wide.reindex(index=groups, columns=[POOL, ACCEPTED])
        .reset_index()
        .rename(columns={POOL: "applicants", ACCEPTED: "accepted"})
        .rename_axis(columns=None)
    )


def composition_chart(composition: SafeFrame, title: str) -> alt.Chart:
    """Grouped bars: share of the applicant pool vs share of the accepted cohort per (folded) group."""
    subtitle = ["Share of applicants and of the accepted cohort"]
    if composition.folded:  # kept to the note: Vega truncates a subtitle wider than the chart
        subtitle.append(composition.note)
    groups = list(composition.frame.sort_values("order").drop_duplicates("group")["group"])
    return (
        alt.Chart(composition.frame, title=alt.TitleParams(title, subtitle=subtitle))
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of people", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", title=None, sort=groups),
            yOffset=alt.YOffset("population:N", sort=[POOL, ACCEPTED]),
            color=alt.Color("population:N", title=None, sort=[POOL, ACCEPTED]),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("population:N", title="Of"),
                alt.Tooltip("people:Q", title="People"),
                alt.Tooltip("share:Q", title="Share", format=".0%"),
            ],
        )
        .properties(height=alt.Step(14))
    )


# --- exports ------------------------------------------------------------------------------


def _hidden_ids(table: pd.DataFrame) -> set[str]:
    """Applications whose scores the table hides from its viewer (marked by hide_conflicted_scores)."""
    if "conflict" not in table:
        return set()
    return set(table.loc[table["conflict"].astype(bool), "response_id"].astype(str))


def _scores_as_reviews(scored: pd.DataFrame) -> pd.DataFrame:
    """Each review's weighted score as 'overall', the shape exports.decisions_csv reads."""
    return pd.DataFrame(
        {
            "response_id": scored["response_id"],
            "reviewer": scored["reviewer"],
            "overall": scored["score"],
            "conflict_of_interest": False,
        }
    )


def decisions_csv(table: pd.DataFrame, stats: ReviewStats) -> str:
    """Djangonaut Space's score import (Response ID, Score, Selection Rank; exports.SITE_EXPORT_RULE).

    An application hidden from the viewer is left out: its Score cannot be computed without the hidden reviews.
    """
    hidden = _hidden_ids(table)
    decisions = table.loc[~table["response_id"].astype(str).isin(hidden), ["response_id", "status", "rank", "score"]]
    scored = stats.scored[~stats.scored["response_id"].astype(str).isin(hidden)]
    return exports.decisions_csv(decisions, _scores_as_reviews(scored))


def full_export_frame(table: pd.DataFrame, stats: ReviewStats) -> pd.DataFrame:
    """Everything organisers need in their own sheet: answers, one '<reviewer> score' column each, stats, decision.

    The score cells of applications hidden from the viewer are empty; every reviewer keeps a column.
    """
    frame = table.drop(columns=[c for c in ("availability", "extra", "project_preferences") if c in table]).copy()
    if "availability" in table:
        frame["available_hours_per_week"] = table["availability"].map(
            lambda a: count_hours(a) if isinstance(a, list) else None
        )
    if "extra" in table:
        extras = pd.DataFrame([e if isinstance(e, Mapping) else {} for e in table["extra"]], index=table.index)
        frame = pd.concat([frame, extras], axis=1)
    if not stats.scored.empty:
        wide = stats.scored.pivot_table(index="response_id", columns="reviewer", values="score", aggfunc="mean")
        wide = wide[~wide.index.astype(str).isin(_hidden_ids(table))]
        wide.columns = [f"{reviewer} score" for reviewer in wide.columns]
        frame = frame.merge(wide.round(2), left_on="response_id", right_index=True, how="left")
    for column in ("mean", "median", "normalised", "spread"):
        frame[column] = frame[column].round(2)
    return frame


def full_csv(table: pd.DataFrame, stats: ReviewStats) -> str:
    """The organisers' full CSV, every cell neutralised against spreadsheet formulas."""
    return exports.safe_csv(full_export_frame(table, stats))
