"""Run every benchmark in order and print everything (each script also runs alone).

    .venv/bin/python -m benchmarks.run_all [--quick]

Order: demo databases at 1x and 10x (built once, reused while the generator is unchanged),
pages in AppTest (bench_pages.py), CSV import (bench_import.py), Google Sheets sync through the
loopback fake (bench_sync.py), team allocation (bench_teams.py), the cohort chosen with its teams
(bench_cohort.py), then the browser
(bench_browser.py), then issue 17's goals side by side (bench_goals.py). Tables are also written to benchmarks/out/*.md. --quick uses fewer repeats.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (rough figures)")
    args = parser.parse_args()
    repeat = ["--repeat", "2"] if args.quick else []
    steps = [
        ["demo_dbs.py"],
        ["bench_pages.py", *(["--repeat", "3"] if args.quick else [])],
        ["bench_import.py", *repeat],
        ["bench_sync.py", *repeat],
        ["bench_teams.py"],
        ["bench_cohort.py", *(["--time-limits", "10"] if args.quick else [])],
        ["bench_browser.py", *repeat],
        ["bench_goals.py", *repeat],
    ]
    failed = []
    for step in steps:
        if not (HERE / step[0]).exists():
            continue
        module = f"benchmarks.{step[0].removesuffix('.py')}"
        print(f"\n=== {' '.join(step)} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", module, *step[1:]], cwd=HERE.parent)
        print(f"=== {step[0]}: exit {code}, {time.perf_counter() - started:.0f} s ===", flush=True)
        if code:
            failed.append(step[0])
    if failed:
        print("Failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
