"""The Selection page says who could be placed in a team and proposes a cohort that all fits (AppTest and Chromium)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session as OrmSession

from dashboard import cohort, db as dbmod, models, placeability, reads
from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings
from tests.apptest_support import run_app, texts
from tests.conftest import edit_directly
from tests.test_teams import _session_id

WAGTAIL_REASON = "No team works on Wagtail, the projects they chose."


def make_two_unplaceable(url: str) -> tuple[str, str]:
    """The best-ranked applicant now wants only Wagtail (no team works on it); the 20th is free 2 hours a week."""
    session_id = _session_id(url)
    ranked, _, _ = cohort.load(url, session_id, load_settings(EXAMPLE_CONFIG_PATH))
    best, twentieth = ranked["response_id"].iloc[0], ranked["response_id"].iloc[19]
    with edit_directly(url) as db:
        rows = {
            a.response_id: a
            for a in db.scalars(
                select(models.Application).where(
                    models.Application.session_id == session_id, models.Application.response_id.in_([best, twentieth])
                )
            )
        }
        rows[best].project_preferences = ["Wagtail"]
        rows[twentieth].availability = [75.0, 75.5, 76.0, 76.5]  # Wednesday 03:00-05:00 UTC
        db.execute(
            models.Person.__table__.delete().where(
                models.Person.session_id == session_id, models.Person.email == rows[twentieth].email
            )
        )
        db.execute(
            update(models.Session)
            .where(models.Session.id == session_id)
            .values(data_version=models.Session.data_version + 1)
        )  # as every write does
    return best, twentieth


def _ranked_frame(at):
    return next(df.value for df in at.dataframe if "Placement" in df.value.columns)


def test_selection_page_shows_who_fits_a_team_and_saves_a_proposed_cohort(demo_url, monkeypatch):
    best, twentieth = make_two_unplaceable(demo_url)
    at = run_app(monkeypatch, demo_url, page="app_pages/selection.py", timeout=120)
    assert not at.exception and not at.error
    assert "88 of 90 could be placed; 2 fit no team" in texts(at)
    table = _ranked_frame(at).set_index("Response ID")
    assert table.loc[best, "Teams that fit"] == 0 and table.loc[best, "Placement"] == WAGTAIL_REASON
    assert re.match(
        r"^No Captain (on .+ )?shares 3 hours with them: best is .+ with [0-2]\.$", table.loc[twentieth, "Placement"]
    )
    placeable = table.drop(index=[best, twentieth])
    assert (placeable["Teams that fit"] > 0).all()
    assert placeable["Placement"].str.match(r"^\d+ others \(\d+ ranked higher\) for \d+ places$").all()

    at.segmented_control(key="selection_state").set_value("fits no team").run()
    assert set(_ranked_frame(at)["Response ID"]) == {best, twentieth}

    at.selectbox(key="cohort_rivals").set_value(twentieth).run()
    assert any(w.value.startswith("No Captain") for w in at.warning)

    next(b for b in at.button if b.label == "Propose a cohort").click().run()
    assert not at.exception and not at.error
    assert any(s.value.startswith("Proven optimal") for s in at.success)
    words = plain(texts(at))
    assert "instead of #1 " in words and "(fits no team: no team works on Wagtail, the projects they chose)" in words
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Proposed cohort"] == "24"
    session_id = _session_id(demo_url)
    assert (reads.load_table(demo_url, session_id, "decisions")["status"] == "accepted").sum() == 18  # only a proposal

    next(b for b in at.button if b.label == "Save the proposal's decisions").click().run()
    assert not at.exception and not at.error
    assert any("decision(s) saved" in s.value for s in at.success)
    decisions = reads.load_table(demo_url, session_id, "decisions")
    accepted = set(decisions.loc[decisions["status"] == "accepted", "response_id"])
    assert len(accepted) == 24 and best not in accepted and twentieth not in accepted
    with OrmSession(dbmod.get_engine(demo_url)) as db:
        actors = set(db.scalars(select(models.AuditEntry.actor).where(models.AuditEntry.action == "decision_changed")))
    assert actors == {"organiser1@example.org"}
    assert not any(b.label == "Save the proposal's decisions" for b in at.button)  # the saved proposal is gone


def test_a_pin_that_cannot_be_kept_is_one_sentence_on_the_page(demo_url, monkeypatch):
    best, _ = make_two_unplaceable(demo_url)
    at = run_app(monkeypatch, demo_url, page="app_pages/selection.py", timeout=120)
    next(m for m in at.multiselect if m.label.startswith("Pin in")).set_value([best])
    next(b for b in at.button if b.label == "Propose a cohort").click().run()
    assert not at.exception
    name = reads.load_table(demo_url, _session_id(demo_url), "applications").set_index("response_id").loc[best, "name"]
    assert [plain(e.value) for e in at.error] == [
        f"#1 {name} ({best}) is pinned in but fits no team: No team works on Wagtail, the projects they chose. "
        "Unpin them, or change the teams first."
    ]


def plain(markdown: str) -> str:
    """A sentence the page escaped with md_text, as the reader sees it."""
    return re.sub(r"\\(.)", r"\1", markdown)


# --- In real Chromium -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort_server(_demo_db_template, tmp_path_factory):
    """Our own `streamlit run` on a copy of the demo in which two applicants fit no team."""
    from tests.browser_support import demo_copy_server

    with demo_copy_server(_demo_db_template, tmp_path_factory.mktemp("cohort-browser"), make_two_unplaceable) as (
        base,
        _,
    ):
        yield base


def test_placeability_and_the_proposal_in_chromium(cohort_server, page):
    from tests.browser_support import assert_no_exception, open_page, screenshot, shown, wait_for_app

    open_page(page, cohort_server, "selection")
    assert_no_exception(page)
    assert shown(page.get_by_text("88 of 90 could be placed", exact=False).first)
    grid = (
        page.locator("[data-testid='stForm']").filter(has_text="Save decisions").locator("[data-testid='stDataFrame']")
    )
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the grid paints its cells on a canvas after it appears
    screenshot(page, "selection-placeability")

    page.get_by_text("Filters", exact=True).first.click()
    page.get_by_text("fits no team", exact=True).first.click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    screenshot(page, "selection-fits-no-team")

    page.get_by_text("Who competes with whom for the same places", exact=True).click()
    page.wait_for_timeout(1000)
    page.get_by_text("Who competes with whom for the same places", exact=True).scroll_into_view_if_needed()
    assert shown(page.get_by_text("No team works on Wagtail", exact=False).last)
    screenshot(page, "selection-who-competes")

    page.get_by_role("button", name="Propose a cohort").click()
    page.wait_for_timeout(500)
    wait_for_app(page, timeout=90_000)
    assert_no_exception(page)
    assert shown(page.get_by_text("Proven optimal", exact=False).first, timeout=60_000)
    page.get_by_role("heading", name="Propose a cohort").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    screenshot(page, "selection-cohort-proposal")
    page.get_by_role("button", name="Save the proposal's decisions").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    screenshot(page, "selection-cohort-proposal-save")


# --- caching -----------------------------------------------------------------------------------


def test_who_fits_a_team_is_worked_out_again_only_when_what_it_reads_changes(demo_url, settings, monkeypatch):
    import streamlit as st

    from dashboard import review, selection, teams
    from dashboard.criteria import load_criteria
    from dashboard.ui import loaders
    from tests.test_ui_cache import _context

    st.cache_data.clear()
    calls = []
    real = placeability.team_fits
    monkeypatch.setattr(placeability, "team_fits", lambda instance: calls.append(1) or real(instance))
    rules = teams.rules_from_settings(settings)

    def fits():
        ctx = _context(demo_url, settings)
        stats = review.review_stats(
            loaders.table(ctx, "reviews"),
            load_criteria(settings),
            settings,
            loaders.table(ctx, "applications")["response_id"],
        )
        ranked = selection.ranked_table(loaders.table(ctx, "applications"), stats, loaders.table(ctx, "decisions"))
        return loaders.cohort_placeability(ctx, ranked, rules)[1]

    first = fits()
    assert fits() == first and len(calls) == 1
    session_id = _session_id(demo_url)
    top = next(iter(first))
    selection.save_decisions(demo_url, session_id, [selection.DecisionChange(top, "rejected")], "o@example.org")
    assert fits()[top].teams == first[top].teams and len(calls) == 1  # a decision changes no one's fit
    best, _ = make_two_unplaceable(demo_url)  # availability and projects changed: worked out again
    assert not fits()[best].placeable and len(calls) == 2


def test_a_rerun_or_a_filter_change_ranks_nothing_again_until_the_data_changes(demo_url, monkeypatch):
    import streamlit as st

    from dashboard import selection

    st.cache_data.clear()
    calls = []
    real = selection.ranked_table
    monkeypatch.setattr(selection, "ranked_table", lambda *args, **kw: calls.append(1) or real(*args, **kw))
    at = run_app(monkeypatch, demo_url, page="app_pages/selection.py", timeout=120)
    ranked_once = len(calls)
    assert ranked_once >= 1 and not at.exception
    at.run()
    at.segmented_control(key="selection_state").set_value("contested").run()
    assert len(calls) == ranked_once and not at.exception
    assert _ranked_frame(at)["⚠"].eq("⚠ contested").all()

    best, _ = make_two_unplaceable(demo_url)  # a new data version: ranked again, and the page shows the change
    at.segmented_control(key="selection_state").set_value("fits no team").run()
    assert len(calls) > ranked_once
    assert best in set(_ranked_frame(at)["Response ID"])
