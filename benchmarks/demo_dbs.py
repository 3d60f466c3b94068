"""Demo databases at 1x and 10x for the benchmarks, built once and reused while the generator is unchanged.

    .venv/bin/python -m benchmarks.demo_dbs [--scale 1 10] [--rebuild]

Each scale gets its own SQLite file under benchmarks/out/ (gitignored), written by the real
command `python -m dashboard demo --scale K --database URL`. A stamp file beside the database
holds a hash of the code that shapes the data (demo generator, importer, schema); when that
code changes, the database is rebuilt.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SHAPING_CODE = [
    "dashboard/demo.py",
    "dashboard/models.py",
    "dashboard/fields.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "dashboard" / "importer").glob("*.py")),
]


def _code_hash() -> str:
    digest = hashlib.sha256()
    paths = [ROOT / p for p in SHAPING_CODE] + sorted((ROOT / "dashboard" / "migrations" / "versions").glob("*.py"))
    for path in paths:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_path(scale: int) -> Path:
    """The SQLite file of the demo at this scale."""
    return OUT / f"demo-{scale}x.db"


def database_url(scale: int) -> str:
    """The SQLAlchemy URL of the demo at this scale."""
    return f"sqlite:///{database_path(scale)}"


def ensure_demo(scale: int, *, rebuild: bool = False, quiet: bool = False) -> str:
    """Build the demo at this scale unless an up-to-date one exists; returns its database URL."""
    OUT.mkdir(parents=True, exist_ok=True)
    path, stamp = database_path(scale), database_path(scale).with_suffix(".stamp")
    wanted = _code_hash()
    if not rebuild and path.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return database_url(scale)
    for stale in (path, stamp):
        stale.unlink(missing_ok=True)
    if not quiet:
        print(f"Building the demo at {scale}x into {path.relative_to(ROOT)} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dashboard", "demo", "--scale", str(scale), "--database", database_url(scale)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(wanted + "\n")
    if not quiet:
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    return database_url(scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--rebuild", action="store_true", help="rebuild even when an up-to-date database exists")
    args = parser.parse_args()
    for scale in args.scale:
        print(ensure_demo(scale, rebuild=args.rebuild))


if __name__ == "__main__":
    main()
