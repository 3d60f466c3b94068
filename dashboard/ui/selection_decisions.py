"""The Selection page's decisions: the ranked table edited in place, several at once, and a proposed cohort.

Every way of deciding ends in `apply`, which checks the places first and says what happened.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cohort, selection
from dashboard.ui import loaders, selection_data
from dashboard.ui.context import PageContext
from dashboard.ui.selection_data import PageData
from dashboard.ui.widgets import md_text, plain_table, rerun_saying

FLASH = "selection_flash"  # what the last save did, shown once at the top of the next run


def apply(ctx: PageContext, data: PageData, changes, over_ok: bool, keep_rank: bool = False) -> None:
    """Save decisions after the capacity check; says what happened."""
    if not changes:
        st.info("Nothing changed.")
        return
    after = selection.capacity_after(data.ranked, changes, data.capacity.places)
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
    rerun_saying(FLASH, f"{count} decision(s) saved. " + selection.capacity_message(after))


def over_ok_ticked() -> bool:
    """Whether either form's 'Accept beyond the places available' is ticked."""
    return st.session_state.get("decisions_over_ok", False) or st.session_state.get("bulk_over_ok", False)


def decisions_table(ctx: PageContext, data: PageData, shown: pd.DataFrame) -> None:
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
            apply(ctx, data, selection.decision_changes(before, after_edit), over_ok)
        except selection.SelectionError as exc:
            st.error(md_text(exc))


def bulk_decisions(ctx: PageContext, data: PageData, shown: pd.DataFrame) -> None:
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
                ctx,
                data,
                selection.bulk_changes(ids, status, rank_from=int(rank_from) or None),
                over_ok_ticked(),
                keep_rank=not rank_from,
            )


def propose_cohort(ctx: PageContext, data: PageData, rules) -> None:
    """The pins, the proposal and saving its decisions (the page runs this as a fragment)."""
    labels, room, places = data.labels, data.room, data.capacity.places
    time_limit = float(ctx.settings.section("teams").get("time_limit_seconds", 10))
    request_key = f"cohort_proposal_{ctx.session_id}"
    with st.form("cohort_propose"):
        left, right = st.columns(2)
        pin_in = left.multiselect("Pin in (always in the cohort)", list(labels), format_func=labels.get)
        pin_out = right.multiselect("Pin out (never in the cohort)", list(labels), format_func=labels.get)
        asked = st.form_submit_button("Propose a cohort", icon=":material/auto_awesome:", disabled=not data.teams)
    if asked:
        st.session_state[request_key] = {"version": ctx.version, "pin_in": tuple(pin_in), "pin_out": tuple(pin_out)}
    request = st.session_state.get(request_key)
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
                ("selection_proposal", room, *pins, time_limit, *selection_data.settings_key(ctx)),
                lambda: loaders.cohort_proposal(
                    ctx, selection_data.ranking(ctx, rules)[0], rules, room, *pins, time_limit
                ),
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
    status_now = dict(zip(data.ranked["response_id"], data.ranked["status"]))
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
        apply(ctx, data, changes, over_ok_ticked(), keep_rank=True)
