"""Where a page spends its time: cProfile of warm reruns of one page in AppTest.

    .venv/bin/python -m benchmarks.profile_page selection [--scale 10] [--runs 3] [--cold] [--top 30]

Runs the app as in bench_pages.py (entrypoint + page on every run), then profiles --runs
warm reruns (or one cold rerun with --cold) inside Streamlit's script thread and prints the
functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import script_runner

from benchmarks.bench_pages import full_run, persona_for, personas
from dashboard import access
from benchmarks.demo_dbs import ensure_demo

ROOT = Path(__file__).resolve().parent.parent
PROFILE = cProfile.Profile()


def profile_script_thread() -> None:
    """Profile every script run (they happen in Streamlit's script thread, not this one)."""
    original = script_runner.ScriptRunner._run_script

    def _run_script(self, *args, **kwargs):
        PROFILE.enable()
        try:
            return original(self, *args, **kwargs)
        finally:
            PROFILE.disable()

    script_runner.ScriptRunner._run_script = _run_script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="page key, e.g. selection")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="profile one rerun after clearing st.cache_data")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ.pop("DASHBOARD_CONFIG", None)
    os.chdir(ROOT)

    url = ensure_demo(args.scale)
    spec = next(s for s in access.PAGES if s.key == args.page)
    persona = persona_for(spec, personas(url))
    _, at = full_run(url, spec, persona)
    at.run()
    profile_script_thread()
    if args.cold:
        st.cache_data.clear()
        at.run()
    else:
        for _ in range(args.runs):
            at.run()
    out = io.StringIO()
    pstats.Stats(PROFILE, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
