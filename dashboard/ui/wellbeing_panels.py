"""The Wellbeing page's parts: the check-on cards ("Show all"), the digest expander (its opt-out toggle), one
person's weeks (the person picker, "I checked in"), the team balance. The page runs the first three as
st.fragments, so their widgets redraw only them.

The fragments take what the page chose (the week, the rules, the queue) and read the rest through
loaders, cached per data version and viewer, so a warm rerun of a part reads only what it shows.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pandas as pd
import streamlit as st

from dashboard import access, digest, wellbeing
from dashboard.ui import loaders
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import arrow_datasets, chart, md_text, plain_table, rerun_saying
from dashboard.wellbeing import charts

SEVERITY_BADGE = {"high": ("High", "red"), "medium": ("Medium", "orange"), "low": ("Low", "blue")}
FLASH_KEY = "wellbeing_flash"
FIRST_CARDS = 15  # the most severe first; the rest behind "Show all" keeps the page quick for large cohorts


def check_on_cards(ctx: PageContext, week: int, thresholds: wellbeing.Thresholds, queue: pd.DataFrame) -> None:
    """One card per person with open signals, with their hours as a sparkline; "Show all" reruns only the cards."""
    cards = queue
    if len(queue) > FIRST_CARDS and not st.toggle(
        f"Show all {len(queue)}",
        key="wellbeing_show_all",
        help=f"Only the {FIRST_CARDS} most severe are shown by default.",
    ):
        cards = queue.head(FIRST_CARDS)
    sparklines = loaders.derived(
        ctx,
        ("sparklines", *_as_of(week, thresholds), len(cards)),  # the specs of every card in one read, with Arrow data
        lambda: _sparklines(loaders.wellbeing_week(ctx, week, thresholds).series, list(cards["email"])),
    )
    expected = f"Hours per week; dashed: {ctx.session.expected_hours:g} h expected"
    for person in cards.itertuples(index=False):
        with st.container(border=True):
            text, spark = st.columns([3, 1], vertical_alignment="center")
            with text:
                label, colour = SEVERITY_BADGE[person.severity]
                st.badge(label, color=colour)
                st.text(f"{person.name} · {person.team or 'in no team'}")
                for reason in person.reasons:
                    st.text(f"• {reason}")
            with spark:
                st.vega_lite_chart(spec=sparklines[person.email], theme=None)
                st.caption(expected)


def _sparklines(series: pd.DataFrame, emails: list[str]) -> dict[str, dict]:
    """Each person's hours sparkline as Vega-Lite, by e-mail."""
    return {e: arrow_datasets(charts.hours_sparkline_spec(series[series["email"] == e])) for e in emails}


def one_person(
    ctx: PageContext, week: int, thresholds: wellbeing.Thresholds, queue: pd.DataFrame, names: dict[str, str]
) -> None:
    """Pick a Djangonaut (those to check on first) and see their weeks; choosing someone reruns only this."""
    emails = list(queue["email"]) + sorted(set(names) - set(queue["email"]), key=lambda e: str(names.get(e)))
    chosen = st.selectbox(
        "Djangonaut",
        emails,
        index=None,
        placeholder="Choose a Djangonaut to see their weeks",
        format_func=lambda e: f"{names.get(e) or e} ({e})",
        key="wellbeing_person",
    )
    if chosen:
        _person_weeks(ctx, week, thresholds, chosen, names.get(chosen) or chosen)


def _person_weeks(ctx: PageContext, week: int, thresholds: wellbeing.Thresholds, chosen: str, name: str) -> None:
    """One person's figures, charts, signals, check-ins, notes and one-to-ones (the view is noted in the audit log)."""
    _, wb = loaders.wellbeing_data(ctx)
    shown_week = loaders.wellbeing_week(ctx, week, thresholds)
    team = wb.people.set_index("email").at[chosen, "team"]
    audit_key = f"wellbeing_viewed:{ctx.viewer.email}:{ctx.session_id}:{chosen}"
    if not st.session_state.get(audit_key):
        wellbeing.record_wellbeing_view(ctx.url, ctx.session_id, ctx.viewer.email, chosen)
        st.session_state[audit_key] = True
    series = shown_week.series
    mine = series[series["email"] == chosen]
    summary = wellbeing.person_summary(mine, wb.one_to_ones, chosen)
    a, b, c, d = st.columns(4)
    a.metric("Check-ins", f"{summary['checkins']} of {week}")
    b.metric(
        "Check-ins missed",
        summary["missed"],
        help="Weeks after their first check-in without one (holiday weeks do not count)",
    )
    c.metric(
        "Mean hours",
        "-" if summary["mean_hours"] is None else f"{summary['mean_hours']:g} h",
        help="Over the weeks they reported; missing weeks are unknown, not zero",
    )
    d.metric("One-to-ones held", summary["one_to_ones"])
    left, right = st.columns(2)
    chart(ctx, ("weekly_hours", *_as_of(week, thresholds), chosen), lambda: charts.weekly_hours_chart(mine), where=left)
    chart(
        ctx,
        ("energy_burnout", *_as_of(week, thresholds), chosen),
        lambda: charts.energy_burnout_chart(mine),
        where=right,
    )

    signals = shown_week.signals
    history = signals.history[signals.history["email"] == chosen]
    if len(history):
        st.write("Signals so far")
        shown = history.assign(
            signal=history["signal"].map(wellbeing.SIGNAL_LABELS),
            status=history["handled"].map({True: "handled", False: "open"}),
            rank=history["severity"].map(wellbeing.SEVERITY_RANK),
        )
        shown = shown.sort_values(["week", "rank"], ascending=False)
        plain_table(
            shown[["week", "signal", "severity", "status", "reason"]],
            column_config={
                "week": "Week",
                "signal": "Signal",
                "severity": "Severity",
                "status": "Status",
                "reason": st.column_config.TextColumn("Why", width="large"),
            },
        )
    may_read = access.may_read_notes(ctx.viewer, team)
    rows = wb.checkins[wb.checkins["email"] == chosen].sort_values("week")
    columns = ["week", "hours", "energy", "burnout", "blockers", "attended_standup", "wants_one_to_one"]
    st.write("Check-ins")
    plain_table(
        rows[[c for c in columns if c in rows]],
        column_config={
            "week": "Week",
            "hours": "Hours",
            "energy": "Energy (1-5)",
            "burnout": "Burnout (1-5)",
            "blockers": "Blockers",
            "attended_standup": "At stand-up",
            "wants_one_to_one": "Wants a one-to-one",
        },
    )
    if may_read:
        notes = rows[rows["notes"].fillna("").astype(str).str.strip() != ""] if "notes" in rows else rows.iloc[0:0]
        with st.expander(f"Notes ({len(notes)}), visible only to their Captain and the organisers"):
            if notes.empty:
                st.text("No notes.")
            for _, note in notes.iterrows():
                st.caption(f"Week {int(note['week'])}")
                st.text(str(note["notes"]))
    held = wb.one_to_ones[wb.one_to_ones["email"] == chosen].sort_values("held_on")
    st.write("One-to-ones held")
    if held.empty:
        st.text("None recorded yet.")
    else:
        plain_table(
            held[["held_on", "captain", "note"] if may_read else ["held_on", "captain"]],
            column_config={"held_on": "Held on", "captain": "Recorded by", "note": "Note"},
        )
    if may_read:
        _i_checked_in(ctx, chosen, name)


def _i_checked_in(ctx: PageContext, chosen: str, name: str) -> None:
    """The form a Captain or organiser records a one-to-one with; the whole page reruns to show it handled."""
    with st.form("one_to_one", clear_on_submit=True):
        st.text(f"I checked in with {name}")  # a name from a form: plain text
        held_on = st.date_input("Date of the one-to-one", value=date.today(), max_value=date.today())
        note = st.text_area(
            "Short note (only their Captain and the organisers can read it)",
            max_chars=wellbeing.MAX_NOTE_LENGTH,
            height=80,
        )
        if st.form_submit_button("Record one-to-one", type="primary"):
            try:
                wellbeing.record_one_to_one(ctx.url, ctx.session_id, chosen, ctx.viewer, held_on, note)
            except (ValueError, PermissionError) as exc:
                st.error(md_text(exc))
            else:
                rerun_saying(  # the whole page: the cards change too
                    FLASH_KEY,
                    f"One-to-one with {md_text(name)} on {held_on:%d %b %Y} recorded; their current signals are "
                    "marked handled.",
                )


def roster(ctx: PageContext) -> tuple[dict[str, str], int]:
    """(e-mail -> name of each Djangonaut this viewer may see, the e-mail when unnamed; this week of the session),
    once per data version and day."""
    return loaders.derived(ctx, ("wellbeing_roster", date.today()), lambda: _roster(ctx))


def _roster(ctx: PageContext) -> tuple[dict[str, str], int]:
    """roster(ctx), computed."""
    _, wb = loaders.wellbeing_data(ctx)  # filtered for this viewer where it is loaded
    names = {e: (n if isinstance(n, str) and n.strip() else e) for e, n in zip(wb.people["email"], wb.people["name"])}
    return names, wellbeing.default_week(wb.checkins, ctx.session)  # later weeks have not happened yet


class WeekFigures(NamedTuple):
    """What the page shows as of a week besides the cards and one person: small, so a rerun reads little."""

    handled: int  # current signals already followed up by a one-to-one
    has_hours: bool  # anyone reported hours, so the team balance chart has something to show
    carrying: list[str]  # who carries their team, one sentence each
    load: pd.DataFrame  # Navigator and Captain load, as shown
    over: list[str]  # Navigators guiding more Djangonauts than the limit, one warning each


def week_figures(ctx: PageContext, week: int, thresholds: wellbeing.Thresholds) -> WeekFigures:
    """The handled count, team balance sentences and staff load as of a week, once per data version."""
    return loaders.derived(
        ctx, ("week_figures", *_as_of(week, thresholds)), lambda: _week_figures(ctx, week, thresholds)
    )


def _as_of(week: int, thresholds: wellbeing.Thresholds) -> tuple[int, str]:
    """What a cached part depends on besides the data and the viewer: the week and the rules, as their repr
    (hashed in microseconds; Streamlit takes 0.4 ms to hash the dataclass)."""
    return week, repr(thresholds)


def _week_figures(ctx: PageContext, week: int, thresholds: wellbeing.Thresholds) -> WeekFigures:
    """week_figures, computed from loaders.wellbeing_week."""
    shown = loaders.wellbeing_week(ctx, week, thresholds)
    current, balance, load = shown.signals.current, shown.balance, shown.load
    carrying = [
        f"{row['name']} works {row['share']:.0%} of {row['team']}'s hours in a typical week, from their "
        f"mean of {row['mean_hours']:.1f} h per reported week (an equal share would be {row['equal_share']:.0%})."
        for _, row in balance[balance["carrying"]].iterrows()
    ]
    over = [
        f"{md_text(row['name'])} guides {row['djangonauts']} Djangonauts; a Navigator looks after at most {int(row['limit'])}."
        for _, row in load[load["over_limit"]].iterrows()
    ]
    shown_load = load.assign(
        limit=load["limit"].map(lambda v: "" if pd.isna(v) else f"at most {int(v)}"),
        one_to_ones=load["one_to_ones"].map(lambda v: "" if pd.isna(v) else str(int(v))),
    ).drop(columns=["email", "over_limit"])
    handled = int(current["handled"].sum()) if len(current) else 0
    return WeekFigures(handled, bool(balance["share"].notna().any()), carrying, shown_load, over)


def team_balance(ctx: PageContext, week: int, thresholds: wellbeing.Thresholds, figures: WeekFigures) -> None:
    """Each team's share of hours by member, who carries their team, and Navigator and Captain load."""
    if not figures.has_hours:
        st.text("No hours reported yet.")
    else:
        chart(
            ctx,
            ("team_balance", *_as_of(week, thresholds)),
            lambda: charts.team_balance_chart(loaders.wellbeing_week(ctx, week, thresholds).balance),
        )
        for sentence in figures.carrying:
            st.text(sentence)
    if len(figures.load):
        st.write("Navigator and Captain load")
        plain_table(
            figures.load,
            column_config={
                "name": "Name",
                "role": "Role",
                "teams": "Teams",
                "djangonauts": "Djangonauts",
                "limit": "Navigator limit",
                "one_to_ones": "One-to-ones held",
                "open_signals": "Open signals",
            },
        )
        for warning in figures.over:
            st.warning(warning)


def digest_expander(ctx: PageContext) -> None:
    """The digests sent lately (organisers: every recipient; others: their own) and the viewer's opt-out;
    the toggle reruns only this."""
    sent = digest.last_sent(ctx.url, ctx.session_id, ctx.viewer)
    with st.expander(digest.last_sent_label(sent, ctx.viewer), icon=":material/mail:"):
        if len(sent):
            plain_table(
                sent,
                column_config={
                    "recipient": "To",
                    "kind": "Digest",
                    "week": "Week",
                    "sent_at": "Sent (UTC)",
                    "djangonauts": "Djangonauts named",
                },
            )
        if digest.is_address(ctx.viewer.email):  # local mode has no address to send to
            st.toggle(
                "E-mail me the weekly digest",
                value=not digest.is_opted_out(ctx.url, ctx.viewer.email),
                key="digest_on",
                on_change=lambda: digest.set_opted_out(
                    ctx.url, ctx.viewer.email, not st.session_state["digest_on"], actor=ctx.viewer.email
                ),
            )
