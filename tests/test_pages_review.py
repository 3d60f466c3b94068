"""Review and Selection pages: AppTest flows through the real app, and a look in real Chromium."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from streamlit.testing.v1 import AppTest

from dashboard import access, db as dbmod, models, reads
from dashboard.config import EXAMPLE_CONFIG_PATH, PROJECT_ROOT

REVIEWER = "reviewer1@example.org"
UNREVIEWED = 12  # applications the demo reviewer has still to review (dashboard.demo)
CRITERIA = ("motivation", "resilience", "knowledge", "availability", "community")


def _session_id(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


@pytest.fixture
def review_url(demo_url, monkeypatch):
    """The demo database (its demo reviewer is part-way through), used by the app under test."""
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", demo_url)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(EXAMPLE_CONFIG_PATH))
    return demo_url


def app_as(persona: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["demo_viewer"] = persona
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page as text, markdown, captions and tables."""
    parts = [e.value for e in at.text] + [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value.to_csv() for e in at.dataframe]
    return "\n".join(str(p) for p in parts)


def progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def save_button(at: AppTest):
    return next(b for b in at.button if b.label == "Save review")


def reviews_of(url: str, reviewer: str = REVIEWER):
    reviews = reads.load_table(url, _session_id(url), "reviews")
    return reviews[reviews["reviewer"] == reviewer].set_index("response_id")


# --- Review ------------------------------------------------------------------------------------


def test_reviewer_reviews_blind_and_the_save_persists(review_url):
    at = app_as("Reviewer").run()  # the Review page is a reviewer's first page
    assert not at.exception
    assert at.title[0].value == "Review"
    assert progress_text(at) == f"{90 - UNREVIEWED} / 90 reviewed"
    response_id = at.subheader[0].value.removeprefix("Application ")
    applicant = (
        reads.load_table(review_url, _session_id(review_url), "applications").set_index("response_id").loc[response_id]
    )
    page = texts(at)
    for hidden in (applicant["name"], applicant["email"], applicant["github"], applicant["country"]):
        assert hidden not in page  # blind review: who applied is not on the page
    assert applicant["motivation"] in [t.value for t in at.text]  # answers that matter, as plain text
    assert "stay hidden until you have saved your own" in page

    for radio, value in zip(at.radio, (4, 3, 5, 2, 4)):
        radio.set_value(value)
    at.text_area[0].input("Clear motivation; ask about availability.")
    save_button(at).click()
    at.run()
    assert not at.exception and not at.error
    assert f"Review of {response_id} saved" in at.success[0].value
    assert progress_text(at) == f"{90 - UNREVIEWED + 1} / 90 reviewed"
    assert at.subheader[0].value != f"Application {response_id}"  # the queue moved on

    saved = reviews_of(review_url).loc[response_id]
    assert saved["scores"] == {"motivation": 4, "resilience": 3, "knowledge": 5, "availability": 2, "community": 4}
    assert saved["comment"] == "Clear motivation; ask about availability."

    # A fresh session (a reload) finds the review, with the scores filled in and others' scores now visible.
    again = app_as("Reviewer").run()
    again.selectbox(key="review_current_6").set_value(response_id).run()
    assert [r.value for r in again.radio] == [4, 3, 5, 2, 4]
    assert again.text_area[0].value == "Clear motivation; ask about availability."
    reviews = reads.load_table(review_url, _session_id(review_url), "reviews")
    others = set(reviews.loc[(reviews["response_id"] == response_id) & (reviews["reviewer"] != REVIEWER), "reviewer"])
    if others:
        assert all(other in texts(again) for other in others)
    else:
        assert "Nobody else has reviewed this application yet." in texts(again)
    assert "stay hidden until you have saved your own" not in texts(again)


def test_editing_replaces_the_review(review_url):
    at = app_as("Reviewer").run()
    edited = next(o for o in at.selectbox(key="review_current_6").options if o.startswith("Edit"))
    response_id = edited.removeprefix("Edit my review of ")
    at.selectbox(key="review_current_6").set_value(response_id).run()
    for radio in at.radio:
        radio.set_value(1)
    save_button(at).click()
    at.run()
    assert not at.error
    assert reviews_of(review_url).loc[response_id, "scores"] == {c: 1 for c in CRITERIA}
    assert progress_text(at) == f"{90 - UNREVIEWED} / 90 reviewed"  # an edit is not a new review


def test_missing_scores_are_refused_with_a_sentence(review_url):
    at = app_as("Reviewer").run()
    at.radio[0].set_value(3)
    save_button(at).click()
    at.run()
    assert "Score every criterion" in at.error[0].value
    assert len(reviews_of(review_url)) == 90 - UNREVIEWED


def test_skip_and_conflict_of_interest(review_url):
    at = app_as("Reviewer").run()
    first = at.subheader[0].value
    next(b for b in at.button if b.label == "Skip for now").click()
    at.run()
    second = at.subheader[0].value
    assert second != first
    conflicted = second.removeprefix("Application ")
    next(c for c in at.checkbox if c.label.startswith("I have a conflict")).check()
    save_button(at).click()
    at.run()
    assert f"Conflict of interest recorded for {conflicted}" in at.success[0].value
    assert "1 conflicts of interest declared" in progress_text(at)
    assert f"Edit my review of {conflicted}" not in at.selectbox(key="review_current_6").options
    row = reviews_of(review_url).loc[conflicted]
    assert bool(row["conflict_of_interest"]) and row["scores"] is None
    assert at.subheader[0].value not in (first, second)  # the skipped one waits at the end of the queue


def test_applicant_text_is_never_markdown(review_url):
    hostile = reads.load_table(review_url, _session_id(review_url), "applications")
    hostile = hostile[hostile["motivation"].str.contains("<script>", regex=False)]["response_id"].iloc[0]
    from dashboard import reviewing

    reviewing.save_review(review_url, _session_id(review_url), hostile, REVIEWER, {c: 3 for c in CRITERIA}, "", False)
    at = app_as("Reviewer").run()
    at.selectbox(key="review_current_6").set_value(hostile).run()
    assert at.subheader[0].value == f"Application {hostile}"
    assert any("<script>" in t.value for t in at.text)
    assert not any("<script>" in m.value or "javascript:" in m.value for m in at.markdown)


def test_organiser_turns_blind_review_off(review_url):
    at = app_as("Organiser").run()
    at.switch_page("app_pages/review.py").run()
    assert not at.exception
    at.toggle[0].set_value(False).run()
    frame = reads.sessions_frame(review_url)
    assert not bool(frame.loc[frame["name"] == "2026 Session 6", "blind_review"].iloc[0])
    with OrmSession(dbmod.get_engine(review_url)) as db:
        assert (
            db.scalar(select(models.AuditEntry.detail).where(models.AuditEntry.action == "blind_review_changed"))
            == "off"
        )


def test_captains_and_navigators_cannot_open_review_or_selection():
    for roles in ({access.CAPTAIN}, {access.NAVIGATOR}):
        viewer = access.Viewer("c@example.org", frozenset(roles))
        assert not access.may_open(viewer, "review") and not access.may_open(viewer, "selection")
    reviewer = access.Viewer("r@example.org", frozenset({access.REVIEWER}))
    assert access.may_open(reviewer, "review") and not access.may_open(reviewer, "selection")


# --- Selection ---------------------------------------------------------------------------------


def selection_page(url: str) -> AppTest:
    at = app_as("Organiser").run()
    at.switch_page("app_pages/selection.py").run()
    assert not at.exception
    return at


def test_organiser_sees_ranked_table_alpha_and_calibration(review_url):
    at = selection_page(review_url)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Applications"] == "90"
    alpha = float(metrics["Krippendorff's alpha"])
    assert -1 <= alpha <= 1
    words = " ".join(m.value for m in at.markdown)
    assert any(word in words for word in ("Reliable", "Tentative", "Weak"))
    calibration = next(d.value for d in at.dataframe if "Strictness" in d.value.columns)
    assert set(calibration["Reviewer"]) == {"reviewer1@example.org", "reviewer2@example.org", "reviewer3@example.org"}
    assert {b.label for b in at.get("download_button")} == {
        "Decisions CSV (Djangonaut Space import)",
        "Full CSV for organisers",
    }


def test_organiser_decides_in_bulk_and_capacity_warns_before_overfilling(review_url):
    sid = _session_id(review_url)
    decisions = reads.load_table(review_url, sid, "decisions").set_index("response_id")
    pending = list(decisions[decisions["status"] == "pending"].index)
    at = selection_page(review_url)
    bulk = next(m for m in at.multiselect if m.label == "Applications")
    bulk.set_value([pending[0]])
    next(s for s in at.selectbox if s.label == "Status").set_value("accepted")
    next(b for b in at.button if b.label == "Apply to the chosen applications").click()
    at.run()
    assert not at.exception and not at.error
    assert (
        reads.load_table(review_url, sid, "decisions").set_index("response_id").loc[pending[0], "status"] == "accepted"
    )
    with OrmSession(dbmod.get_engine(review_url)) as db:
        audit = db.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "decision_changed")).all()
    assert [(a.subject, a.actor) for a in audit] == [(pending[0], "organiser1@example.org")]

    # 19 accepted of 24 places: accepting every waitlisted application would overfill, so nothing is saved.
    waitlisted = list(decisions[decisions["status"] == "waitlisted"].index)
    next(m for m in at.multiselect if m.label == "Applications").set_value(waitlisted)
    next(s for s in at.selectbox if s.label == "Status").set_value("accepted")
    next(b for b in at.button if b.label == "Apply to the chosen applications").click()
    at.run()
    assert any("over capacity" in w.value and "Nothing was saved" in w.value for w in at.warning)
    after = reads.load_table(review_url, sid, "decisions")
    assert (after["status"] == "accepted").sum() == 19


def test_exports_neutralise_formulas(review_url):
    at = selection_page(review_url)
    buttons = {b.label: b for b in at.get("download_button")}
    assert buttons  # the page offers both downloads; their content comes from dashboard.selection
    from dashboard import review, selection
    from dashboard.criteria import load_criteria
    from dashboard.config import load_settings

    settings = load_settings(EXAMPLE_CONFIG_PATH)
    sid = _session_id(review_url)
    apps = reads.load_table(review_url, sid, "applications")
    stats = review.review_stats(
        reads.load_table(review_url, sid, "reviews"), load_criteria(settings), settings, apps["response_id"]
    )
    ranked = selection.ranked_table(apps, stats, reads.load_table(review_url, sid, "decisions"))
    rows = list(csv.DictReader(io.StringIO(selection.full_csv(ranked, stats))))
    assert any(r["community"].startswith("'=HYPERLINK") for r in rows)
    header = selection.decisions_csv(ranked, stats).splitlines()[0]
    assert header == "Response ID,Score,Selection Rank"


# --- In real Chromium -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review_server(_demo_db_template, tmp_path_factory):
    """Our own `streamlit run` (this test writes), on a copy of the demo."""
    from tests.browser_support import demo_copy_server

    with demo_copy_server(_demo_db_template, tmp_path_factory.mktemp("review-browser")) as server:
        yield server


def switch_persona(page, label: str) -> None:
    """choose_persona, retried: on a busy machine the switcher is briefly drawn twice during the rerun."""
    from tests.browser_support import choose_persona, wait_for_app

    for attempt in range(3):
        try:
            choose_persona(page, label)
            return
        except AssertionError:
            page.wait_for_timeout(1000)
            wait_for_app(page)
            if page.get_by_role("combobox", name="Viewing as (demo mode)").first.input_value() == label:
                return
    choose_persona(page, label)


def test_review_and_selection_in_chromium(review_server, page):
    from playwright.sync_api import expect

    from tests.browser_support import assert_no_exception, open_page, screenshot, shown, wait_for_app

    base, url = review_server
    open_page(page, base)
    switch_persona(page, "Reviewer")  # Review is a reviewer's only page, so the app opens it
    page.get_by_text("/ 90 reviewed").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "review-blind")
    assert shown(page.get_by_text(f"{90 - UNREVIEWED} / 90 reviewed").first)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    form = page.locator("[data-testid='stForm']").first
    for group in form.locator("[data-testid='stRadio']").all():
        option = group.get_by_role("radio", name="4", exact=True)
        option.check(force=True)  # the input is visually hidden behind its styled label
        expect(option).to_be_checked()
    form.locator("textarea").fill("Saved from Chromium.")
    form.get_by_role("button", name="Save review").click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    screenshot(page, "review-after-save")
    assert shown(page.get_by_text("saved (score 4.00)").first)
    assert shown(page.get_by_text(f"{90 - UNREVIEWED + 1} / 90 reviewed").first)
    reviews = reads.load_table(url, _session_id(url), "reviews")
    assert (reviews["comment"] == "Saved from Chromium.").sum() == 1

    switch_persona(page, "Organiser")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Selection").click()
    wait_for_app(page)
    assert_no_exception(page)
    assert shown(page.get_by_text("Krippendorff's alpha").first)
    screenshot(page, "selection-organiser")
    downloads = page.get_by_test_id("stDownloadButton")
    # the exports are drawn last on a long page: wait for them (a busy machine draws it in several steps)
    expect(downloads.filter(has_text="Decisions CSV (Djangonaut Space import)")).to_have_count(1, timeout=30_000)
    expect(downloads.filter(has_text="Full CSV for organisers")).to_have_count(1, timeout=30_000)
    with page.expect_download() as download:
        downloads.filter(has_text="Decisions CSV").click()
    assert download.value.path().read_text().splitlines()[0] == "Response ID,Score,Selection Rank"

    # Edit one decision in the table: the best-ranked application goes from its status to 'waitlisted'.
    sid = _session_id(url)
    top = reads.load_table(url, sid, "applications")  # the table's first row is the best normalised score
    from dashboard import review, selection
    from dashboard.config import load_settings
    from dashboard.criteria import load_criteria

    settings = load_settings(EXAMPLE_CONFIG_PATH)
    stats = review.review_stats(
        reads.load_table(url, sid, "reviews"), load_criteria(settings), settings, top["response_id"]
    )
    first = selection.ranked_table(top, stats, reads.load_table(url, sid, "decisions"))["response_id"].iloc[0]
    grid = (
        page.locator("[data-testid='stForm']").filter(has_text="Save decisions").locator("[data-testid='stDataFrame']")
    )
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    waitlisted = page.get_by_role("option", name="waitlisted", exact=True)
    for _ in range(3):  # on a busy machine the first click may only focus the grid: try again
        page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)  # first row, '#' column
        page.wait_for_timeout(300)
        for _ in range(3):  # -> Response ID, Name, Status
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            waitlisted.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    screenshot(page, "selection-editing")
    waitlisted.click()
    page.wait_for_timeout(800)  # let the grid commit the edit before the form is submitted
    page.get_by_role("button", name="Save decisions").click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    screenshot(page, "selection-after-decision")
    page.get_by_text("1 decision(s) saved").first.wait_for(timeout=10_000)
    assert reads.load_table(url, sid, "decisions").set_index("response_id").loc[first, "status"] == "waitlisted"

    # Scroll through the page for screenshots of the ranked table and the composition charts.
    page.get_by_role("heading", name="Ranked applications").scroll_into_view_if_needed()
    page.mouse.move(800, 500)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(800)
    screenshot(page, "selection-ranked-table")
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for()
    page.wait_for_timeout(500)
    screenshot(page, "selection-composition")
