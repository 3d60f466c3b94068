"""The Selection page's results, cached per data version: the ranking with who fits a team, and the small
PageData a rerun reads. Here, not in the page, so the server's warm-up (dashboard.ui.warmup) builds them too."""

from __future__ import annotations

import pandas as pd

from dashboard import cohort, review, selection
from dashboard.criteria import load_criteria
from dashboard.privacy import min_group_size
from dashboard.ui import loaders
from dashboard.ui.context import PageContext


def settings_key(ctx: PageContext) -> tuple:
    """What the results depend on besides the session's data and the viewer (part of loaders.derived's key)."""
    return (
        ctx.session.start_date,
        ctx.session.blind_review,
        *(repr(sorted(ctx.settings.section(name).items())) for name in ("review", "selection", "teams", "privacy")),
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
            ranked, review.conflicted_ids(loaders.table(ctx, "reviews"), ctx.viewer.email)
        )
        # Who could be placed in a team at all, given the session's teams (Navigators, Captain, project) and the rules.
        return cohort.with_placeability(ranked, loaders.cohort_placeability(ctx, ranked, rules)[1]), stats

    return loaders.derived(ctx, ("selection_ranking", *settings_key(ctx)), build)


def page_data(ctx: PageContext, rules) -> selection.PageData | None:
    """The small part of ranking() the page shows on every rerun; None when there are no applications yet."""

    def build():
        if loaders.table(ctx, "applications").empty:
            return None
        ranked, stats = ranking(ctx, rules)
        where = selection.places(ctx.settings, loaders.people(ctx), loaders.table(ctx, "teams"))
        instance, _ = loaders.cohort_placeability(ctx, ranked, rules)
        return selection.page_data(
            ranked,
            stats,
            where,
            len(instance.teams),
            cohort.capacity(where, instance),
            min_group_size(ctx.settings),
            organiser=ctx.viewer.is_organiser,
        )

    return loaders.derived(ctx, ("selection_page", *settings_key(ctx)), build)
