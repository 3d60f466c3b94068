"""Selection: rank the applications fairly, check reviewer agreement, decide, and export."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import cohort, review, selection, teams
from dashboard.criteria import load_criteria
from dashboard.exports import SITE_EXPORT_RULE
from dashboard.privacy import min_group_size
from dashboard.ui import loaders, selection_data
from dashboard.ui.context import page_context
from dashboard.ui.widgets import chart, empty_state, md_text, plain_table, stop_without_session

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
FLASH, PROPOSAL = "selection_flash", f"cohort_proposal_{ctx.session_id}"

if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")
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


def apply(changes, over_ok: bool, keep_rank: bool = False) -> None:
    """Save decisions after the capacity check; says what happened."""
    if not changes:
        st.info("Nothing changed.")
        return
    after = selection.capacity_after(ranked, changes, places)
    if after.over and not over_ok:
        st.warning(
            selection.capacity_message(after) + " Nothing was saved; tick 'Accept beyond the places available' "
            "to go ahead anyway.",
            icon=":material/warning:",
        )
        return
    try:
        count = selection.save_decisions(ctx.url, ctx.session_id, changes, ctx.viewer.email, keep_rank=keep_rank)
    except selection.SelectionError as exc:
        st.error(md_text(exc))
        return
    st.session_state[FLASH] = f"{count} decision(s) saved. " + selection.capacity_message(after)
    st.rerun()  # the whole page: its counts and ranking change


def over_ok_ticked() -> bool:
    """Whether either form's 'Accept beyond the places available' is ticked."""
    return st.session_state.get("decisions_over_ok", False) or st.session_state.get("bulk_over_ok", False)


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
    decisions_table(shown)
    bulk_decisions(shown)


# --- The ranked table, with decisions edited in place ------------------------------------------
def decisions_table(shown: pd.DataFrame) -> None:
    """The ranked rows shown, with their status and rank edited in place and saved together."""
    view = pd.DataFrame(
        {
            "#": shown["position"],
            "Response ID": shown["response_id"],
            "Name": shown["name"],
            "Status": shown["status"],
            "Rank": shown["rank"],
            "Teams that fit": shown["fit_teams"],
            "Placement": shown["placement"],
            "⚠": [
                ("your conflict: scores hidden" if conflict else "⚠ contested" if contested else "")
                for conflict, contested in zip(shown["conflict"], shown["contested"])
            ],
            "Normalised": shown["normalised"].round(2),
            "⚑": ["⚑" if n else "" for n in shown["raw_reviews"]],
            "Mean": shown["mean"].round(2),
            "Median": shown["median"].round(2),
            "Spread": shown["spread"].round(2),
            "Reviews": shown["n_reviews"],
            "Experience": shown["experience_level"],
            "Time zone": shown["timezone_band"],
            "Projects": shown["projects"],
            "Hours": shown["hours_available"],
            "Tutorial": shown["tutorial_completed"],
        }
    ).reset_index(drop=True)
    with st.form(f"decisions_{ctx.version}"):
        edited = st.data_editor(
            view,
            hide_index=True,
            width="stretch",
            height=420,
            key=f"decisions_editor_{ctx.version}",
            disabled=[c for c in view.columns if c not in ("Status", "Rank")],
            column_config={
                "Status": st.column_config.SelectboxColumn(options=list(selection.STATUSES), required=True),
                "Rank": st.column_config.NumberColumn(
                    min_value=1, step=1, help="Selection Rank: 1 is the first choice"
                ),
                "Tutorial": st.column_config.CheckboxColumn(),
                "⚠": st.column_config.TextColumn("Contested", width="medium"),
                "⚑": st.column_config.TextColumn(
                    width="small", help="Includes raw scores of a reviewer with too few reviews"
                ),
                "Hours": st.column_config.NumberColumn(format="%g"),
                "Teams that fit": st.column_config.NumberColumn(
                    help="Teams that could take them under the team rules (0: none)"
                ),
                "Placement": st.column_config.TextColumn(
                    width="large", help="Others who fit the same teams, or why no team can take them"
                ),
                **{
                    score: st.column_config.NumberColumn(format="%.2f")
                    for score in ("Normalised", "Mean", "Median", "Spread")
                },
            },
        )
        over_ok = st.checkbox(
            "Accept beyond the places available",
            help="Only when you have found more Navigators.",
            key="decisions_over_ok",
        )
        save_edits = st.form_submit_button("Save decisions", type="primary", icon=":material/save:")
    if save_edits:
        before = shown[["response_id", "status", "rank"]].reset_index(drop=True)
        after_edit = pd.DataFrame(
            {"response_id": view["Response ID"], "status": edited["Status"], "rank": edited["Rank"]}
        )
        try:
            apply(selection.decision_changes(before, after_edit), over_ok)
        except selection.SelectionError as exc:
            st.error(md_text(exc))


def bulk_decisions(shown: pd.DataFrame) -> None:
    """One status (and ranks in table order) for several of the rows shown."""
    with st.form("bulk_decisions"):
        st.markdown("**Decide several at once**")
        labels = {rid: selection.position_label(pos, rid) for rid, pos in zip(shown["response_id"], shown["position"])}
        left, middle, right = st.columns([3, 1, 1])
        picked = left.multiselect(
            "Applications", list(labels), format_func=labels.get, placeholder="Pick applications, or tick 'all shown'"
        )
        everything = left.checkbox(f"All {len(shown)} shown applications")
        status = middle.selectbox("Status", selection.STATUSES)
        rank_from = right.number_input(
            "Rank them from",
            min_value=0,
            value=0,
            step=1,
            help="0 keeps their ranks; otherwise ranks in table order from this number",
        )
        st.checkbox("Accept beyond the places available", key="bulk_over_ok")
        bulk = st.form_submit_button("Apply to the chosen applications")
    if bulk:
        ids = list(shown["response_id"]) if everything else [rid for rid in shown["response_id"] if rid in set(picked)]
        if not ids:
            st.info("Pick at least one application first.")
        else:
            apply(
                selection.bulk_changes(ids, status, rank_from=int(rank_from) or None),
                over_ok_ticked(),
                keep_rank=not rank_from,
            )


ranked_applications()

# --- Who competes with whom -------------------------------------------------------------------------
labels = data.labels


def rivals(who: str) -> tuple[cohort.Fit, pd.DataFrame | None]:
    """One applicant's fit and, when some team could take them, who competes with them for it."""
    ranked_now, _ = ranking()
    fits = loaders.cohort_placeability(ctx, ranked_now, rules)[1]
    return fits[who], cohort.rivals_table(ranked_now, fits, who) if fits[who].placeable else None


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
room = data.room
time_limit = float(ctx.settings.section("teams").get("time_limit_seconds", 10))
st.caption(
    f"The cohort of at most {room} with the best total normalised score that can all be placed in teams under the "
    "team rules, chosen together with its teams in one model (not accepted first and placed afterwards). Pin "
    "people in or out; nothing is saved until you save the proposal's decisions."
)


@st.fragment
def propose_cohort() -> None:
    """The pins, the proposal and saving its decisions: asking for a proposal reruns only this."""
    with st.form("cohort_propose"):
        left, right = st.columns(2)
        pin_in = left.multiselect("Pin in (always in the cohort)", list(labels), format_func=labels.get)
        pin_out = right.multiselect("Pin out (never in the cohort)", list(labels), format_func=labels.get)
        asked = st.form_submit_button("Propose a cohort", icon=":material/auto_awesome:", disabled=not data.teams)
    if asked:
        st.session_state[PROPOSAL] = {"version": ctx.version, "pin_in": tuple(pin_in), "pin_out": tuple(pin_out)}
    request = st.session_state.get(PROPOSAL)
    if not request or request["version"] != ctx.version:
        return
    pins = (request["pin_in"], request["pin_out"])
    try:
        with st.spinner(
            f"Choosing the cohort and its teams together (up to {time_limit:g} s), then score order's teams "
            f"for comparison (up to {time_limit:g} s)..."
        ):
            proposal = loaders.derived(
                ctx,
                ("selection_proposal", room, *pins, time_limit, *SETTINGS),
                lambda: loaders.cohort_proposal(ctx, ranking()[0], rules, room, *pins, time_limit),
            )
    except cohort.CohortError as exc:
        st.error(md_text(exc), icon=":material/error:")
        return
    (st.success if proposal.proven else st.warning if proposal.timed_out else st.info)(
        md_text(proposal.status), icon=":material/verified:" if proposal.proven else ":material/timer:"
    )
    first, second, third = st.columns(3)
    first.metric("Proposed cohort", len(proposal.cohort), help=f"At most {room}: {places.source}")
    second.metric(
        "Score order places",
        f"{len(proposal.score_order.placed)} of {len(proposal.score_order.accepted)}",
        help="Accept the best-ranked first, then form teams: how many of them the allocator placed",
    )
    third.metric(
        "Total score",
        f"{proposal.total:.2f}",
        delta=f"{proposal.total - proposal.total_of(proposal.score_order.placed):+.2f} vs score order placed",
    )
    st.write(md_text(proposal.summary()))
    status_now = dict(zip(ranked["response_id"], ranked["status"]))
    plain_table(
        proposal.cohort_table(status_now),
        height=300,
        column_config={"Normalised": st.column_config.NumberColumn(format="%.2f")},
    )
    if proposal.instead:
        st.markdown("**Score order would accept, the proposal does not**")
        plain_table(proposal.left_out_table(), column_config={"Why not": st.column_config.TextColumn(width="large")})
    changes = proposal.decision_changes(status_now)
    accepting = sum(1 for c in changes if c.status == "accepted")
    st.caption(
        f"Saving accepts {accepting} and moves {len(changes) - accepting} from accepted to waitlisted; ranks and "
        "every other decision stay as they are. The Teams page then forms the teams."
    )
    if st.button("Save the proposal's decisions", type="primary", icon=":material/save:", disabled=not changes):
        apply(changes, over_ok_ticked(), keep_rank=True)


propose_cohort()

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
