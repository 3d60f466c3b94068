"""Selection: rank the applications fairly, check reviewer agreement, decide, and export."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import placeability, review, selection, teams
from dashboard.criteria import load_criteria
from dashboard.exports import SITE_EXPORT_RULE
from dashboard.privacy import min_group_size
from dashboard.ui import loaders, selection_data, selection_decisions
from dashboard.ui.context import page_context
from dashboard.ui.widgets import chart, empty_state, md_text, plain_table, say_once, stop_without_session

ctx = page_context("selection")
st.title("Selection")

stop_without_session(ctx, "applications")

criteria = load_criteria(ctx.settings)
SETTINGS = selection_data.settings_key(ctx)  # part of every loaders.derived key below
min_size = min_group_size(ctx.settings)
dimensions = selection.composition_dimensions(ctx.viewer.is_organiser)


def no_applications() -> None:
    """The empty state, and nothing else."""
    empty_state(
        "There are no applications in this session yet.", "Import the application form's responses on the Data page."
    )
    st.stop()


try:
    rules = teams.rules_from_settings(ctx.settings)
except teams.InstanceError as exc:
    if loaders.table(ctx, "applications").empty:
        no_applications()
    st.error(f"{exc} Fix [teams] in dashboard.toml.")
    st.stop()


def ranking() -> tuple[pd.DataFrame, review.ReviewStats]:
    """The ranked table with who fits a team, and the review statistics (cached per data version)."""
    return selection_data.ranking(ctx, rules)


data = selection_data.page_data(ctx, rules)
if data is None:
    no_applications()
ranked, capacity, places = data.ranked, data.capacity, data.capacity.places

say_once(selection_decisions.FLASH)
total, reviewed, contested, accepted = st.columns(4)
total.metric("Applications", len(ranked))
reviewed.metric("Reviewed", int((ranked["n_reviews"] > 0).sum()), help="At least one review")
contested.metric(
    "Contested",
    int(ranked["contested"].sum()),
    help=f"Reviewers' scores differ by {data.contested_spread:g} points or more",
)
accepted.metric(
    "Accepted",
    f"{capacity.accepted} / {places.places}" if places.places else capacity.accepted,
    help=f"Places: {places.source}",
)
(st.warning if capacity.over else st.info)(selection.capacity_message(capacity), icon=":material/groups:")

# --- Reviewer agreement and calibration ------------------------------------------------------------
st.subheader("Reviewer agreement")
alpha_col, words_col = st.columns([1, 3])
alpha_col.metric(
    "Krippendorff's alpha",
    "n/a" if data.alpha is None else f"{data.alpha:.2f}",
    help="Agreement between reviewers on the review score (interval metric); 1 = perfect, 0 = chance.",
)
words_col.write(review.interpret_alpha(data.alpha))
by_criterion = pd.DataFrame(
    {
        "Criterion": [c.label for c in criteria],
        "Alpha": [data.alpha_by_criterion.get(c.name) for c in criteria],
        "Meaning": [
            review.interpret_alpha(data.alpha_by_criterion.get(c.name)).split(" (")[0].split(":")[0] for c in criteria
        ],
    }
)
calibration = data.reviewers.rename(
    columns={
        "reviewer": "Reviewer",
        "n": "Reviews",
        "mean": "Mean score",
        "sd": "Spread (sd)",
        "strictness": "Strictness",
        "normalised": "Normalised",
    }
)
if not data.scored:
    st.info(
        "No reviews yet: agreement and calibration appear once reviewers have scored applications on the Review page."
    )
else:
    agreement_col, calibration_col = st.columns([2, 3])
    with agreement_col:
        plain_table(by_criterion, column_config={"Alpha": st.column_config.NumberColumn(format="%.2f")})
    with calibration_col:
        plain_table(
            calibration,
            column_config={
                "Mean score": st.column_config.NumberColumn(format="%.2f"),
                "Spread (sd)": st.column_config.NumberColumn(format="%.2f"),
                "Strictness": st.column_config.NumberColumn(
                    format="%+.2f",
                    help="Points below colleagues on the same applications; "
                    "positive = stricter, negative = more generous",
                ),
                "Normalised": st.column_config.CheckboxColumn(
                    help="Scores normalised (at least "
                    f"{review.min_reviews_for_normalising(ctx.settings)} reviews); "
                    "otherwise used raw"
                ),
            },
        )


# --- Filters -------------------------------------------------------------------------------------
st.subheader("Ranked applications")


@st.fragment
def ranked_applications() -> None:
    """Filters, the ranked table and the decisions taken on it: changing a filter reruns only this."""
    low, high = review.score_range(criteria)
    with st.expander("Filters", icon=":material/filter_list:"):
        first, second, third = st.columns(3)
        score = first.slider("Normalised score", float(low), float(high), (float(low), float(high)), step=0.1)
        projects = first.multiselect(
            "Project preference",
            sorted({p for prefs in ranked["project_preferences"] for p in prefs}) + [selection.NO_PREFERENCE],
        )
        bands = second.multiselect("Time-zone band", [b for b, _, _ in selection.TIMEZONE_BANDS] + [selection.UNKNOWN])
        min_hours = second.number_input(
            "At least this many hours a week", min_value=0.0, max_value=40.0, value=0.0, step=0.5
        )
        tutorial = third.selectbox("Contribution tutorial", ["Any", "Completed", "Not completed"])
        levels = third.multiselect("Experience level", sorted(ranked["experience_level"].dropna().unique()))
        state = st.segmented_control("Show", selection.REVIEW_STATES, default="all", key="selection_state") or "all"
    filters = selection.Filters(
        score_min=score[0] if score[0] > low else None,
        score_max=score[1] if score[1] < high else None,
        projects=tuple(projects),
        timezone_bands=tuple(bands),
        min_hours=min_hours or None,
        tutorial={"Any": None, "Completed": True, "Not completed": False}[tutorial],
        experience_levels=tuple(levels),
        state=state,
    )
    shown = selection.filter_ranked(ranked, filters)
    st.caption(
        f"{len(shown)} of {len(ranked)} applications. Normalised: each reviewer's scores standardised against their "
        f"own mean and spread (⚑ = includes raw scores of a reviewer with too few reviews). Contested rows are "
        "marked ⚠."
    )
    unplaceable = int((ranked["fit_teams"] == 0).sum())
    if not data.teams:
        st.info(
            "No teams yet, so nobody can be placed: add teams (name, project, navigators, captain) on the Data page "
            "to see who fits one.",
            icon=":material/groups:",
        )
    else:
        st.caption(
            f"**Teams that fit**: the teams that could take the applicant under the team rules ({rules.min_team_size}-"
            f"{rules.max_team_size} per team, {rules.navigator_meeting_hours} common hours with the Navigators, "
            f"{rules.captain_hours} with the Captain, a project they chose). {len(ranked) - unplaceable} of "
            f"{len(ranked)} could be placed; {unplaceable} fit no team (Show: fits no team). **Placement** says with "
            "how many others they compete for those places, or why no team can take them."
        )
    selection_decisions.decisions_table(ctx, data, shown)
    selection_decisions.bulk_decisions(ctx, data, shown)


ranked_applications()

# --- Who competes with whom -------------------------------------------------------------------------
labels = data.labels


def rivals(who: str) -> tuple[placeability.Fit, pd.DataFrame | None]:
    """One applicant's fit and, when some team could take them, who competes with them for it."""
    ranked_now, _ = ranking()
    fits = loaders.cohort_placeability(ctx, ranked_now, rules)[1]
    return fits[who], placeability.rivals_table(ranked_now, fits, who) if fits[who].placeable else None


@st.fragment
def who_competes() -> None:
    """Who competes with one applicant for the same places: picking another reruns only this."""
    with st.expander("Who competes with whom for the same places", icon=":material/compare_arrows:"):
        who = st.selectbox("Application", list(labels), format_func=labels.get, key="cohort_rivals")
        fit, table = loaders.derived(ctx, ("selection_rivals", who, *SETTINGS), partial(rivals, who))
        if not fit.placeable:
            st.warning(md_text(fit.reason), icon=":material/block:")
        else:
            st.write(
                md_text(f"Teams that could take them: {', '.join(fit.teams)} ({fit.places} places); {fit.competition}.")
            )
            plain_table(table, height=250)


if data.teams:
    who_competes()

# --- Propose a cohort ---------------------------------------------------------------------------------
st.subheader("Propose a cohort")
st.caption(
    f"The cohort of at most {data.room} with the best total normalised score that can all be placed in teams "
    "under the team rules, chosen together with its teams in one model (not accepted first and placed afterwards). "
    "Pin people in or out; nothing is saved until you save the proposal's decisions."
    if data.teams
    else "A proposal places people in teams, and this session has none yet: add teams (name, project, navigators, "
    "captain) on the Data page first."
)
st.fragment(selection_decisions.propose_cohort)(ctx, data, rules)  # asking for a proposal reruns only this

# --- Composition ---------------------------------------------------------------------------------
st.subheader("Composition: applicant pool vs accepted cohort")
st.caption(
    f"Aggregated counts only, as on the Talk page: groups are combined until each has at least {min_size} "
    "applicants, accepted and not accepted, so no count or difference of counts singles anyone out."
)


def composition(key: str):
    """The privacy-folded composition of the ranking by one dimension."""
    return selection.composition(ranking()[0], key, min_size, organiser=ctx.viewer.is_organiser)


@st.fragment
def composition_by() -> None:
    """The composition chart and table: choosing another dimension reruns only this."""
    key = st.segmented_control(
        "By", list(dimensions), format_func=dimensions.get, default=next(iter(dimensions)), key="selection_composition"
    ) or next(iter(dimensions))
    counts = data.compositions[key]
    if counts is None:
        empty_state(
            f"Nothing to compare yet: the cohort's composition needs at least {min_size} accepted and "
            f"{min_size} other applicants, or its numbers would single people out.",
            f"Come back once at least {min_size} applicants are accepted.",
        )
        return
    chart_col, table_col = st.columns([3, 2])
    chart(
        ctx,
        ("selection_composition", key, *SETTINGS),
        lambda: selection.composition_chart(composition(key), dimensions[key]),
        where=chart_col,
        width="stretch",
    )
    with table_col:
        plain_table(
            counts.rename(columns={"group": dimensions[key], "applicants": "Applicants", "accepted": "Accepted"})
        )


composition_by()


# --- Exports -------------------------------------------------------------------------------------
def export(build) -> str:
    """A CSV of the ranking and its statistics, made only when its download button is clicked."""
    return build(*ranking())


st.subheader("Exports")
st.caption(
    "Cells that start with =, +, -, @, tab or carriage return are prefixed with ' so a spreadsheet never runs them."
)
first, second = st.columns(2)
slug = ctx.session.name.lower().replace(" ", "-")
first.download_button(
    "Decisions CSV (Djangonaut Space import)",
    partial(export, selection.decisions_csv),
    file_name=f"{slug}-decisions.csv",
    mime="text/csv",
    icon=":material/download:",
    help="Response ID, Score, Selection Rank: the file the site's score import accepts",
    on_click="ignore",
)
first.caption(SITE_EXPORT_RULE)
second.download_button(
    "Full CSV for organisers",
    partial(export, selection.full_csv),
    file_name=f"{slug}-applications.csv",
    mime="text/csv",
    icon=":material/download:",
    help="Every answer, one score column per reviewer, statistics and decision",
    on_click="ignore",
)
