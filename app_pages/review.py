"""Review: score applications one at a time, blind by default; others' scores only after your own."""

import pandas as pd
import streamlit as st

from dashboard import review, reviewing
from dashboard.availability import count_hours
from dashboard.criteria import load_criteria
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import empty_state, md_text, plain_table, rerun_saying, say_once, stop_without_session

ctx = page_context("review")
st.title("Review")

stop_without_session(ctx, "applications")

criteria = load_criteria(ctx.settings)
me = ctx.viewer.email
blind = ctx.session.blind_review
SKIPPED, CURRENT, FLASH = f"review_skipped_{ctx.session_id}", f"review_current_{ctx.session_id}", "review_flash"

# --- Blind mode (organisers decide for the whole session) --------------------------------------
if ctx.viewer.is_organiser:
    wanted = st.toggle(
        "Blind review",
        value=blind,
        key=f"blind_{ctx.session_id}_{ctx.version}",
        help="On: reviewers do not see names, e-mails, GitHub, pronouns, country or demographic answers. "
        "Applies to every reviewer of this session.",
    )
    if wanted != blind:
        reviewing.set_blind_review(ctx.url, ctx.session_id, wanted, me)
        st.rerun()
st.caption(
    "Blind review is on: who applied is hidden, only the answers that matter are shown."
    if blind
    else "Blind review is off: names and contact details are shown."
)

applications = loaders.applications(ctx, blind=blind)
reviews = loaders.table(ctx, "reviews")
if applications.empty:
    empty_state(
        "There are no applications in this session yet.", "Import the application form's responses on the Data page."
    )
    st.stop()

done = loaders.derived(ctx, ("review_progress", blind), lambda: reviewing.progress(applications, reviews, me))
st.progress(
    done.fraction, text=done.label + (f" · {done.conflicts} conflicts of interest declared" if done.conflicts else "")
)
say_once(FLASH)

# --- Which application: next in the queue, or one of your own reviews to edit -----------------
skipped = st.session_state.setdefault(SKIPPED, [])
queue = loaders.derived(
    ctx, ("review_queue", blind, tuple(skipped)), lambda: reviewing.review_queue(applications, reviews, me, skipped)
)
mine = reviews[reviews["reviewer"].str.lower() == me] if not reviews.empty else reviews
editable = [] if mine.empty else list(mine.loc[~mine["conflict_of_interest"].fillna(False).astype(bool), "response_id"])
NEXT = "Next in my queue"
choice = st.selectbox(
    "Application",
    [NEXT] + editable,
    key=CURRENT,
    format_func=lambda rid: rid if rid == NEXT else f"Edit my review of {rid}",
    help="The queue serves the application with the fewest reviews first.",
)
response_id = (queue[0] if queue else None) if choice == NEXT else choice
if response_id is None:
    st.success("You have reviewed every application you can. Thank you!", icon=":material/celebration:")
    st.stop()

application = applications[applications["response_id"] == response_id].iloc[0].to_dict()
own = reviewing.own_review(reviews, me, response_id)
left, right = st.columns([3, 2], gap="large")

with left:
    st.subheader(f"Application {md_text(response_id)}")
    if choice == NEXT:
        st.caption(f"{len(queue)} left in your queue" + (f", {len(skipped)} skipped for later" if skipped else ""))
    facts = {
        "Name": application.get("name"),
        "E-mail": application.get("email"),
        "GitHub": application.get("github"),
        "Experience": application.get("experience_level"),
        "Django": application.get("django_experience"),
        "Contributed to open source before": application.get("contributed_before"),
        "Projects": ", ".join(application.get("project_preferences") or []) or "No preference",
        "Hours a week": application.get("hours_available"),
        "Hours free a week (availability grid)": count_hours(application["availability"])
        if isinstance(application.get("availability"), list)
        else None,
        "Contribution tutorial completed": application.get("tutorial_completed"),
    }
    shown = {
        k: ("Yes" if v is True else "No" if v is False else f"{v:g}" if isinstance(v, float) else str(v))
        for k, v in facts.items()
        if k in ("Projects",) or (v is not None and not (isinstance(v, float) and pd.isna(v)))
    }
    shown = {k: v for k, v in shown.items() if not (k in ("Name", "E-mail", "GitHub") and blind)}
    plain_table(pd.DataFrame({"Question": list(shown), "Answer": list(shown.values())}))
    for label, field in (
        ("Why do you want to join?", "motivation"),
        ("A time you got stuck", "resilience"),
        ("Community involvement", "community"),
    ):
        st.markdown(f"**{label}**")
        st.text(str(application.get(field) or "(no answer)"))  # applicant text: never Markdown

with right:
    st.subheader("Your review")
    if own is not None:
        saved_at = pd.to_datetime(own.get("updated_at"))
        st.caption(
            (f"Saved {saved_at:%Y-%m-%d %H:%M} UTC" if pd.notna(saved_at) else "Saved") + "; saving again replaces it."
        )
    saved_scores = (own or {}).get("scores") or {}
    with st.form(f"review_form_{response_id}"):
        scores = {}
        for c in criteria:
            options = list(range(c.low, c.high + 1))
            current = saved_scores.get(c.name)
            scores[c.name] = st.radio(
                c.label + (f" (weight {c.weight:g})" if c.weight != 1 else ""),
                options,
                horizontal=True,
                index=options.index(current) if current in options else None,
                key=f"score_{response_id}_{c.name}",
            )
        comment = st.text_area(
            "Comment (optional)", value=(own or {}).get("comment") or "", key=f"comment_{response_id}"
        )
        conflict = st.checkbox(
            "I have a conflict of interest (I know this person or cannot be impartial)",
            key=f"conflict_{response_id}",
            help="The application leaves your queue and you will not see its scores.",
        )
        submitted = st.form_submit_button("Save review", type="primary", icon=":material/save:")
    if submitted:
        try:
            saved = reviewing.save_review(
                ctx.url,
                ctx.session_id,
                response_id,
                me,
                None if conflict else scores,
                comment,
                conflict,
                criteria=criteria,
            )
        except review.ReviewError as exc:
            st.error(md_text(exc))
        else:
            if response_id in skipped:
                skipped.remove(response_id)
            rerun_saying(
                FLASH,
                f"Conflict of interest recorded for {md_text(response_id)}."
                if saved.conflict
                else f"Review of {md_text(response_id)} saved (score {saved.overall:.2f}).",
            )
    if choice == NEXT and st.button(
        "Skip for now", icon=":material/skip_next:", help="Moves this application to the end of your queue."
    ):
        skipped.append(response_id)
        st.rerun()

    others = reviewing.other_reviews_visible(reviews, me, response_id)
    st.subheader("Other reviewers")
    if own is None:
        st.caption("Other reviewers' scores stay hidden until you have saved your own.")
    elif others.empty:
        st.caption("Nobody else has reviewed this application yet.")
    else:
        scored = review.scored_reviews(others, criteria)
        table = scored[["reviewer", "score"] + [review.SCORE_PREFIX + c.name for c in criteria]]
        table = table.rename(
            columns={review.SCORE_PREFIX + c.name: c.label for c in criteria}
            | {"reviewer": "Reviewer", "score": "Score"}
        )
        plain_table(table.round(2))
        comments = others.loc[others["comment"].fillna("").str.strip() != "", ["reviewer", "comment"]]
        if len(comments):
            plain_table(comments.rename(columns={"reviewer": "Reviewer", "comment": "Comment"}))

# --- Your reviews so far -------------------------------------------------------------------------
with st.expander(f"Your reviews ({done.reviewed})"):
    if mine.empty:
        st.caption("None yet.")
    else:
        own_scores = review.scored_reviews(mine, criteria).set_index("response_id")["score"]
        listing = pd.DataFrame(
            {
                "Application": mine["response_id"],
                "Score": mine["response_id"].map(own_scores).round(2),
                "Conflict of interest": mine["conflict_of_interest"].fillna(False).astype(bool),
                "Saved (UTC)": mine["updated_at"],
            }
        ).sort_values("Saved (UTC)", ascending=False)
        plain_table(listing)
