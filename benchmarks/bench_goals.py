"""Issue 17's goals side by side in one run: first opens in Chromium, warm reruns against a trivial page, fragments.

    .venv/bin/python -m benchmarks.bench_goals [--scale 1 10] [--repeat 5] [--pages overview teams] [--skip-browser]

- browser first open, fresh server (per page and scale): a new `streamlit run serve.py` (what
  `make run` serves), then one Chromium tab opens the page; seconds until Streamlit reports the
  script finished (as bench_browser.py). "at once": opened as soon as the server answers, while
  serve.py's warm-up still runs; "warmed": opened once the server has been up for what its
  warm-up took in this process plus 10 s, as any visitor after the first minute;
  "returning browser": the same, in a browser that opened the app before (its HTTP cache holds
  Streamlit's JavaScript, as a Captain's browser does the next week).
  Goal: under 1 s at 1x, 1.5 s at 10x.
- browser first open, same server: one server per scale; the root URL first (the first
  visitor), then each page once in a new tab.
- floors: a one-title Streamlit app's first open in a fresh server (Streamlit and Chromium alone),
  and a new tab on the warm Audit log: the part of every open that is the browser loading and
  starting Streamlit's JavaScript, whatever the page.
- warm rerun (AppTest, 10x): median of --repeat full reruns (entrypoint + page), as
  bench_pages.py, against a one-title page (`st.title` only) rerun the same number of times in
  the same process; scripts are compiled once, as a server does. Goal: at most 20x the trivial page.
- fragment rerun (AppTest, 10x): median time of the page's slowest st.fragment body in warm runs
  (AppTest reruns the whole script, so each body is timed on its own): what a widget change
  inside the fragment costs the server, which reruns only that body. Goal: under 50 ms.
Writes the table to benchmarks/out/goals.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.demo_dbs import OUT, ensure_demo
from dashboard import access
from dashboard.config import PROJECT_ROOT

TRIVIAL = "import streamlit as st\nst.title('Trivial')\n"
# column title -> key of browser_first_opens' result
FIRST_OPEN_COLUMNS = {
    "fresh server at once": "at once",
    "fresh server warmed": "warmed",
    "fresh server warmed, returning browser": "returning",
    "same server": "same",
}


def server_warm_up_seconds(url: str) -> float:
    """What serve.py's warm-up does before the first visitor, timed in this process: imports, every session."""
    import importlib

    from dashboard.config import load_settings
    from dashboard.ui import warmup

    os.environ["DASHBOARD_DATABASE_URL"] = url
    started = time.perf_counter()
    for module in warmup.PAGE_MODULES + warmup.SERVER_MODULES:
        importlib.import_module(module)
    warmup.warm_sessions(load_settings(), url, set())
    return time.perf_counter() - started


def browser_first_opens(url: str, specs: list, timeout_ms: float, settle: float) -> dict:
    """Seconds per page, each in a fresh `streamlit run serve.py`: 'at once' (a new browser, opened as soon as the
    server answers), 'warmed' (a new browser, opened `settle` seconds after the start), 'returning' (the same,
    in a browser that has opened the app before, so Streamlit's JavaScript is in its HTTP cache); 'same' (one
    server: the root URL, then each page in a new tab). 'floor' (a one-title app in a fresh server and a new
    browser) and 'tab' (a new browser on the warm Audit log) are single figures."""
    from benchmarks.bench_browser import open_and_time, open_and_time_in
    from tests.browser_support import chromium, free_port, streamlit_server

    result = {"at once": {}, "warmed": {}, "returning": {}, "same": {}}
    port = free_port()  # the returning browser's cache belongs to one address
    with chromium() as browser:
        returning = browser.new_context(viewport={"width": 1400, "height": 900})
        for spec in specs:
            for column, wait in (("at once", 0), ("warmed", settle), ("returning", settle)):
                with streamlit_server(url, port=port) as base:
                    if column == "returning" and not result["returning"]:  # the earlier visit
                        open_and_time_in(returning.new_page(), base, "audit", timeout_ms)
                    time.sleep(wait)
                    if column == "returning":
                        tab = returning.new_page()
                        result[column][spec.key], problem = open_and_time_in(tab, base, spec.key, timeout_ms)
                        tab.close()
                    else:
                        result[column][spec.key], problem = open_and_time(browser, base, spec.key, timeout_ms)
                print(
                    f"  {spec.key:<12} fresh server, {column:<9} {result[column][spec.key]:6.2f} s {problem}",
                    flush=True,
                )
        returning.close()
        with streamlit_server(url) as base:
            result["same"][""], problem = open_and_time(browser, base, "", timeout_ms)
            print(f"  {'(root URL)':<12} first visitor          {result['same']['']:6.2f} s {problem}", flush=True)
            for spec in specs:
                time.sleep(1)  # a person reads the page before opening the next one
                result["same"][spec.key], problem = open_and_time(browser, base, spec.key, timeout_ms)
                print(
                    f"  {spec.key:<12} same server first open {result['same'][spec.key]:6.2f} s {problem}", flush=True
                )
            result["tab"] = statistics.median(open_and_time(browser, base, "audit", timeout_ms)[0] for _ in range(3))
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "trivial_app.py"
            script.write_text(TRIVIAL)
            with streamlit_server(url, script=str(script)) as base:
                time.sleep(2)
                floors = [open_and_time(browser, base, "", timeout_ms)[0] for _ in range(3)]
        result["floor"] = statistics.median(floors)
        print(f"  one-title app, new browsers {', '.join(f'{f:.2f}' for f in floors)} s", flush=True)
    return result


def compile_scripts_once() -> None:
    """Let AppTest keep each script's bytecode between runs, as a server does (AppTest alone compiles the
    entrypoint and the page again on every run: a few ms that no visitor pays)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import local_script_runner

    shared = ScriptCache()
    local_script_runner.ScriptCache = lambda: shared


def warm_reruns(url: str, specs: list, repeat: int) -> tuple[dict, float]:
    """Median warm full rerun per page (AppTest) and of the one-title page, in seconds."""
    from streamlit.testing.v1 import AppTest

    from benchmarks.bench_pages import full_run, persona_for, personas, timed_rerun

    offered = personas(url)
    warm = {}
    for spec in specs:
        persona = persona_for(spec, offered)
        if persona is None:
            continue
        _, at = full_run(url, spec, persona)
        at.run()
        warm[spec.key] = statistics.median(timed_rerun(at) for _ in range(repeat))
    trivial_app = AppTest.from_string(TRIVIAL)
    trivial_app.run()
    trivial = statistics.median(timed_rerun(trivial_app) for _ in range(repeat))
    return warm, trivial


def fragment_reruns(url: str, specs: list, repeat: int) -> dict[str, float]:
    """Median seconds of each page's st.fragment bodies in warm runs: what a widget change inside one costs.

    AppTest reruns the whole script on a widget change, so each fragment's body is timed on its own
    (st.fragment wrapped with a timer in this process); a fragment rerun on a server runs only that body."""
    import functools

    import streamlit as st

    from benchmarks.bench_pages import full_run, persona_for, personas

    timings: dict[str, list[float]] = {}
    original = st.fragment

    def timed_fragment(func=None, **kwargs):
        if func is None:
            return lambda f: timed_fragment(f, **kwargs)

        @functools.wraps(func)
        def body(*args, **kw):
            started = time.perf_counter()
            try:
                return func(*args, **kw)
            finally:
                timings.setdefault(func.__module__ + ":" + func.__name__, []).append(time.perf_counter() - started)

        return original(body, **kwargs)

    st.fragment = timed_fragment
    results = {}
    try:
        offered = personas(url)
        for spec in specs:
            persona = persona_for(spec, offered)
            if persona is None:
                continue
            timings.clear()
            _, at = full_run(url, spec, persona)
            timings.clear()
            for _ in range(repeat):
                at.run()
            if timings:  # the slowest fragment of the page
                results[spec.key] = max(statistics.median(t) for t in timings.values())
    finally:
        st.fragment = original
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", nargs="*", help="page keys (default: every page)")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ.pop("DASHBOARD_CONFIG", None)
    os.chdir(PROJECT_ROOT)
    specs = [s for s in access.PAGES if not args.pages or s.key in args.pages]
    urls = {scale: ensure_demo(scale) for scale in args.scale}
    browser, warm_up = {}, {}
    if not args.skip_browser:
        for scale, url in urls.items():
            warm_up[scale] = server_warm_up_seconds(url)
            settle = warm_up[scale] + 10
            print(
                f"Browser at {scale}x (server warm-up {warm_up[scale]:.1f} s in-process; warmed = {settle:.0f} s after start)"
            )
            browser[scale] = browser_first_opens(url, specs, args.timeout * 1000, settle)
    top = max(urls)
    print(f"AppTest warm reruns at {top}x", flush=True)
    compile_scripts_once()
    warm, trivial = warm_reruns(urls[top], specs, args.repeat)
    fragments = fragment_reruns(urls[top], specs, args.repeat)

    head = ["Page"]
    for scale in browser:
        head += [f"{scale}x first open, {column} s" for column in FIRST_OPEN_COLUMNS]
    head += [f"{top}x warm rerun ms", "x trivial", f"{top}x fragment rerun ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    if browser:
        row = ["(root URL, first visitor)"]
        for scale, opens in browser.items():
            row += ["-"] * (len(FIRST_OPEN_COLUMNS) - 1) + [f"{opens['same']['']:.2f}"]
        lines.append("| " + " | ".join(row + ["-", "-", "-"]) + " |")
    for spec in specs:
        row = [spec.title]
        for scale, opens in browser.items():
            row += [f"{opens[key][spec.key]:.2f}" for key in FIRST_OPEN_COLUMNS.values()]
        w = warm.get(spec.key)
        row += [
            f"{w * 1000:.0f}" if w else "-",
            f"{w / trivial:.0f}" if w else "-",
            f"{fragments[spec.key] * 1000:.0f}" if spec.key in fragments else "-",
        ]
        lines.append("| " + " | ".join(row) + " |")
    notes = [
        f"One-title page (`st.title` only), warm rerun in the same process: {trivial * 1000:.1f} ms "
        f"(20x = {20 * trivial * 1000:.0f} ms)."
    ]
    for scale, opens in browser.items():
        notes.append(
            f"At {scale}x: serve.py's warm-up (imports, every session's caches) takes {warm_up[scale]:.1f} s in one "
            f"process; a one-title Streamlit app's first open in a new tab (Streamlit's own floor) "
            f"{opens['floor']:.2f} s; a new tab on the warm Audit log {opens['tab']:.2f} s."
        )
    text = (
        f"Issue 17 goals, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"warm = median of {args.repeat}.\n\n" + "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
    )
    print()
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "goals.md").write_text(text)


if __name__ == "__main__":
    main()
