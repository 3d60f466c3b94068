"""The warm-ups fill the caches pages read: the server's (serve.py) before anyone visits and after each data
change, and the app's after a first page, for that viewer's other pages."""

from __future__ import annotations

import asyncio
import threading
import time

from dashboard import db, models, reads, wellbeing
from dashboard.config import load_settings
from dashboard.ui import auth, warmup
from tests.apptest_support import ROOT, run_app, texts


def test_the_first_visit_warms_the_caches_of_the_next_page(monkeypatch, demo_url):
    monkeypatch.setattr(warmup, "serving", lambda: True)  # as under `streamlit run` (AppTest has a stand-in runtime)
    threads = []
    real_start = warmup.start
    monkeypatch.setattr(warmup, "start", lambda ctx: threads.append(real_start(ctx)))
    at = run_app(monkeypatch, demo_url)  # the first visitor opens the root URL (Overview)
    assert not at.exception
    assert [t for t in threads if t is not None], "the app started no warm-up"
    for thread in filter(None, threads):
        thread.join(timeout=120)
        assert not thread.is_alive()

    work = []  # the page's reads from the database, and its one costly derivation (Overview does not need it)
    for module, name in ((reads, "load_table"), (reads, "load_one_to_ones"), (wellbeing, "for_viewer")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *args, _real=real, _name=name, **kw: work.append(_name) or _real(*args, **kw)
        )
    at.switch_page("app_pages/engagement.py")
    at.run()
    assert not at.exception and not at.error
    assert "The session in numbers" in texts(at)
    assert work == [], f"Engagement computed this itself after the warm-up: {work}"


def test_no_warm_up_beside_page_tests(monkeypatch, demo_url):
    threads = []
    real_start = warmup.start
    monkeypatch.setattr(warmup, "start", lambda ctx: threads.append(real_start(ctx)))
    at = run_app(monkeypatch, demo_url)
    assert not at.exception
    assert threads and threads == [None] * len(threads)  # called, but AppTest is not a server


def _record_work(monkeypatch) -> list[str]:
    """The database reads and the costly wellbeing derivation a page does itself from now on."""
    work: list[str] = []
    for module, name in ((reads, "load_table"), (reads, "load_one_to_ones"), (wellbeing, "for_viewer")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *args, _real=real, _name=name, **kw: work.append(_name) or _real(*args, **kw)
        )
    return work


def _settings(monkeypatch, url: str):
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    return load_settings()


def test_the_server_warms_a_captains_first_open_before_anyone_visits(monkeypatch, demo_url):
    warmed: set[tuple[int, int]] = set()
    warmup.warm_sessions(_settings(monkeypatch, demo_url), demo_url, warmed)  # what serve.py does at start
    sessions = reads.sessions_frame(demo_url)
    assert warmed == {(int(r.id), int(r.data_version)) for r in sessions.itertuples()}

    work = _record_work(monkeypatch)
    at = run_app(monkeypatch, demo_url, persona="Captain of Team Aurora", page="app_pages/wellbeing.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "Wellbeing"
    assert work == [], f"the Captain's first Wellbeing open computed this itself: {work}"


def test_a_change_to_the_data_is_warmed_again_and_nothing_else(monkeypatch, demo_url):
    settings = _settings(monkeypatch, demo_url)
    warmed: set[tuple[int, int]] = set()
    warmup.warm_sessions(settings, demo_url, warmed)
    session = reads.session(demo_url, int(reads.sessions_frame(demo_url)["id"].iloc[-1]))
    with db.write(demo_url, actor="organiser@example.org", action="test_edit", session_id=session.id) as change:
        change.db.get(models.Session, session.id).expected_hours = session.expected_hours + 1
    newer = reads.session(demo_url, session.id).data_version
    assert newer > session.data_version

    read_sessions = []
    for name in ("load_table", "load_one_to_ones"):
        real = getattr(reads, name)
        monkeypatch.setattr(
            reads, name, lambda url, sid, *args, _real=real: read_sessions.append(sid) or _real(url, sid, *args)
        )
    warmup.warm_sessions(settings, demo_url, warmed)  # the next look at the data versions
    assert (session.id, newer) in warmed
    assert read_sessions and set(read_sessions) == {session.id}  # only the changed session is read again
    work = _record_work(monkeypatch)
    at = run_app(monkeypatch, demo_url, persona="Organiser", page="app_pages/engagement.py")
    assert not at.exception and not at.error
    assert "The session in numbers" in texts(at)
    assert work == [], f"Engagement computed this itself after the change was warmed: {work}"


def test_the_server_keeps_warming_until_it_stops(monkeypatch, demo_url):
    settings = _settings(monkeypatch, demo_url)
    passes = []
    real = warmup.warm_sessions
    monkeypatch.setattr(warmup, "warm_sessions", lambda *args: passes.append(args[1]) or real(*args))
    monkeypatch.setattr(warmup, "WATCH_SECONDS", 0.05)

    async def serve_a_while() -> None:
        async with warmup.lifespan(None):
            deadline = time.monotonic() + 60
            while len(passes) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)

    server = threading.Thread(target=asyncio.run, args=(serve_a_while(),))  # its own event loop, as the server's
    server.start()
    server.join(timeout=90)
    assert passes[:3] == [settings.database_url] * 3
    time.sleep(0.3)
    after_stop = len(passes)
    time.sleep(0.3)
    assert len(passes) == after_stop, "the warm-up went on after the server stopped"


def test_with_sign_in_the_server_warms_the_listed_organisers_and_each_teams_staff(monkeypatch, demo_url):
    settings = _settings(monkeypatch, demo_url)
    monkeypatch.setattr(auth, "auth_configured", lambda: True)
    monkeypatch.setattr(auth, "role_lists", lambda _settings: {"organisers": ["lead@example.org"]})
    session = reads.session(demo_url, int(reads.sessions_frame(demo_url)["id"].iloc[-1]))
    teams = reads.load_table(demo_url, session.id, "teams")
    staff = set(teams["captain"]) | {email for navigators in teams["navigators"] for email in navigators}

    viewers = {viewer.email: viewer for viewer in warmup.known_viewers(settings, demo_url, session)}
    assert set(viewers) == {"lead@example.org"} | staff
    assert viewers["lead@example.org"].is_organiser
    for team in teams.itertuples():
        assert team.name in viewers[team.captain].captain_of
    assert not any(viewer.demo for viewer in viewers.values())


def test_the_server_warms_an_organisers_selection_page_placeability_included(monkeypatch, demo_url):
    from dashboard import placeability, selection

    warmup.warm_sessions(_settings(monkeypatch, demo_url), demo_url, set())
    work = _record_work(monkeypatch)
    for module, name in ((placeability, "team_fits"), (selection, "ranked_table")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *args, _real=real, _name=name, **kw: work.append(_name) or _real(*args, **kw)
        )
    at = run_app(monkeypatch, demo_url, persona="Organiser", page="app_pages/selection.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "Selection"
    assert work == [], f"the Selection page's first open computed this itself: {work}"


def test_the_server_warms_the_talk_figures_of_the_sessions_the_organiser_sees(monkeypatch, demo_url):
    from dashboard import talk

    warmup.warm_sessions(_settings(monkeypatch, demo_url), demo_url, set())
    work = []
    real = talk.talk_figures
    monkeypatch.setattr(talk, "talk_figures", lambda *args, **kw: work.append("talk_figures") or real(*args, **kw))
    at = run_app(monkeypatch, demo_url, persona="Organiser", page="app_pages/talk.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "Talk"
    assert work == [], "the Talk page's first open computed its figures itself"
