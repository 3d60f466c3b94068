"""Issue 17's goals side by side in one run: first opens in Chromium, warm reruns against a trivial page, fragments.

    .venv/bin/python -m benchmarks.bench_goals [--scale 1 10] [--repeat 5] [--pages overview teams] [--skip-browser]

- browser first open, fresh server (per page and scale): a new `streamlit run`, then one
  Chromium tab opens the page; seconds until Streamlit reports the script finished (as
  bench_browser.py). Every cache is empty and nothing but Streamlit itself is imported.
  Goal: under 1 s at 1x, 1.5 s at 10x.
- browser first open, same server: one server per scale; the root URL first (the first
  visitor), then each page once in a new tab. What the first visitor's later pages cost, and
  what the background warm-up (dashboard/ui/warmup.py) buys.
- trivial tab: a new tab on the Audit log once everything is warm: the part of every open that
  is the browser loading and starting Streamlit's JavaScript, whatever the page.
- warm rerun (AppTest, 10x): median of --repeat full reruns (entrypoint + page), as
  bench_pages.py, against a one-title page (`st.title` only) rerun the same number of times in
  the same process. Goal: at most 20x the trivial page.
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
import time

from benchmarks.demo_dbs import OUT, ensure_demo
from dashboard import access
from dashboard.config import PROJECT_ROOT

TRIVIAL = "import streamlit as st\nst.title('Trivial')\n"


def browser_first_opens(url: str, specs: list, timeout_ms: float) -> tuple[dict, dict, float]:
    """(fresh-server first open per page, same-server first open per page, trivial new tab) in seconds."""
    from benchmarks.bench_browser import open_and_time
    from tests.browser_support import chromium, streamlit_server

    fresh, same = {}, {}
    with chromium() as browser:
        for spec in specs:
            with streamlit_server(url) as base:
                fresh[spec.key], problem = open_and_time(browser, base, spec.key, timeout_ms)
            print(f"  {spec.key:<12} fresh server first open {fresh[spec.key]:6.2f} s {problem}", flush=True)
        with streamlit_server(url) as base:
            same[""], problem = open_and_time(browser, base, "", timeout_ms)
            print(f"  {'(root URL)':<12} first visitor          {same['']:6.2f} s {problem}", flush=True)
            for spec in specs:
                time.sleep(1)  # a person reads the page before opening the next one
                same[spec.key], problem = open_and_time(browser, base, spec.key, timeout_ms)
                print(f"  {spec.key:<12} same server first open {same[spec.key]:6.2f} s {problem}", flush=True)
            trivial = statistics.median(open_and_time(browser, base, "audit", timeout_ms)[0] for _ in range(3))
    return fresh, same, trivial


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
    browser = {}
    if not args.skip_browser:
        for scale, url in urls.items():
            print(f"Browser at {scale}x", flush=True)
            browser[scale] = browser_first_opens(url, specs, args.timeout * 1000)
    top = max(urls)
    print(f"AppTest warm reruns at {top}x", flush=True)
    warm, trivial = warm_reruns(urls[top], specs, args.repeat)
    fragments = fragment_reruns(urls[top], specs, args.repeat)

    head = ["Page"]
    for scale in browser:
        head += [f"{scale}x first open, fresh server s", f"{scale}x first open, same server s"]
    head += [f"{top}x warm rerun ms", "x trivial", f"{top}x fragment rerun ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    if browser:
        row = ["(root URL, first visitor)"]
        for scale, (_, same, _) in browser.items():
            row += ["-", f"{same['']:.2f}"]
        lines.append("| " + " | ".join(row + ["-", "-", "-"]) + " |")
    for spec in specs:
        row = [spec.title]
        for scale, (fresh, same, _) in browser.items():
            row += [f"{fresh[spec.key]:.2f}", f"{same[spec.key]:.2f}"]
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
    notes += [
        f"Trivial new tab at {scale}x (Audit log, everything warm; the browser loading Streamlit's "
        f"JavaScript): {t:.2f} s."
        for scale, (_, _, t) in browser.items()
    ]
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
