"""Cached loaders: the database is read once per data change, never on every rerun.

Each cache is keyed by (database URL, session id, data version); the version is one cheap
query per rerun, and every write bumps it (dashboard.db.write). Frames are
filtered through dashboard.access here, where they are loaded, not in the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import access, audit, db, reads
from dashboard.ui.context import PageContext


@st.cache_resource(show_spinner="Preparing the database...")
def prepare_database(url: str) -> None:
    """Create or upgrade the schema once per server process (the server's warm-up may already have)."""
    db.migrate(url)


@st.cache_data(show_spinner=False, max_entries=256)
def _table(url: str, session_id: int, table: str, version: int) -> pd.DataFrame:
    return reads.load_table(url, session_id, table)


@st.cache_data(show_spinner=False, max_entries=32)
def _one_to_ones(url: str, session_id: int, version: int) -> pd.DataFrame:
    return reads.load_one_to_ones(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _sync_runs(url: str, session_id: int, last_run: int) -> pd.DataFrame:
    return reads.sync_runs_frame(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _rejected(url: str, session_id: int, version: int) -> pd.DataFrame:
    return reads.rejected_rows_frame(url, session_id)


@st.cache_data(show_spinner=False, max_entries=32)
def _warnings(url: str, session_id: int, version: int) -> pd.DataFrame:
    return reads.import_warnings_frame(url, session_id)


def people_and_teams(url: str, session_id: int, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unfiltered people and teams of a session (cached), for working out who the viewer is.

    session_id -1: no session yet, empty frames with the canonical columns."""
    return _table(url, session_id, "people", version), _table(url, session_id, "teams", version)


def _raw(ctx: PageContext, name: str) -> pd.DataFrame:
    return _table(ctx.url, ctx.session_id, name, ctx.version)


def table(ctx: PageContext, name: str) -> pd.DataFrame:
    """A canonical table of the current session with the rows and columns this viewer may see."""
    if ctx.session is None:
        return reads.load_table(ctx.url, -1, name)
    return access.visible_table(ctx.viewer, name, _raw(ctx, name), _raw(ctx, "people"), blind=ctx.session.blind_review)


def people(ctx: PageContext) -> pd.DataFrame:
    """People this viewer may see (everyone for organisers, own teams for Captains and Navigators)."""
    return table(ctx, "people")


def checkins(ctx: PageContext) -> pd.DataFrame:
    """Check-ins this viewer may see (own teams only for Captains and Navigators)."""
    return table(ctx, "checkins")


def applications(ctx: PageContext, *, blind: bool | None = None) -> pd.DataFrame:
    """Applications with the columns this viewer may see (blind review hides who applied)."""
    blind = ctx.session.blind_review if blind is None else blind
    if ctx.viewer.roles & {access.ORGANISER, access.REVIEWER}:
        return access.visible_applications(ctx.viewer, _raw(ctx, "applications"), blind=blind)
    return access.visible_table(ctx.viewer, "applications", _raw(ctx, "applications"), _raw(ctx, "people"))


def one_to_ones(ctx: PageContext) -> pd.DataFrame:
    """One-to-ones of the Djangonauts this viewer may see (the Captain's note only for that Captain)."""
    frame = _one_to_ones(ctx.url, ctx.session_id, ctx.version)
    return access.visible_table(ctx.viewer, "one_to_ones", frame, _raw(ctx, "people"))


def sync_runs(ctx: PageContext) -> pd.DataFrame:
    """Import and sync history (organisers only: it names sheets and files)."""
    # Keyed by the newest run, not the data version: a sync that changed nothing is still news here.
    frame = _sync_runs(ctx.url, ctx.session_id, reads.last_sync_run_id(ctx.url))
    return frame if ctx.viewer.is_organiser else frame.iloc[0:0]


def rejected_rows(ctx: PageContext) -> pd.DataFrame:
    """Rows that could not be stored, with the raw values (organisers only)."""
    frame = _rejected(ctx.url, ctx.session_id, ctx.version)
    return frame if ctx.viewer.is_organiser else frame.iloc[0:0]


def import_warnings(ctx: PageContext) -> pd.DataFrame:
    """Fields of stored rows that were stored empty or read with a caveat (organisers only)."""
    frame = _warnings(ctx.url, ctx.session_id, ctx.version)
    return frame if ctx.viewer.is_organiser else frame.iloc[0:0]


# --- Derived frames, cached by data version (so a rerun at 10x the demo stays fast) ----------------
# Each helper below is keyed by (URL, session, data version, viewer, ...): the same inputs as the
# loaders above plus what the page chose. `_ctx` is not hashed (leading underscore); everything
# in it that changes the result is passed as a key argument.


@st.cache_data(show_spinner=False, max_entries=512)  # one entry per viewer: every Captain of a big session
def _wellbeing_data(
    url: str, session_id: int, version: int, viewer: access.Viewer, individual: bool, _ctx: PageContext
):
    from dashboard import wellbeing

    return _ctx.session, wellbeing.for_viewer(
        viewer,
        _ctx.session,
        checkins(_ctx),
        people(_ctx),
        table(_ctx, "teams"),
        one_to_ones(_ctx),
        table(_ctx, "surveys"),
        individual=individual,
    )


def wellbeing_data(ctx: PageContext):
    """(session info, WellbeingData) of the Djangonauts whose individual wellbeing this viewer may see (their
    Captain's teams; every team for organisers): dashboard.wellbeing.for_viewer, cached."""
    return _wellbeing_data(ctx.url, ctx.session_id, ctx.version, ctx.viewer, True, ctx)


def engagement_data(ctx: PageContext):
    """(session info, WellbeingData) for team figures: every team this viewer is on (Navigators too)."""
    return _wellbeing_data(ctx.url, ctx.session_id, ctx.version, ctx.viewer, False, ctx)


@dataclass(frozen=True)
class WellbeingWeek:
    """What the Wellbeing page shows as of one week, derived from wellbeing_data."""

    signals: Any  # dashboard.wellbeing.SessionSignals
    series: pd.DataFrame  # weekly hours per person, for the sparklines
    balance: pd.DataFrame  # each member's share of their team's hours
    load: pd.DataFrame  # Navigator and Captain load


@st.cache_data(show_spinner=False, max_entries=512)  # one entry per viewer: every Captain of a big session
def _wellbeing_week(
    url: str, session_id: int, version: int, viewer: access.Viewer, week: int, thresholds, _ctx: PageContext
) -> WellbeingWeek:
    from dashboard import wellbeing

    session, wb = wellbeing_data(_ctx)
    roster = list(wb.people["email"])
    signals = wellbeing.compute(
        wb.checkins,
        wb.one_to_ones,
        expected_hours=session.expected_hours,
        weeks=session.weeks,
        start_date=session.start_date,
        thresholds=thresholds,
        as_of_week=week,
        roster=roster,
    )
    return WellbeingWeek(
        signals=signals,
        series=wellbeing.weekly_series(
            wb.checkins, roster, signals.upto_week, session.expected_hours, thresholds, session.start_date
        ),
        balance=wellbeing.team_balance(wb.checkins, wb.people, signals.upto_week, thresholds),
        load=wellbeing.staff_load(wb.teams, pd.concat([wb.people, wb.staff]), wb.one_to_ones, signals.open, thresholds),
    )


def wellbeing_week(ctx: PageContext, week: int, thresholds) -> WellbeingWeek:
    """Signals, series, team balance and staff load as of a week, for this viewer:
    dashboard.wellbeing over wellbeing_data(ctx), computed once per data version, viewer, week and thresholds."""
    return _wellbeing_week(ctx.url, ctx.session_id, ctx.version, ctx.viewer, int(week), thresholds, ctx)


@st.cache_data(show_spinner=False, max_entries=512)  # one entry per viewer: every Captain of a big session
def _who_to_check_on(
    url: str, session_id: int, version: int, viewer: access.Viewer, week: int, thresholds, _ctx: PageContext
) -> pd.DataFrame:
    from dashboard import wellbeing

    shown = wellbeing_week(_ctx, week, thresholds)
    # Cached, so the read is noted once per viewer, session, week and data version, not on every rerun.
    return audit.read_sensitive(
        url,
        lambda: wellbeing.who_to_check_on(shown.signals.open, wellbeing_data(_ctx)[1].people),
        actor=viewer.email,
        action="check_on_viewed",
        session_id=session_id,
        subject=f"week {week}",
        detail=f"data version {version}",
    )


def who_to_check_on(ctx: PageContext, week: int, thresholds) -> pd.DataFrame:
    """The "who to check on" cards as of a week (names with reasons, most severe first), read through the audit log."""
    return _who_to_check_on(ctx.url, ctx.session_id, ctx.version, ctx.viewer, int(week), thresholds, ctx)


def wellbeing_this_week(ctx: PageContext) -> WellbeingWeek:
    """wellbeing_week as of this week (wellbeing.default_week) with the configured thresholds."""
    from dashboard import wellbeing

    session, wb = wellbeing_data(ctx)
    return wellbeing_week(ctx, wellbeing.default_week(wb.checkins, session), wellbeing.load_thresholds(ctx.settings))


@st.cache_data(show_spinner=False, max_entries=4096)
def _derived(url: str, session_id: int, version: int, viewer: access.Viewer, key: tuple, _build):
    return _build()


def derived(ctx: PageContext, key: tuple, build):
    """What build() returns, computed once per data version, viewer and key (build is not hashed).

    For small results a page derives from the loaders above on every rerun: build loads what it
    needs, so a warm rerun reads nothing. `key` must name everything the result depends on
    besides the session's data and the viewer (a week, a date, a person).
    """
    return _derived(ctx.url, ctx.session_id, ctx.version, ctx.viewer, tuple(key), build)


@st.cache_data(show_spinner=False, max_entries=32)
def _review_stats(
    url: str,
    session_id: int,
    version: int,
    viewer: access.Viewer,
    criteria: tuple,
    selection: str,
    _ctx: PageContext,
):
    from dashboard import review

    return review.review_stats(
        table(_ctx, "reviews"), list(criteria), _ctx.settings, table(_ctx, "applications")["response_id"]
    )


def review_stats(ctx: PageContext, criteria):
    """dashboard.review.review_stats of this viewer's reviews and applications, once per data version."""
    # [selection] holds the normalising threshold and contested spread that review_stats reads
    return _review_stats(
        ctx.url,
        ctx.session_id,
        ctx.version,
        ctx.viewer,
        tuple(criteria),
        ctx.settings.key("selection"),
        ctx,
    )


# --- Whole-program data: organisers only ---------------------------------------------------
# teams and talk are imported inside the loaders: OR-Tools and vl-convert then load only on the
# pages that need them, not on every page that imports this module.


@st.cache_data(show_spinner=False, max_entries=16)
def _teams_instance(url: str, session_id: int, version: int, rules: tuple, ranking: str, _settings):
    from dashboard import teams

    return teams.instance_from_db(url, session_id, teams.Rules.from_mapping(dict(rules)), settings=_settings)


def teams_instance(ctx: PageContext, rules):
    """The allocator's input (accepted cohort in the Selection page's order, teams, staff availability) for this
    session's rules."""
    access.require_organiser(ctx.viewer, "the team allocation data")
    # The order is the Selection page's ranking: it reads the [review] criteria and [selection], as review_stats does.
    return _teams_instance(
        ctx.url,
        ctx.session_id,
        ctx.version,
        tuple(rules.as_dict().items()),
        ctx.settings.key("review", "selection"),
        ctx.settings,
    )


@st.cache_data(show_spinner="Preparing the talk charts...", max_entries=16)
def _talk_figures(url: str, session_id: int, version: int, min_size: int, sessions: tuple[int, ...]):
    from dashboard import talk

    return talk.talk_figures(talk.load_tables(url, session_id, sessions), min_size)


def talk_figures(ctx: PageContext, min_size: int):
    """dashboard.talk's anonymised figures of this session (history: the sessions this viewer may see), once per data version."""
    access.require_organiser(ctx.viewer, "the talk figures")
    return _talk_figures(ctx.url, ctx.session_id, ctx.version, min_size, ctx.session_ids)


def audit_entries(ctx: PageContext, session_id: int | None) -> pd.DataFrame:
    """The audit log, of one session or (None) of every session this viewer may see; read fresh, since reading
    it is not a data change."""
    access.require_organiser(ctx.viewer, "the audit log")
    return audit.entries(ctx.url, session_id, session_ids=ctx.session_ids)


def table_counts(ctx: PageContext) -> dict[str, int]:
    """How many rows each canonical table holds for this session."""
    access.require_organiser(ctx.viewer, "the table counts")
    return derived(ctx, ("table_counts",), lambda: reads.table_counts(ctx.url, ctx.session_id))


# --- Choosing a cohort that fits the teams: organisers only ----------------------------------
# Keyed by a fingerprint of the ranking the page shows (it depends on the criteria, [selection]
# and the viewer's conflicts of interest), so the same ranking never solves twice. Which teams
# could take whom is the costly part (seconds at 10x); it is kept while only the things it does
# not depend on change (reviews, decisions), so saving a decision does not pay it again.


def _ranking_key(ranked: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(ranked[["response_id", "position", "normalised"]], index=False).sum())


def _fits_key(instance) -> int:
    """Everything dashboard.placeability.team_fits reads: the rules, each applicant's slots, projects and tier, the teams."""
    return hash(
        (
            instance.rules,
            tuple((c.email, c.availability, tuple(c.project_preferences), c.tier) for c in instance.candidates),
            tuple((t.name, t.project, tuple(t.navigators), t.captain, tuple(t.members)) for t in instance.teams),
        )
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _team_fits(url: str, session_id: int, fits_key: int, _instance):
    from dashboard import placeability

    return placeability.team_fits(_instance)


def cohort_placeability(ctx: PageContext, ranked: pd.DataFrame, rules):
    """(dashboard.cohort instance, Fit per response id) for the Selection page's ranking, once per data version."""
    access.require_organiser(ctx.viewer, "who fits a team")
    from dashboard import cohort, placeability

    def build():
        instance = cohort.cohort_instance(
            ranked, table(ctx, "applications"), table(ctx, "people"), table(ctx, "teams"), rules
        )
        fits = _team_fits(ctx.url, ctx.session_id, _fits_key(instance), instance)
        return instance, placeability.placeability(instance, fits)

    return derived(ctx, ("cohort_placeability", tuple(rules.as_dict().items()), _ranking_key(ranked)), build)


def cohort_proposal(
    ctx: PageContext, ranked: pd.DataFrame, rules, room: int, pin_in: tuple, pin_out: tuple, time_limit: float
):
    """dashboard.cohort.propose for this ranking, places and pins, solved once per data version (CohortError if it cannot)."""
    access.require_organiser(ctx.viewer, "the cohort proposal")
    from dashboard import cohort

    instance, fits = cohort_placeability(ctx, ranked, rules)
    key = ("cohort_proposal", tuple(rules.as_dict().items()), _ranking_key(ranked), room, pin_in, pin_out, time_limit)
    return derived(ctx, key, lambda: cohort.propose(instance, fits, room, pin_in, pin_out, time_limit=time_limit))
