"""Unit tests are collected on a machine without Playwright (only browser tests need it)."""

from __future__ import annotations

import subprocess
import sys

from tests.browser_support import ROOT

# A pytest run in which `import playwright` fails, as it does where Playwright is not installed.
BLOCKED_RUN = """
import sys

class NoPlaywright:
    def find_spec(self, name, path=None, target=None):
        if name == "playwright" or name.startswith("playwright."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by tests/test_collection.py)")
        return None

sys.meta_path.insert(0, NoPlaywright())
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def blocked_collection(*args: str) -> subprocess.CompletedProcess:
    """`pytest --collect-only` with Playwright unimportable, from the project's root."""
    return subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN, "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_test_file_but_the_browser_ones_is_collected_without_playwright():
    unit_files = sorted(p.name for p in (ROOT / "tests").glob("test_*.py") if "browser" not in p.name)
    run = blocked_collection(*(f"tests/{name}" for name in unit_files))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    collected = {line.split(":")[0] for line in run.stdout.splitlines() if line.startswith("tests/")}  # "file: count"
    assert collected == {f"tests/{name}" for name in unit_files}  # every file, not just some


def test_the_blocker_really_blocks_playwright():
    """The check above proves something: a browser test file that imports Playwright fails to collect."""
    run = blocked_collection("tests/test_browser_mapping.py")
    assert run.returncode != 0
    assert "No module named 'playwright" in run.stdout + run.stderr
