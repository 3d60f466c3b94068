"""The warm-up the app starts after its first page fills the caches the viewer's other pages read."""

from __future__ import annotations

from dashboard import reads, wellbeing
from dashboard.ui import warmup
from tests.apptest_support import run_app, texts


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
