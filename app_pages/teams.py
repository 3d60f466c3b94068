"""Teams: propose teams that meet the program's rules, edit them by hand, see what breaks, save."""

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import team_charts, teams
from dashboard.criteria import load_criteria
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import chart, empty_state, md_text, plain_table, stop_without_session
from dashboard.wellbeing import charts as wellbeing_charts

ctx = page_context("teams")
st.title("Teams")

stop_without_session(ctx)

NOT_PLACED = "(not placed)"
GRID_TEAMS = 6  # week grids drawn at first; more on request
DRAFT, PROPOSAL, FLASH = f"teams_draft_{ctx.session_id}", f"teams_proposal_{ctx.session_id}", "teams_flash"


try:
    rules = teams.rules_from_settings(ctx.settings)
except teams.InstanceError as exc:
    st.error(f"{md_text(exc)} Fix [teams] in dashboard.toml.")
    st.stop()
instance = loaders.teams_instance(ctx, rules)
if not instance.candidates:
    empty_state(
        "No applicant is accepted in this session yet.", "Accept Djangonauts on the Selection page, then come back."
    )
    st.stop()
if not instance.teams:
    empty_state(
        "This session has no teams yet.",
        "Add teams (name, project, navigators, captain) to your spreadsheet's Teams tab or import a teams CSV "
        "on the Data page.",
    )
    st.stop()

navigator_limit = (
    "no limit on how many Djangonauts a Navigator mentors"
    if rules.max_per_navigator >= teams.NO_NAVIGATOR_LIMIT
    else f"at most {rules.max_per_navigator} Djangonauts per Navigator"
)
st.caption(
    f"Rules: teams of {rules.min_team_size}-{rules.max_team_size}; at least {rules.navigator_meeting_hours} common "
    f"hours a week with the Navigators; the Captain shares at least {rules.captain_hours} h with each Djangonaut; "
    f"each Djangonaut only on a project they chose; {navigator_limit}. "
    "Hours are counted as Djangonaut Space's site counts them: two consecutive common half-hours make one "
    "hour, on the hour or not (09:30-11:30 UTC is 2 hours)."
)
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH), icon=":material/check_circle:")

# The draft is what the organiser is looking at: saved teams, a proposal, or hand edits of either.
saved = instance.current_assignments()
if st.session_state.get(DRAFT, {}).get("version") != ctx.version:
    st.session_state[DRAFT] = {"version": ctx.version, "assignments": dict(saved), "edit": 0}
draft = st.session_state[DRAFT]

# --- Propose -----------------------------------------------------------------------------------
time_limit = float(ctx.settings.section("teams").get("time_limit_seconds", 10))


@st.fragment
def propose() -> None:
    """Ticking 'Keep people' reruns only this; a proposal changes the draft, so it redraws the page."""
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
    st.session_state[PROPOSAL] = {
        "version": ctx.version,
        "placed": result.placed,
        "total": len(instance.candidates),
        "optimal": result.optimal,
        "seconds": result.seconds,
        "worst": result.worst_meeting_hours,
        "kept_broken": kept_broken,
    }
    st.rerun()


propose()
proposal = st.session_state.get(PROPOSAL)
if proposal and proposal["version"] == ctx.version:
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

# --- Edit by hand --------------------------------------------------------------------------------
st.subheader("Who is in which team")
st.caption(
    "Move someone with the controls below or change the Team column; the rules are checked at once. "
    "Nothing is saved until you press Save teams."
)
team_names = [t.name for t in instance.teams]
ranked = sorted(instance.candidates, key=lambda c: (c.rank is None, c.rank or 0, c.email))
names = {c.email: c.name or c.email for c in instance.candidates}
MOVE_WHO, MOVE_TO = f"teams_move_who_{ctx.session_id}", f"teams_move_to_{ctx.session_id}"
# Everything drawn from a draft is cached per draft: the settings the instance was built with (the rules, and the
# ranking's criteria and [selection]) and who is in which team name it.
SETUP = hash(
    (
        tuple(rules.as_dict().items()),
        tuple(load_criteria(ctx.settings)),
        repr(sorted(ctx.settings.section("selection").items())),
    )
)


def draft_key(assignments: dict[str, str | None]) -> int:
    """One number naming a draft in the caches (a short key is quick to hash on every rerun)."""
    return hash((SETUP, tuple(sorted((e, t or "") for e, t in assignments.items()))))


def move_person() -> None:
    """Move the chosen Djangonaut in the draft and redraw the table from it."""
    who, to = st.session_state.get(MOVE_WHO), st.session_state.get(MOVE_TO)
    if who:
        draft["assignments"][who] = None if to in (None, NOT_PLACED) else to
        draft["edit"] += 1


@st.fragment
def editor() -> None:
    """The draft: moving people, what breaks, the teams, saving and the charts; a move reruns only this."""
    who_col, to_col, button_col = st.columns([3, 3, 1], vertical_alignment="bottom")
    who_col.selectbox(
        "Move a Djangonaut",
        [c.email for c in ranked],
        key=MOVE_WHO,
        format_func=lambda e: f"{names[e]} ({draft['assignments'].get(e) or 'not placed'})",
    )
    to_col.selectbox("to", [NOT_PLACED, *team_names], key=MOVE_TO)
    button_col.button("Move", on_click=move_person, width="stretch", icon=":material/swap_horiz:")
    rows = pd.DataFrame(
        [
            {
                "email": c.email,
                "name": c.name or c.email,
                "rank": c.rank,
                "projects": ", ".join(c.project_preferences) or "Any",
                "experience": c.experience_level or "",
                "timezone": c.timezone or "",
                "team": draft["assignments"].get(c.email) or NOT_PLACED,
            }
            for c in ranked
        ]
    )
    edited = st.data_editor(
        rows,
        hide_index=True,
        width="stretch",
        key=f"team_editor_{ctx.session_id}_{ctx.version}_{draft['edit']}",
        disabled=["email", "name", "rank", "projects", "experience", "timezone"],
        column_config={
            "email": st.column_config.TextColumn("E-mail"),
            "name": st.column_config.TextColumn("Djangonaut"),
            "rank": st.column_config.NumberColumn("Rank", format="%d"),
            "projects": st.column_config.TextColumn("Projects chosen"),
            "experience": st.column_config.TextColumn("Experience"),
            "timezone": st.column_config.TextColumn("Time zone"),
            "team": st.column_config.SelectboxColumn("Team", options=[NOT_PLACED, *team_names], required=True),
        },
    )
    assignments = {e: (None if t == NOT_PLACED else t) for e, t in zip(edited["email"], edited["team"])}
    assignments |= {e: t for e, t in saved.items() if e not in assignments}  # hand-placed people who are not candidates
    draft["assignments"] = assignments
    key = draft_key(assignments)
    shown = loaders.derived(
        ctx, ("teams_draft_tables", key), lambda: team_charts.draft_tables(instance, assignments, names)
    )

    if shown.broken:
        st.warning(f"{shown.broken} rule{'s' if shown.broken != 1 else ''} broken:", icon=":material/rule:")
        plain_table(shown.violations)
    else:
        st.success("Every team meets every rule.", icon=":material/verified:")

    # --- Why the teams are as they are --------------------------------------------------------
    st.subheader("Teams")
    plain_table(shown.teams)
    with st.expander("Why each team is as it is"):
        st.text(shown.explanations)  # one element, however many teams
    if len(shown.unplaced):
        st.subheader(f"Not placed ({len(shown.unplaced)})")
        plain_table(shown.unplaced, column_config={"Why": st.column_config.TextColumn(width="large")})

    save(assignments, shown.broken)
    if shown.tightest:
        st.divider()
        week_grid(shown.tightest, assignments, key)
        balance_charts(assignments, key)


def save(assignments: dict[str, str | None], broken: int) -> None:
    """The Save button: writes the draft when it changed (and, if it breaks rules, once that is confirmed)."""
    changes = sum(1 for c in instance.candidates if assignments.get(c.email) != saved.get(c.email))
    confirm = True
    if broken and changes:
        confirm = st.checkbox(
            f"Save even though {broken} rule{'s' if broken != 1 else ''} break",
            key=f"teams_confirm_{ctx.version}",
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
            st.session_state[FLASH] = (
                f"Teams saved: {changes} Djangonaut{'s' if changes != 1 else ''} moved ({count} rows updated)."
            )
            st.session_state.pop(PROPOSAL, None)
            st.rerun()
    if not changes:
        st.caption("No changes to save.")


# --- Charts --------------------------------------------------------------------------------------
@st.fragment
def week_grid(tightest: list[str], assignments: dict[str, str | None], key: int) -> None:
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
        chart(
            ctx,
            ("teams_week_grid", key, tuple(shown_teams)),
            lambda: team_charts.common_hours_heatmap(
                team_charts.team_grid_frame(instance, assignments, only=shown_teams)
            ),
        )


def balance_charts(assignments: dict[str, str | None], key: int) -> None:
    """Size and experience mix, time-zone span and Navigator load of the draft's teams."""
    st.subheader("Balance of the teams")

    def balance() -> pd.DataFrame:
        return loaders.derived(
            ctx, ("teams_balance", key), lambda: team_charts.team_balance_frame(instance, assignments)
        )

    mix, span, load = st.columns(3)
    chart(
        ctx,
        ("teams_experience_mix", key),
        lambda: team_charts.experience_mix_chart(balance(), rules.min_team_size, rules.max_team_size),
        where=mix,
    )
    chart(ctx, ("teams_timezone_span", key), lambda: team_charts.timezone_span_chart(balance()), where=span)
    chart(
        ctx,
        ("teams_navigator_load", key),
        lambda: team_charts.navigator_load_chart(team_charts.navigator_load_frame(instance, assignments)),
        where=load,
    )


editor()

# --- Who carries each team (saved teams, from check-ins) -------------------------------------
# "This week" moves with the calendar, so the date is part of what names these.
contribution_key = (str(date.today()), repr(sorted(ctx.settings.section("wellbeing").items())))


def contribution() -> pd.DataFrame:
    """Each member's share of their saved team's hours: the Wellbeing page's team balance, without 'No team'."""
    balance = loaders.wellbeing_this_week(ctx).balance  # the Wellbeing page's, cached
    return balance[balance["team"] != "No team"]


def contribution_shown() -> tuple[bool, bool]:
    """Whether there are check-ins, and whether they give member shares to chart."""
    if not len(loaders.checkins(ctx)):
        return False, False
    return True, bool(len(contribution()))


has_checkins, has_contribution = loaders.derived(
    ctx, ("teams_contribution_shown", *contribution_key), contribution_shown
)
if has_checkins:
    st.subheader("Who carries each team")
    st.caption(
        "Each member's share of their team's weekly hours so far, from their mean hours per reported week "
        "(missed weeks are not zero), from check-ins (saved teams)."
    )
if has_contribution:
    chart(
        ctx,
        ("teams_contribution", *contribution_key),
        lambda: wellbeing_charts.team_balance_chart(contribution()).properties(
            title=alt.Title(
                "Hours each member contributes", subtitle="Orange: one person carries much more than an equal share"
            )
        ),
    )
