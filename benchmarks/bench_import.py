"""Benchmark: importing 10x the demo's check-ins and applications from CSV, beside pandas parsing the same CSV.

    .venv/bin/python -m benchmarks.bench_import [--scale 10] [--repeat 3]

The current demo session's raw check-ins and applications (as the forms export them, with
the demo's messy answers) are written to CSV under benchmarks/out/import/. Each is then
imported the way `python -m dashboard import FILE --table T` does it: read the file as
strings (data_sources.files.read_sheets), map, validate and store raw and canonical rows in one
transaction (dashboard.importer.import_tables) into a fresh migrated SQLite database (schema
creation is not timed; the session's people and teams are imported first, untimed). Then the
same file is imported again unchanged (every row is compared, nothing is written). Prints
seconds and rows per second for each, beside pandas.read_csv of the same file alone.
(A Google Sheets sync of the same data is benchmarks/bench_sync.py.)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from dashboard import db as dbmod
from dashboard import demo
from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings
from dashboard.importer import TableInput, import_tables
from data_sources.files import read_sheets

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "import"
TABLES = ("checkins", "applications")


def median_seconds(fn, repeat: int) -> tuple[float, object]:
    """Median seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def import_file(url: str, settings, path: Path, table: str):
    """What `python -m dashboard import FILE --table TABLE` does, minus the printing."""
    raw = read_sheets(path)[0]
    return import_tables(
        url,
        settings,
        [TableInput(table, raw.frame, raw.name, raw.row_numbers)],
        source=f"file:{path.name}",
        session_name=demo.CURRENT_SESSION[0],
    )[0]


def fresh_database(settings, current: dict) -> str:
    """A migrated SQLite database holding the demo session's people and teams (untimed)."""
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-import-')) / 'bench.db'}"
    dbmod.migrate(url)
    inputs = [TableInput(t, current["tables"][t], demo.SHEET_NAMES[t]) for t in ("people", "teams")]
    import_tables(url, settings, inputs, source="bench setup", session_name=demo.CURRENT_SESSION[0])
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    args = parser.parse_args()

    print(f"Generating the demo at {args.scale}x ...", flush=True)
    settings = demo.demo_settings(load_settings(EXAMPLE_CONFIG_PATH))  # the demo forms' mapping and date order
    data = demo.generate(42, args.scale, settings)
    current = next(s for s in data.sessions if s["name"] == demo.CURRENT_SESSION[0])
    OUT.mkdir(parents=True, exist_ok=True)

    rows_out = []
    for table in TABLES:
        frame = current["tables"][table]
        path = OUT / f"{table}-{args.scale}x.csv"
        frame.to_csv(path, index=False)
        size_kb = path.stat().st_size / 1024

        pandas_s, _ = median_seconds(lambda: pd.read_csv(path, dtype=str, keep_default_na=False), args.repeat)
        databases = [fresh_database(settings, current) for _ in range(args.repeat)]
        first_s, result = median_seconds(lambda: import_file(databases.pop(), settings, path, table), args.repeat)
        url = fresh_database(settings, current)
        import_file(url, settings, path, table)
        again_s, again = median_seconds(lambda: import_file(url, settings, path, table), args.repeat)
        n = len(frame)
        rows_out.append((table, n, size_kb, pandas_s, first_s, again_s, result, again))

    print()
    print(f"Import of the demo's current session at {args.scale}x from CSV (median of {args.repeat} runs)")
    print()
    lines = [
        "| Table | Rows | CSV KB | pandas.read_csv rows/s | import rows/s (first) | re-import unchanged rows/s | "
        "import / pandas time | stored / rejected |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for table, n, size_kb, pandas_s, first_s, again_s, result, again in rows_out:
        lines.append(
            f"| {table} | {n:,} | {size_kb:,.0f} | {n / pandas_s:,.0f} | {n / first_s:,.0f} | "
            f"{n / again_s:,.0f} | {first_s / pandas_s:,.0f}x | {result.rows_stored:,} / {result.rows_rejected:,} |"
        )
    text = "\n".join(lines)
    print(text)
    print()
    for table, n, size_kb, pandas_s, first_s, again_s, result, again in rows_out:
        print(
            f"{table}: pandas {pandas_s * 1000:,.0f} ms, import {first_s * 1000:,.0f} ms, "
            f"re-import {again_s * 1000:,.0f} ms ({again.rows_inserted} new, {again.rows_updated} changed)"
        )
    print(
        "\nThe import reads the same CSV with pandas, then maps, parses and validates every value "
        "and writes the raw and the canonical row of each in one transaction."
    )
    (OUT.parent / "import.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
