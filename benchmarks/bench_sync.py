"""Benchmark: a Google Sheets sync of 10x the demo session, beside pandas parsing the same rows.

    .venv/bin/python -m benchmarks.bench_sync [--scale 10] [--repeat 3]

The spreadsheet is served by the loopback fake of the Sheets API (tests/fake_sheets.py)
through the real gspread client, so the figures include HTTP, JSON and the token request but
not Google's own latency. Rows: the current demo session's tabs (applications, reviews,
decisions, teams, people, check-ins, surveys). Prints seconds and rows/s for: reading the
spreadsheet only (2 API requests), a first sync (read, validate and insert everything in one
transaction), a second sync of the unchanged sheet, and pandas.read_csv of the same tabs as CSV.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from dashboard import db as dbmod
from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings, with_overrides
from dashboard.sync import sync_spreadsheet
from data_sources import google_sheets as gs
from tests.fake_sheets import FakeSheets, demo_tab_config, demo_tabs, service_account_info


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="demo scale (10 = ten times the demo session)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    args = parser.parse_args()

    print(f"Generating the demo session at scale {args.scale}...", flush=True)
    tabs = demo_tabs(42, args.scale)
    tab_config = demo_tab_config()
    frames = {title: tabs[title] for title in tab_config.values()}
    rows = sum(len(f) for f in frames.values())
    cells = sum(f.size for f in frames.values())
    csv_texts = {title: frame.to_csv(index=False) for title, frame in frames.items()}

    settings = load_settings(EXAMPLE_CONFIG_PATH)
    with FakeSheets(tabs=tabs) as fake:
        sources = dict(
            settings.section("sources"), spreadsheet=fake.spreadsheet_url, sheets_api_url=fake.url, tabs=tab_config
        )
        run_settings = with_overrides(settings, sources=sources)
        info = service_account_info(fake.token_uri)
        secrets = {"gcp_service_account": info}

        read_s, read = timed(
            lambda: gs.read_spreadsheet(fake.spreadsheet_url, tab_config, info, base_url=fake.url), args.repeat
        )
        requests_per_read = read.requests

        fresh = []
        for _ in range(args.repeat):  # empty, migrated databases, so schema creation is not timed
            fresh.append(f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
            dbmod.migrate(fresh[-1])

        def first_sync():
            url = fresh.pop()
            return url, sync_spreadsheet(url, run_settings, secrets=secrets)

        first_s, (url, outcome) = timed(first_sync, args.repeat)
        again_s, again = timed(lambda: sync_spreadsheet(url, run_settings, secrets=secrets), args.repeat)
        stored = sum(r.rows_stored for r in outcome.results)
        rejected = sum(r.rows_rejected for r in outcome.results)
        unchanged = all(r.rows_inserted == 0 and r.rows_updated == 0 for r in again.results)

    csv_s, _ = timed(
        lambda: {t: pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False) for t, text in csv_texts.items()},
        args.repeat,
    )

    print()
    print(
        f"Demo session x{args.scale}: {len(frames)} tabs, {rows:,} rows, {cells:,} cells "
        f"({stored:,} stored, {rejected:,} rejected); median of {args.repeat} runs."
    )
    print(f"{'step':<52}{'seconds':>10}{'rows/s':>12}")
    for label, seconds in [
        (f"read spreadsheet only ({requests_per_read} API requests + token)", read_s),
        ("first sync (read + validate + insert, 1 transaction)", first_s),
        ("second sync, sheet unchanged" + ("" if unchanged else " (CHANGED ROWS!)"), again_s),
        ("pandas.read_csv of the same tabs (parse only)", csv_s),
    ]:
        print(f"{label:<52}{seconds:>10.3f}{rows / seconds:>12,.0f}")
    print(
        f"\nA sync takes {first_s / csv_s:,.0f}x pandas' parse time: the difference is HTTP + JSON, "
        "validating every value and writing raw and canonical rows."
    )


if __name__ == "__main__":
    main()
