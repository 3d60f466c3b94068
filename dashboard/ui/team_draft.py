"""The Teams page's draft: proposing teams, moving people by hand, what breaks, saving, and the draft's charts.

The draft (session state: the assignments shown, and an edit count that resets the table) is
what the organiser is looking at: saved teams, a proposal, or hand edits of either. The page
runs propose and editor as st.fragment (and editor the week grid): ticking a box or moving
someone reruns only that part. They are made fragments where they are called, as a page's own
functions are, not when this module is imported. Everything drawn from a draft is cached per
draft, so showing it again costs little.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import team_charts, teams
from dashboard.ui import loaders
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import chart, md_text, plain_table, rerun_saying

NOT_PLACED = "(not placed)"
GRID_TEAMS = 6  # week grids drawn at first; more on request
FLASH = "teams_flash"  # what the last save did, shown once after the rerun it causes
EDITOR_COLUMNS = {
    "email": st.column_config.TextColumn("E-mail"),
    "name": st.column_config.TextColumn("Djangonaut"),
    "rank": st.column_config.NumberColumn("Rank", format="%d"),
    "projects": st.column_config.TextColumn("Projects chosen"),
    "experience": st.column_config.TextColumn("Experience"),
    "timezone": st.column_config.TextColumn("Time zone"),
}


def proposal_key(ctx: PageContext) -> str:
    """Where the last proposal's figures are kept in session state."""
    return f"teams_proposal_{ctx.session_id}"


def current_draft(ctx: PageContext, saved: dict[str, str | None]) -> dict[str, Any]:
    """The draft of this session, started afresh from the saved teams whenever the data changes."""
    name = f"teams_draft_{ctx.session_id}"
    if st.session_state.get(name, {}).get("version") != ctx.version:
        st.session_state[name] = {"version": ctx.version, "assignments": dict(saved), "edit": 0}
    return st.session_state[name]


def draft_key(ctx: PageContext, instance: teams.Instance, assignments: dict[str, str | None]) -> int:
    """One number naming a draft in the caches: the settings the instance was built with (the rules, the
    ranking's criteria and [selection]) and who is in which team (a short key is quick to hash on every rerun)."""
    settings = (tuple(instance.rules.as_dict().items()), ctx.settings.key("review", "selection"))
    return hash((settings, tuple(sorted((e, t or "") for e, t in assignments.items()))))


def propose(ctx: PageContext, instance: teams.Instance, draft: dict[str, Any]) -> None:
    """The Propose button; ticking 'Keep people' reruns only this, a proposal redraws the page."""
    time_limit = float(ctx.settings.section("teams").get("time_limit_seconds", 10))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    keep = left.checkbox(
        "Keep people who already have a team where they are",
        value=True,
        help="Off: propose every team from scratch (nothing is saved until you press Save).",
    )
    if not right.button("Propose teams", type="primary", icon=":material/auto_awesome:", width="stretch"):
        return
    problem = instance if keep else instance.without_placements()
    with st.spinner(f"Finding the teams that place the most people and balance them best (up to {time_limit:g} s)..."):
        result = teams.allocate(problem, time_limit=time_limit)
    draft.update(assignments=dict(result.assignments), edit=draft["edit"] + 1)
    kept_broken = sorted({name for v in teams.validate_teams(problem) for name in v.teams}) if keep else []
    st.session_state[proposal_key(ctx)] = {
        "version": ctx.version,
        "placed": result.placed,
        "total": len(instance.candidates),
        "optimal": result.optimal,
        "seconds": result.seconds,
        "worst": result.worst_meeting_hours,
        "kept_broken": kept_broken,
    }
    st.rerun()


def proposal_summary(ctx: PageContext) -> None:
    """The last proposal's figures, while the data it was made from is unchanged."""
    proposal = st.session_state.get(proposal_key(ctx))
    if not proposal or proposal["version"] != ctx.version:
        return
    placed, worst, proof, took = st.columns(4)
    placed.metric("Placed", f"{proposal['placed']} of {proposal['total']}")
    worst.metric("Fewest common hours in a team", "-" if proposal["worst"] is None else f"{proposal['worst']} h")
    proof.metric("Answer", "Proven optimal" if proposal["optimal"] else "Best found in time")
    took.metric("Solver time", f"{proposal['seconds']:.1f} s")
    if proposal["kept_broken"]:
        st.info(
            f"Kept as they were, because the people already in them break a rule: {md_text(', '.join(proposal['kept_broken']))}. "
            "Untick 'Keep people who already have a team' to propose these teams afresh.",
            icon=":material/info:",
        )
    if not proposal["optimal"]:
        st.caption(
            "The solver ran out of time before proving nothing better exists; raise [teams] time_limit_seconds "
            "for a more certain answer."
        )


def editor_rows(instance: teams.Instance, assignments: dict[str, str | None]) -> pd.DataFrame:
    """One row per candidate in ranking order, with the team the draft gives them."""
    ranked = sorted(instance.candidates, key=lambda c: (c.rank is None, c.rank or 0, c.email))
    return pd.DataFrame(
        [
            {
                "email": c.email,
                "name": c.name or c.email,
                "rank": c.rank,
                "projects": ", ".join(c.project_preferences) or "Any",
                "experience": c.experience_level or "",
                "timezone": c.timezone or "",
                "team": assignments.get(c.email) or NOT_PLACED,
            }
            for c in ranked
        ]
    )


def editor(ctx: PageContext, instance: teams.Instance, draft: dict[str, Any]) -> None:
    """The draft: moving people, what breaks, the teams, saving and the charts; a move reruns only this."""
    names = {c.email: c.name or c.email for c in instance.candidates}
    team_names = [t.name for t in instance.teams]
    move_who, move_to = f"teams_move_who_{ctx.session_id}", f"teams_move_to_{ctx.session_id}"

    def move_person() -> None:
        """Move the chosen Djangonaut in the draft and redraw the table from it."""
        who, to = st.session_state.get(move_who), st.session_state.get(move_to)
        if who:
            draft["assignments"][who] = None if to in (None, NOT_PLACED) else to
            draft["edit"] += 1

    shown_key = draft_key(ctx, instance, draft["assignments"])
    rows = loaders.derived(ctx, ("teams_editor_rows", shown_key), lambda: editor_rows(instance, draft["assignments"]))
    who_col, to_col, button_col = st.columns([3, 3, 1], vertical_alignment="bottom")
    who_col.selectbox(
        "Move a Djangonaut",
        list(rows["email"]),
        key=move_who,
        format_func=lambda e: f"{names[e]} ({draft['assignments'].get(e) or 'not placed'})",
    )
    to_col.selectbox("to", [NOT_PLACED, *team_names], key=move_to)
    button_col.button("Move", on_click=move_person, width="stretch", icon=":material/swap_horiz:")
    edited = st.data_editor(
        rows,
        hide_index=True,
        width="stretch",
        key=f"team_editor_{ctx.session_id}_{ctx.version}_{draft['edit']}",
        disabled=list(EDITOR_COLUMNS),
        column_config=EDITOR_COLUMNS
        | {"team": st.column_config.SelectboxColumn("Team", options=[NOT_PLACED, *team_names], required=True)},
    )
    saved = instance.current_assignments()
    assignments = {
        e: (None if t == NOT_PLACED else t) for e, t in zip(edited["email"].tolist(), edited["team"].tolist())
    }
    assignments |= {e: t for e, t in saved.items() if e not in assignments}  # hand-placed people who are not candidates
    draft["assignments"] = assignments
    key = draft_key(ctx, instance, assignments)
    shown = loaders.derived(
        ctx, ("teams_draft_tables", key), lambda: team_charts.draft_tables(instance, assignments, names)
    )

    if shown.broken:
        st.warning(f"{shown.broken} rule{'s' if shown.broken != 1 else ''} broken:", icon=":material/rule:")
        plain_table(shown.violations)
    else:
        st.success("Every team meets every rule.", icon=":material/verified:")

    st.subheader("Teams")
    plain_table(shown.teams)
    with st.expander("Why each team is as it is"):
        st.text(shown.explanations)  # one element, however many teams
    if len(shown.unplaced):
        st.subheader(f"Not placed ({len(shown.unplaced)})")
        plain_table(shown.unplaced, column_config={"Why": st.column_config.TextColumn(width="large")})

    save_button(ctx, instance, saved, assignments, shown.broken)
    if shown.tightest:
        st.divider()
        st.fragment(week_grid)(ctx, instance, assignments, shown.tightest)
        balance_charts(ctx, instance, assignments, key)


def save_button(
    ctx: PageContext,
    instance: teams.Instance,
    saved: dict[str, str | None],
    assignments: dict[str, str | None],
    broken: int,
) -> None:
    """Save teams: writes the draft when it changed (and, if it breaks rules, once that is confirmed)."""
    changes = sum(1 for c in instance.candidates if assignments.get(c.email) != saved.get(c.email))
    confirm = True
    if broken and changes:
        confirm = st.checkbox(
            f"Save even though {broken} rule{'s' if broken != 1 else ''} break", key=f"teams_confirm_{ctx.version}"
        )
    if st.button(
        "Save teams",
        type="primary",
        icon=":material/save:",
        disabled=not changes or not confirm,
        help="Writes each Djangonaut's team to the people and decisions tables in one step.",
    ):
        try:
            count = teams.save_assignments(ctx.url, ctx.session_id, instance, assignments, actor=ctx.viewer.email)
        except teams.InstanceError as exc:
            st.error(md_text(exc))
        else:
            st.session_state.pop(proposal_key(ctx), None)
            rerun_saying(
                FLASH, f"Teams saved: {changes} Djangonaut{'s' if changes != 1 else ''} moved ({count} rows updated)."
            )
    if not changes:
        st.caption("No changes to save.")


def week_grid(
    ctx: PageContext, instance: teams.Instance, assignments: dict[str, str | None], tightest: list[str]
) -> None:
    """The week grid of common hours; choosing its teams reruns only this part of the page."""
    shown_teams = tightest
    if len(tightest) > GRID_TEAMS:  # a grid per team is 336 cells: draw the tightest few, the rest on request
        shown_teams = st.multiselect(
            "Teams in the week grid",
            sorted(tightest),
            default=tightest[:GRID_TEAMS],
            key=f"teams_grid_{ctx.session_id}",
            help=f"The {GRID_TEAMS} teams with the fewest common hours are shown first.",
        )
    if shown_teams:
        # Named by the shown teams' members: a move between other teams does not draw it again.
        members = hash(
            tuple((t, tuple(sorted(e for e, name in assignments.items() if name == t))) for t in shown_teams)
        )
        chart(
            ctx,
            ("teams_week_grid", members),
            lambda: team_charts.common_hours_heatmap(
                team_charts.team_grid_frame(instance, assignments, only=shown_teams)
            ),
        )


def balance_charts(ctx: PageContext, instance: teams.Instance, assignments: dict[str, str | None], key: int) -> None:
    """Size and experience mix, time-zone span and Navigator load of the draft's teams."""
    rules = instance.rules
    st.subheader("Balance of the teams")

    def balance() -> pd.DataFrame:
        return loaders.derived(
            ctx, ("teams_balance", key), lambda: team_charts.team_balance_frame(instance, assignments)
        )

    def loads() -> pd.DataFrame:
        return team_charts.navigator_load_frame(instance, assignments)

    # Each chart is named by the figures it draws: a move draws again only the charts whose figures it changes.
    mix_key, span_key, load_key = loaders.derived(
        ctx,
        ("teams_balance_figures", key),
        lambda: tuple(
            team_charts.frame_key(frame) for frame in (balance(), team_charts.timezone_spans(balance()), loads())
        ),
    )
    mix, span, load = st.columns(3)
    chart(
        ctx,
        ("teams_experience_mix", mix_key, rules.min_team_size, rules.max_team_size),
        lambda: team_charts.experience_mix_chart(balance(), rules.min_team_size, rules.max_team_size),
        where=mix,
    )
    chart(ctx, ("teams_timezone_span", span_key), lambda: team_charts.timezone_span_chart(balance()), where=span)
    chart(ctx, ("teams_navigator_load", load_key), lambda: team_charts.navigator_load_chart(loads()), where=load)
