"""Wellbeing: who to check on this week and why, each person's weeks, one-to-ones, team balance."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import access, digest, wellbeing
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import arrow_datasets, chart, empty_state, md_text, plain_table, stop_without_session
from dashboard.wellbeing import charts

SEVERITY_BADGE = {"high": ("High", "red"), "medium": ("Medium", "orange"), "low": ("Low", "blue")}
FLASH_KEY = "wellbeing_flash"
FIRST_CARDS = 15  # the most severe first; the rest behind "Show all" keeps the page quick for large cohorts

ctx = page_context("wellbeing")
st.title("Wellbeing")
stop_without_session(ctx, "check-ins")

session, wb = loaders.wellbeing_data(ctx)  # filtered for this viewer where it is loaded, cached by data version
thresholds = wellbeing.load_thresholds(ctx.settings)
if wb.people.empty:
    empty_state(
        "No Djangonauts to show for you in this session.",
        "Captains see their own teams once teams are saved on the Teams page; organisers see everyone.",
    )
    st.stop()

this_week = wellbeing.default_week(wb.checkins, session)  # later weeks have not happened yet
week = st.columns([1, 2])[0].select_slider(
    "As of week",
    options=list(range(1, this_week + 1)),
    value=this_week,
    key="wellbeing_week",
    help="Signals use the check-ins up to this week; later one-to-ones are ignored when looking back.",
)
shown_week = loaders.wellbeing_week(ctx, week, thresholds)  # cached: signals, series, balance, load
signals, series = shown_week.signals, shown_week.series
scope = (
    "all teams" if ctx.viewer.is_organiser else ", ".join(sorted(ctx.viewer.captain_of))
)  # Captains: their own teams
st.caption(
    f"{md_text(ctx.session.name)} · week {week} of {session.weeks} · {len(wb.people)} Djangonauts ({md_text(scope)}) · "
    f"about {session.expected_hours:g} h a week expected. Health comes before contributions."
)
if st.session_state.get(FLASH_KEY):
    st.success(st.session_state.pop(FLASH_KEY), icon=":material/check_circle:")


@st.fragment
def check_on_cards(queue: pd.DataFrame) -> None:
    """One card per person with open signals; "Show all" reruns only the cards."""
    cards = queue
    if len(queue) > FIRST_CARDS and not st.toggle(
        f"Show all {len(queue)}",
        key="wellbeing_show_all",
        help=f"Only the {FIRST_CARDS} most severe are shown by default.",
    ):
        cards = queue.head(FIRST_CARDS)
    sparklines = loaders.derived(
        ctx,
        ("sparklines", week, thresholds, len(cards)),  # once per data version, sent as Arrow
        lambda: {
            email: arrow_datasets(charts.hours_sparkline_spec(series[series["email"] == email]))
            for email in cards["email"]
        },
    )
    for _, person in cards.iterrows():
        with st.container(border=True):
            text, spark = st.columns([3, 1], vertical_alignment="center")
            with text:
                label, colour = SEVERITY_BADGE[person["severity"]]
                st.badge(label, color=colour)
                st.text(f"{person['name']} · {person['team']}")
                for reason in person["reasons"]:
                    st.text(f"• {reason}")
            with spark:
                st.vega_lite_chart(spec=sparklines[person["email"]], theme=None)
                st.caption(f"Hours per week; dashed: {session.expected_hours:g} h expected")


# --- Who to check on this week -----------------------------------------------------------
st.subheader("Who to check on this week")
queue = loaders.who_to_check_on(ctx, week, thresholds)  # names with reasons: noted in the audit log
handled = int(signals.current["handled"].sum()) if len(signals.current) else 0
if queue.empty:
    st.success("Nobody needs a check-in right now: no open signals. Keep the regular one-to-ones going.")
if handled:
    st.caption(
        f"{handled} current signals were already followed up by a one-to-one; they come back if a later "
        "check-in shows the same pattern."
    )
if not queue.empty:
    st.write(
        f"{len(queue)} {'Djangonaut' if len(queue) == 1 else 'Djangonauts'} with open signals, most severe first. "
        "Recording a one-to-one below marks their signals handled until a new check-in shows the pattern again."
    )
    check_on_cards(queue)


# --- The weekly e-mail digest (sent by `python -m dashboard digest send`) ---------------------
sent = digest.last_sent(ctx.url, ctx.session_id, ctx.viewer)  # organisers: every recipient; a Captain: their own
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

# --- One person ----------------------------------------------------------------------------
st.subheader("One person")


@st.fragment
def one_person() -> None:
    """One Djangonaut's weeks: choosing someone reruns only this part of the page."""
    names = {e: (n if isinstance(n, str) and n.strip() else e) for e, n in zip(wb.people["email"], wb.people["name"])}
    emails = list(queue["email"]) + sorted(
        set(wb.people["email"]) - set(queue["email"]), key=lambda e: str(names.get(e))
    )
    chosen = st.selectbox(
        "Djangonaut",
        emails,
        index=None,
        placeholder="Choose a Djangonaut to see their weeks",
        format_func=lambda e: f"{names.get(e) or e} ({e})",
        key="wellbeing_person",
    )
    if not chosen:
        return
    team = wb.people.set_index("email").at[chosen, "team"]
    audit_key = f"wellbeing_viewed:{ctx.viewer.email}:{ctx.session_id}:{chosen}"
    if not st.session_state.get(audit_key):
        wellbeing.record_wellbeing_view(ctx.url, ctx.session_id, ctx.viewer.email, chosen)
        st.session_state[audit_key] = True
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
    chart(ctx, ("weekly_hours", week, thresholds, chosen), lambda: charts.weekly_hours_chart(mine), where=left)
    chart(ctx, ("energy_burnout", week, thresholds, chosen), lambda: charts.energy_burnout_chart(mine), where=right)

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

    # --- I checked in ------------------------------------------------------------------
    if may_read:
        with st.form("one_to_one", clear_on_submit=True):
            st.text(f"I checked in with {names.get(chosen) or chosen}")  # a name from a form: plain text
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
                    st.session_state[FLASH_KEY] = (
                        f"One-to-one with {md_text(names.get(chosen) or chosen)} on {held_on:%d %b %Y} "
                        "recorded; their current signals are marked handled."
                    )
                    st.rerun()


one_person()

# --- Team balance --------------------------------------------------------------------------
st.subheader("Team balance")
balance = shown_week.balance
if not balance["share"].notna().any():
    st.text("No hours reported yet.")
else:
    chart(ctx, ("team_balance", week, thresholds), lambda: charts.team_balance_chart(balance))
    carrying = balance[balance["carrying"]]
    for _, row in carrying.iterrows():
        st.text(
            f"{row['name']} works {row['share']:.0%} of {row['team']}'s hours in a typical week, from their "
            f"mean of {row['mean_hours']:.1f} h per reported week (an equal share would be {row['equal_share']:.0%})."
        )
load = shown_week.load
if len(load):
    st.write("Navigator and Captain load")
    shown = load.assign(
        limit=load["limit"].map(lambda v: "" if pd.isna(v) else f"at most {int(v)}"),
        one_to_ones=load["one_to_ones"].map(lambda v: "" if pd.isna(v) else str(int(v))),
    )
    plain_table(
        shown.drop(columns=["email", "over_limit"]),
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
    over = load[load["over_limit"]]
    for _, row in over.iterrows():
        st.warning(
            f"{md_text(row['name'])} guides {row['djangonauts']} Djangonauts; a Navigator looks after at most {int(row['limit'])}."
        )
