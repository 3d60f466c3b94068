"""Wellbeing and Engagement pages: AppTest as organiser, Captain and Navigator, and a look in Chromium."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete

from dashboard import audit, models, reads
from tests.apptest_support import run_app, texts

CAPTAIN = "Captain of Team Aurora"
NAVIGATOR = "Navigator of Team Aurora"


def _sid(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


def queue_names(at) -> list[str]:
    """Names in 'Who to check on this week', in the order shown (each card starts with 'Name · Team')."""
    return [t.value.split(" · ")[0] for t in at.text if " · " in t.value]


def _people(url: str):
    return reads.load_table(url, _sid(url), "people").set_index("email")


def test_organiser_sees_the_planted_patterns_first_and_not_the_steady_person(monkeypatch, demo_url, demo_data):
    at = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    assert not at.exception
    shown = texts(at)
    people = _people(demo_url)
    queue = queue_names(at)
    for pattern in ("overwork_steady", "drifting", "wants_one_to_one", "burnout"):
        assert people.at[demo_data.planted[pattern][0], "name"] in queue, pattern
    assert people.at[demo_data.planted["steady"][0], "name"] not in queue
    assert "worked 9, 11, 10, 12, 11, 10 and 9 h in weeks 2-8; about 4 h is expected" in shown
    assert "no check-in in weeks 5-8" in shown
    # most severe first: high before medium, and the medium-only people come last
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == len(queue)
    ranks = [2 if "High" in b else 1 if "Medium" in b else 0 for b in badges]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 2


def test_captain_sees_only_their_own_team(monkeypatch, demo_url, demo_data):
    at = run_app(monkeypatch, demo_url, persona=CAPTAIN, page="app_pages/wellbeing.py")
    assert not at.exception
    people = _people(demo_url).reset_index()
    aurora = people[(people["role"] == "djangonaut") & (people["team"] == "Team Aurora")]
    others = people[(people["role"] == "djangonaut") & (people["team"] != "Team Aurora")]
    options = at.selectbox(key="wellbeing_person").options
    assert len(options) == len(aurora) == 3
    shown = texts(at) + " ".join(options)
    for name in others["name"]:
        assert name not in shown
    # another team's planted drop-out is not in a Captain of Aurora's view
    drifting = demo_data.planted["drifting"][0]
    assert people.set_index("email").at[drifting, "team"] != "Team Aurora"
    assert drifting not in shown


def test_person_details_are_audited_and_notes_are_plain_text(monkeypatch, demo_url):
    checkins = reads.load_table(demo_url, _sid(demo_url), "checkins")
    hostile = checkins.loc[checkins["notes"].fillna("").str.contains("<img"), "email"].iloc[0]
    at = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    at.selectbox(key="wellbeing_person").set_value(hostile).run()
    assert not at.exception
    assert any("<img src=x onerror=alert(1)>" in t.value for t in at.text)
    assert not any("<img" in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert {"Check-ins", "Check-ins missed", "Mean hours", "One-to-ones held"} <= set(metrics)
    log = audit.entries(demo_url, _sid(demo_url), action="wellbeing_viewed")
    assert log[["actor", "subject"]].values.tolist() == [["organiser1@example.org", hostile]]
    at.run()  # a rerun does not log the same view twice
    assert len(audit.entries(demo_url, _sid(demo_url), action="wellbeing_viewed")) == 1


def test_i_checked_in_records_a_one_to_one_and_clears_the_signal(monkeypatch, demo_url, demo_data):
    asked = demo_data.planted["wants_one_to_one"][0]
    at = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    name = _people(demo_url).at[asked, "name"]
    assert name in queue_names(at)
    at.selectbox(key="wellbeing_person").set_value(asked).run()
    before = len(reads.load_one_to_ones(demo_url, _sid(demo_url)))
    at.text_area[0].set_value("Talked about pacing; all fine.")
    at.button[0].click().run()
    assert not at.exception
    held = reads.load_one_to_ones(demo_url, _sid(demo_url))
    assert len(held) == before + 1
    assert held.iloc[-1][["email", "held_on", "note"]].tolist() == [
        asked,
        date.today(),
        "Talked about pacing; all fine.",
    ]
    assert [s.value for s in at.success if "recorded; their current signals are marked handled" in s.value]
    assert name not in queue_names(at)
    assert len(audit.entries(demo_url, _sid(demo_url), action="one_to_one_recorded")) == 1


def test_captain_records_for_their_own_djangonaut(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, persona=CAPTAIN, page="app_pages/wellbeing.py")
    person = at.selectbox(key="wellbeing_person").options[0]
    email = person.split("(")[-1].rstrip(")")
    at.selectbox(key="wellbeing_person").set_value(email).run()
    at.button[0].click().run()
    assert not at.exception
    teams = reads.load_table(demo_url, _sid(demo_url), "teams").set_index("name")
    last = reads.load_one_to_ones(demo_url, _sid(demo_url)).iloc[-1]
    assert (last["email"], last["captain"]) == (email, teams.at["Team Aurora", "captain"])


def test_a_session_in_progress_shows_only_the_weeks_so_far(monkeypatch, demo_url, demo_data, edit_db):
    # The demo session moved so that today is in its week 3, with the check-ins of weeks 1-3 only.
    sid = _sid(demo_url)
    with edit_db(demo_url) as session:
        session.get(models.Session, sid).start_date = date.today() - timedelta(days=14)
        session.execute(delete(models.Checkin).where(models.Checkin.session_id == sid, models.Checkin.week > 3))
    at = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    assert not at.exception
    week = at.select_slider(key="wellbeing_week")
    assert week.value == 3 and list(week.options) == ["1", "2", "3"]
    shown = texts(at)
    assert "week 3 of 8" in shown and "weeks 4" not in shown
    assert _people(demo_url).at[demo_data.planted["steady"][0], "name"] not in queue_names(at)
    engagement = run_app(monkeypatch, demo_url, page="app_pages/engagement.py")
    assert not engagement.exception
    weekly = next(
        df.value for df in engagement.dataframe if "checkin_rate" in df.value.columns and "week" in df.value.columns
    )
    assert weekly["week"].tolist() == [1, 2, 3]  # weeks 4-8 have not happened: not drawn as 0 %


def test_engagement_as_organiser_shows_the_session_in_numbers(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, page="app_pages/engagement.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    checkins = reads.load_table(demo_url, _sid(demo_url), "checkins")
    assert metrics["PRs merged"] == str(int(checkins["prs_merged"].sum()))
    progressed, closed = int(checkins["tickets_progressed"].sum()), int(checkins["tickets_closed"].sum())
    assert 0 < closed < progressed
    assert metrics["Tickets progressed / closed"] == f"{progressed} / {closed}"
    assert metrics["One-to-ones held"] == str(len(reads.load_one_to_ones(demo_url, _sid(demo_url))))
    assert "→" in metrics["Confidence, start → end (of 5)"]
    assert metrics["Comfortable contributing"].endswith("%")
    at.selectbox(key="engagement_metric").set_value("tickets_closed").run()
    assert not at.exception


def test_navigator_sees_only_their_teams_engagement_without_survey_figures(monkeypatch, demo_url):
    at = run_app(monkeypatch, demo_url, persona=NAVIGATOR, page="app_pages/engagement.py")
    assert not at.exception
    assert "3 Djangonauts (Team Aurora)" in texts(at)
    frames = [df.value for df in at.dataframe]
    teams = set().union(*[set(f["team"]) for f in frames if "team" in f.columns])
    assert teams == {"Team Aurora"}
    assert "Confidence, start → end (of 5)" not in {m.label for m in at.metric}  # fewer than 5 answers
    assert "Wellbeing" not in texts(at)


def test_reviewer_cannot_open_wellbeing_or_engagement(monkeypatch, demo_url, demo_data):
    for page in ("app_pages/wellbeing.py", "app_pages/engagement.py"):
        at = run_app(monkeypatch, demo_url, persona="Reviewer", page=page)
        assert not at.exception
        assert demo_data.planted["drifting"][0] not in texts(at)
        assert not at.metric


# --- in Chromium --------------------------------------------------------------------------


def test_wellbeing_and_engagement_in_the_browser(app_server, page):
    from tests.browser_support import assert_no_exception, choose_persona, open_page, screenshot, shown, wait_for_app

    def go(title: str) -> None:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        wait_for_app(page)
        page.get_by_role("heading", name=title).first.wait_for()
        page.wait_for_timeout(1000)  # let the charts paint before the screenshot

    open_page(page, app_server)
    go("Wellbeing")
    assert_no_exception(page)
    assert shown(page.get_by_text("Who to check on this week").first)
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 3
    assert shown(page.get_by_text("no check-in in weeks 5-8").first)
    screenshot(page, "wellbeing-organiser")
    go("Engagement")
    assert_no_exception(page)
    assert shown(page.get_by_text("The session in numbers").first)
    assert page.locator("[data-testid='stMetric']").count() == 8
    screenshot(page, "engagement-organiser")
    choose_persona(page, CAPTAIN)
    if page.get_by_role("heading", name="Wellbeing").count() == 0:
        go("Wellbeing")
    assert_no_exception(page)
    assert shown(page.get_by_text("3 Djangonauts (Team Aurora)").first)
    assert page.get_by_text("no check-in in weeks 5-8").count() == 0  # another team's drop-out
    screenshot(page, "wellbeing-captain")


def test_a_past_session_without_checkins_renders_calmly(monkeypatch, demo_url):
    wellbeing_page = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py", session="2024 Session 1")
    assert not wellbeing_page.exception and not wellbeing_page.error
    assert "Nobody needs a check-in right now" in texts(wellbeing_page)
    engagement_page = run_app(monkeypatch, demo_url, page="app_pages/engagement.py", session="2024 Session 1")
    assert not engagement_page.exception and not engagement_page.error
    metrics = {m.label: m.value for m in engagement_page.metric}
    assert metrics["PRs merged"] == "0" and "→" in metrics["Confidence, start → end (of 5)"]


def test_show_all_draws_every_card_each_with_its_own_hours(monkeypatch, demo_url):
    import pyarrow as pa

    from dashboard.ui import wellbeing_panels

    monkeypatch.setattr(wellbeing_panels, "FIRST_CARDS", 2)
    at = run_app(monkeypatch, demo_url, page="app_pages/wellbeing.py")
    first = queue_names(at)
    assert len(first) == 2 and len(at.get("vega_lite_chart")) == 2 + 1  # two sparklines and the team balance
    at.toggle(key="wellbeing_show_all").set_value(True).run()
    assert not at.exception
    everyone = queue_names(at)
    assert everyone[:2] == first and len(everyone) > 2
    sparklines = at.get("vega_lite_chart")[: len(everyone)]
    people = _people(demo_url).reset_index().set_index("name")
    checkins = reads.load_table(demo_url, _sid(demo_url), "checkins")
    for name, chart in zip(everyone, sparklines):
        drawn = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all().to_pandas()
        mine = checkins[checkins["email"] == people.at[name, "email"]].set_index("week")["hours"]
        reported = drawn.dropna(subset=["hours"]).set_index("week")["hours"]
        assert reported.to_dict() == mine.dropna().to_dict(), name  # this person's hours, not another card's
