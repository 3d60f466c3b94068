"""Benchmark: every page of the app at 1x and 10x the demo, cold and warm, measured with AppTest.

    .venv/bin/python -m benchmarks.bench_pages [--repeat 5] [--scale 1 10] [--pages overview data] [--rebuild]

What is measured (all in this one Python process, modules already imported):
- cold: the page is opened once (untimed: AppTest's own start-up costs ~0.5 s), then
  `st.cache_data.clear()` and one timed rerun of the app (streamlit_app.py: demo persona,
  sessions query, navigation, then the page). Every table the page needs is read from the
  database and every cached derived frame is computed again.
- warm: the median of --repeat further reruns (entrypoint + page, caches filled): what every
  widget change, or opening the page again, costs on the server.

Each page is opened as the first demo persona that may open it (Organiser when allowed, the
widest view). Results go to stdout and benchmarks/out/pages.md as a markdown table.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import access, reads
from benchmarks.demo_dbs import OUT, ensure_demo

ROOT = Path(__file__).resolve().parent.parent
PERSONA_ORDER = ("Organiser", "Reviewer", "Captain", "Navigator")


def personas(url: str) -> dict[str, access.Viewer]:
    """The demo personas of the current session (label -> viewer), as the app offers them."""
    from dashboard.ui import auth

    sessions = reads.sessions_frame(url)
    sid = int(sessions.iloc[-1]["id"])
    return auth.demo_personas(reads.load_table(url, sid, "people"), reads.load_table(url, sid, "teams"))


def persona_for(spec: access.PageSpec, offered: dict[str, access.Viewer]) -> str | None:
    """The widest persona that may open this page."""
    for prefix in PERSONA_ORDER:
        for label, viewer in offered.items():
            if label.startswith(prefix) and access.may_open(viewer, spec.key):
                return label
    return None


def full_run(url: str, spec: access.PageSpec, persona: str) -> tuple[float, AppTest]:
    """Open the page in a fresh AppTest (default page first, then the page); seconds of the page's run."""
    os.environ["DASHBOARD_DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    at.session_state["demo_viewer"] = persona
    at.run()
    at.switch_page(spec.path)  # resolved through the pages st.navigation registered
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started, at


def problems(at: AppTest, spec: access.PageSpec) -> str:
    """Why a run does not count (exception, error, wrong page), or ''."""
    if at.exception:
        exc = at.exception[0]
        return f"exception: {exc.message} ({' / '.join(line.strip() for line in exc.stack_trace[-2:])})"[:300]
    shown = at._registered_pages.get(at._finished_page_script_hash, {}).get("script_path", "")
    if not str(shown).endswith(spec.path):
        return f"ran {shown or 'another page'} instead of {spec.path}"
    errors = [str(e.value) for e in at.error]
    return f"error: {errors[0]}"[:160] if errors else ""


def timed_rerun(at: AppTest) -> float:
    """Seconds for one rerun of an AppTest (entrypoint + page)."""
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def measure(url: str, spec: access.PageSpec, persona: str, repeat: int) -> dict:
    """Cold and warm (median of reruns) seconds of one page."""
    _, at = full_run(url, spec, persona)  # opens the page; AppTest's own start-up is not timed
    st.cache_data.clear()
    cold = timed_rerun(at)
    issue = problems(at, spec)
    warm = statistics.median(timed_rerun(at) for _ in range(repeat))
    return {"cold": cold, "warm": warm, "issue": issue or problems(at, spec)}


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f}"


def table(results: dict, scales: list[int]) -> str:
    """The markdown table of all results."""
    lo, hi = scales[0], scales[-1]
    head = ["Page", "Persona"]
    for scale in scales:
        head += [f"{scale}x cold ms", f"{scale}x warm ms"]
    if len(scales) > 1:
        head += [f"warm {hi}x/{lo}x"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    for (key, title, persona), by_scale in results.items():
        row = [title, persona]
        for scale in scales:
            r = by_scale.get(scale)
            row += [ms(r and r["cold"]), ms(r and r["warm"])]
            if r and r["issue"]:
                notes.append(f"- {title} at {scale}x: {r['issue']}")
        if len(scales) > 1:
            a, b = by_scale.get(lo), by_scale.get(hi)
            row.append(f"{b['warm'] / a['warm']:.2f}" if a and b else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines + ([""] + notes if notes else []))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per page (the median is shown)")
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--pages", nargs="*", help="page keys to measure (default: every page in access.PAGES)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the demo databases")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ.pop("DASHBOARD_CONFIG", None)
    os.chdir(ROOT)

    urls = {scale: ensure_demo(scale, rebuild=args.rebuild) for scale in args.scale}
    specs = [s for s in access.PAGES if not args.pages or s.key in args.pages]
    results: dict = {}
    for scale, url in urls.items():
        offered = personas(url)
        for spec in specs:
            persona = persona_for(spec, offered)
            if persona is None:
                print(f"{spec.key} at {scale}x: no demo persona may open it; skipped", flush=True)
                continue
            r = measure(url, spec, persona, args.repeat)
            results.setdefault((spec.key, spec.title, persona.split(" of ")[0]), {})[scale] = r
            print(
                f"{spec.key:<12} {scale:>3}x  cold {ms(r['cold']):>7} ms  warm {ms(r['warm']):>7} ms  {r['issue']}",
                flush=True,
            )

    header = (
        f"Pages, measured with AppTest on {os.cpu_count()} cores ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}); "
        f"cold = first run after st.cache_data.clear(); warm = median of {args.repeat} reruns "
        "(entrypoint + page, caches filled).\n\n"
    )
    text = header + table(results, args.scale) + "\n"
    print()
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pages.md").write_text(text)
    print(f"Written to {(OUT / 'pages.md').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
