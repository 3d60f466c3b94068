"""The Selection page's results, cached per data version: the ranking with who fits a team, and the small
PageData a rerun reads. Here, not in the page, so the server's warm-up (dashboard.ui.warmup) builds them too."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import cohort, placeability, review, reviewing, selection
from dashboard.criteria import load_criteria
from dashboard.privacy import min_group_size
from dashboard.ui import loaders
from dashboard.ui.context import PageContext


# The ranked table's columns the Selection page shows, filters on and labels with.
PAGE_COLUMNS = (
    "position", "response_id", "name", "status", "rank", "fit_teams", "placement", "conflict", "contested",
    "normalised", "raw_reviews", "mean", "median", "spread", "n_reviews", "experience_level", "timezone_band",
    "projects", "project_preferences", "hours_available", "tutorial_completed",
)  # fmt: skip


@dataclass(frozen=True)
class PageData:
    """What the Selection page shows of one ranking, derived once per data version and kept small,
    since a cached result is unpickled on every rerun."""

    ranked: pd.DataFrame  # the ranked table with PAGE_COLUMNS only
    capacity: selection.Capacity
    alpha: float | None  # the ReviewStats the page shows, without its per-review and per-application frames
    alpha_by_criterion: dict[str, float | None]
    contested_spread: float | None
    reviewers: pd.DataFrame
    scored: bool  # any review scored yet
    labels: dict[str, str]  # response id -> '#3 R-12 Name', best first
    teams: int  # teams in the session (0: nobody can be placed yet)
    room: int  # the most a proposed cohort may hold
    compositions: dict[str, pd.DataFrame | None]  # composition_counts by dimension; None: too few to compare


def summarise(
    ranked: pd.DataFrame,
    stats: review.ReviewStats,
    where: selection.Places,
    teams: int,
    room: int,
    min_size: int,
    *,
    organiser: bool,
) -> PageData:
    """The Selection page's data of a ranked table (with who fits a team) and its review statistics."""
    compositions = {
        dimension: selection.composition(ranked, dimension, min_size, organiser=organiser)
        for dimension in selection.composition_dimensions(organiser)
    }
    return PageData(
        ranked=ranked[[c for c in PAGE_COLUMNS if c in ranked]],
        capacity=selection.capacity_after(ranked, [], where),
        alpha=stats.alpha,
        alpha_by_criterion=stats.alpha_by_criterion,
        contested_spread=stats.contested_spread,
        reviewers=stats.reviewers,
        scored=not stats.scored.empty,
        labels={
            rid: f"{selection.position_label(pos, rid)} {name or ''}".strip()
            for rid, pos, name in zip(ranked["response_id"], ranked["position"], ranked["name"])
        },
        teams=teams,
        room=room,
        compositions={
            key: None if found.empty else selection.composition_counts(found) for key, found in compositions.items()
        },
    )


def settings_key(ctx: PageContext) -> tuple:
    """What the results depend on besides the session's data and the viewer (part of loaders.derived's key)."""
    return (
        ctx.session.start_date,
        ctx.session.blind_review,
        ctx.settings.key("review", "selection", "teams", "privacy"),
    )


def ranking(ctx: PageContext, rules) -> tuple[pd.DataFrame, review.ReviewStats]:
    """The ranked table with who fits a team, and the review statistics, worked out once per data version."""

    def build():
        stats = loaders.review_stats(ctx, load_criteria(ctx.settings))
        ranked = selection.ranked_table(
            loaders.table(ctx, "applications"), stats, loaders.table(ctx, "decisions"), ctx.session.start_date
        )
        # An organiser who declared a conflict of interest on an application sees neither its scores nor its place
        # in the ranking, on the page or in its exports.
        ranked = selection.hide_conflicted_scores(
            ranked, reviewing.conflicted_ids(loaders.table(ctx, "reviews"), ctx.viewer.email)
        )
        # Who could be placed in a team at all, given the session's teams (Navigators, Captain, project) and the rules.
        return placeability.with_placeability(ranked, loaders.cohort_placeability(ctx, ranked, rules)[1]), stats

    return loaders.derived(ctx, ("selection_ranking", *settings_key(ctx)), build)


def page_data(ctx: PageContext, rules) -> PageData | None:
    """The small part of ranking() the page shows on every rerun; None when there are no applications yet."""

    def build():
        if loaders.table(ctx, "applications").empty:
            return None
        ranked, stats = ranking(ctx, rules)
        where = selection.places(ctx.settings, loaders.people(ctx), loaders.table(ctx, "teams"))
        instance, _ = loaders.cohort_placeability(ctx, ranked, rules)
        return summarise(
            ranked,
            stats,
            where,
            len(instance.teams),
            cohort.capacity(where, instance),
            min_group_size(ctx.settings),
            organiser=ctx.viewer.is_organiser,
        )

    return loaders.derived(ctx, ("selection_page", *settings_key(ctx)), build)
