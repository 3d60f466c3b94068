"""The Teams page: AppTest flows through the real app (propose, move, see what breaks, save), and a look in Chromium."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession
from streamlit.testing.v1 import AppTest

from dashboard import access, db as dbmod, models, reads
from dashboard.config import EXAMPLE_CONFIG_PATH, PROJECT_ROOT
from dashboard.teams import Rules, instance_from_db, validate_teams
from dashboard.ui.context import CONTEXT_KEY
from tests.browser_support import assert_no_exception, open_page, screenshot, shown, wait_for_app


def _session_id(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


@pytest.fixture
def teams_url(demo_url, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", demo_url)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(EXAMPLE_CONFIG_PATH))
    return demo_url


def teams_page() -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=90)
    at.session_state["demo_viewer"] = "Organiser"
    at.run()
    at.switch_page("app_pages/teams.py").run()
    assert not at.exception
    return at


def refresh(at: AppTest, url: str) -> AppTest:
    """AppTest re-runs a switched-to page without the entrypoint: give it the current data version."""
    ctx = at.session_state[CONTEXT_KEY]
    frame = reads.sessions_frame(url)
    session = frame[frame["id"] == ctx.session_id].iloc[0].to_dict()
    at.session_state[CONTEXT_KEY] = type(ctx)(settings=ctx.settings, url=ctx.url, session=session, viewer=ctx.viewer)
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_saved_demo_teams_show_the_rules_they_break(teams_url, settings):
    at = teams_page()
    assert at.title[0].value == "Teams"
    instance = instance_from_db(teams_url, _session_id(teams_url), Rules(), settings=settings)
    broken = validate_teams(instance)
    assert broken, "the demo's hand-made teams are plausible, not perfect"
    assert f"{len(broken)} rules broken:" in [w.value for w in at.warning]
    table = next(d.value for d in at.dataframe if "What breaks" in d.value.columns)
    assert sorted(table["What breaks"]) == sorted(v.message for v in broken)
    assert button(at, "Save teams").disabled  # nothing changed yet


def test_propose_from_scratch_then_save(teams_url, settings):
    at = teams_page()
    next(c for c in at.checkbox if c.label.startswith("Keep people")).uncheck()
    button(at, "Propose teams").click()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Answer"] == "Proven optimal"
    placed = int(metrics["Placed"].split(" of ")[0])
    assert placed > 0 and metrics["Placed"].endswith("of 18")
    assert at.success[0].value == "Every team meets every rule."
    why = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    assert len(why) == 18 - placed and why["Why"].str.len().min() > 10
    button(at, "Save teams").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Teams saved:")
    sid = _session_id(teams_url)
    instance = instance_from_db(teams_url, sid, Rules(), settings=settings)
    assert sum(1 for t in instance.current_assignments().values() if t) == placed
    assert validate_teams(instance) == []
    with OrmSession(dbmod.get_engine(teams_url)) as db:
        audit = db.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "save_teams")).one()
    assert audit.actor == "organiser1@example.org"


def test_moving_a_person_shows_at_once_which_rule_breaks(teams_url, settings):
    at = teams_page()
    next(c for c in at.checkbox if c.label.startswith("Keep people")).uncheck()
    button(at, "Propose teams").click()
    at.run()
    assert at.success[0].value == "Every team meets every rule."
    # Move a placed person out of their team: it falls below the minimum size (or a rule about them goes away).
    sid = _session_id(teams_url)
    instance = instance_from_db(teams_url, sid, Rules(), settings=settings)
    who = at.selectbox(key=f"teams_move_who_{sid}")
    editor_frame = next(d.value for d in at.dataframe if "Why" in d.value.columns)  # the unplaced list
    unplaced = set(editor_frame["E-mail"])
    mover = next(c.email for c in instance.candidates if c.email not in unplaced)
    who.set_value(mover)
    at.selectbox(key=f"teams_move_to_{sid}").set_value("(not placed)")
    button(at, "Move").click()
    at.run()
    assert not at.exception
    assert any("rule" in w.value and "broken" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "What breaks" in d.value.columns)
    assert "team size" in set(table["Rule"])
    # Saving a broken allocation needs an explicit confirmation.
    assert button(at, "Save teams").disabled
    next(c for c in at.checkbox if c.label.startswith("Save even though")).check()
    at.run()
    assert not button(at, "Save teams").disabled


def test_captains_and_navigators_cannot_open_teams():
    for roles in ({access.CAPTAIN}, {access.NAVIGATOR}, {access.REVIEWER}):
        assert not access.may_open(access.Viewer("x@example.org", frozenset(roles)), "teams")
    assert access.may_open(access.Viewer("o@example.org", frozenset({access.ORGANISER})), "teams")


def test_teams_page_in_chromium(app_server, page):
    open_page(page, app_server)  # the entrypoint first: a fresh server serves deep links only after st.navigation ran
    open_page(page, app_server, "teams")
    screenshot(page, "organiser-teams-saved")
    assert_no_exception(page)
    assert shown(page.get_by_role("heading", name="Teams").first)
    page.get_by_text("Keep people who already have a team where they are").click()
    wait_for_app(page)
    page.get_by_role("button", name="Propose teams").click()
    page.get_by_text("Every team meets every rule.").wait_for(timeout=60_000)
    wait_for_app(page, timeout=60_000)
    assert_no_exception(page)
    assert shown(page.get_by_text("Proven optimal").first)
    screenshot(page, "organiser-teams-proposed")
    # Streamlit scrolls inside its main container: a tall viewport shows the whole page with its charts.
    page.set_viewport_size({"width": 1440, "height": 4600})
    page.wait_for_timeout(1500)
    assert shown(page.get_by_text("When each team can meet").first)
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 4
    screenshot(page, "organiser-teams-proposed-full")


def test_editing_the_team_column_checks_the_rules(teams_url):
    at = teams_page()
    next(c for c in at.checkbox if c.label.startswith("Keep people")).uncheck()
    button(at, "Propose teams").click()
    at.run()
    editor = at.data_editor[0]
    frame = editor.value
    row = int(frame.index[frame["team"] != "(not placed)"][0])
    other = next(t for t in frame["team"].unique() if t not in ("(not placed)", frame.loc[row, "team"]))
    at.session_state[editor.key] = {"edited_rows": {row: {"team": other}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("broken" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "What breaks" in d.value.columns)
    assert any(frame.loc[row, "email"] in message or other in message for message in table["What breaks"])


def test_proposing_around_broken_saved_teams_says_so(teams_url, settings):
    at = teams_page()
    button(at, "Propose teams").click()  # keep people where they are (the demo's saved teams break rules)
    at.run()
    assert not at.exception
    instance = instance_from_db(teams_url, _session_id(teams_url), Rules(), settings=settings)
    broken = sorted({name for v in validate_teams(instance) for name in v.teams})
    assert at.info[0].value.startswith(
        f"Kept as they were, because the people already in them break a rule: {', '.join(broken)}."
    )
    assert {m.label: m.value for m in at.metric}["Placed"] == "18 of 18"


def test_the_week_grid_draws_the_tightest_teams_and_others_on_request(tmp_path, monkeypatch, settings):
    from dashboard import demo

    url = f"sqlite:///{tmp_path / 'twice.db'}"
    demo.build(url, settings, seed=42, scale=2)  # 12 teams: more than the grid draws at first
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(EXAMPLE_CONFIG_PATH))
    at = teams_page()
    grid = next(m for m in at.multiselect if m.label == "Teams in the week grid")
    assert len(grid.options) == 12 and len(grid.value) == 6

    def heatmap_teams() -> set[str]:
        import json

        import pyarrow as pa

        chart = next(c for c in at.get("vega_lite_chart") if "When each team can meet" in c.proto.spec)
        inline = [row for rows in json.loads(chart.proto.spec).get("datasets", {}).values() for row in rows]
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        return {row["team"] for row in inline if "team" in row} | {t for f in frames if "team" in f for t in f["team"]}

    assert heatmap_teams() == set(grid.value)
    hidden = next(name for name in grid.options if name not in grid.value)
    grid.set_value([hidden]).run()
    assert not at.exception
    assert heatmap_teams() == {hidden}


def test_the_rules_caption_says_what_the_preset_means(teams_url, monkeypatch, tmp_path):
    assert "at most 4 Djangonauts per Navigator." in [c.value for c in teams_page().caption][0]
    config = tmp_path / "dashboard.toml"
    config.write_text(
        EXAMPLE_CONFIG_PATH.read_text().replace('# preset = "djangonaut-space"', 'preset = "djangonaut-space"')
    )
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    caption = teams_page().caption[0].value
    assert caption.startswith("Rules: teams of 1-3;")
    assert "no limit on how many Djangonauts a Navigator mentors." in caption and "99" not in caption
