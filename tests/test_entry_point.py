"""The installed `mission-control` command (pyproject.toml [project.scripts]) is `python -m dashboard`:
same commands, same exit codes, from any folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "mission-control"


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def script() -> Path:
    if not SCRIPT.exists():
        pytest.fail(f"{SCRIPT} is missing: `make install` runs `pip install -e .`, which creates it.")
    return SCRIPT


def test_console_script_lists_the_same_commands_as_python_m_dashboard(script, tmp_path):
    installed = run(str(script), "--help", cwd=tmp_path)  # outside the checkout: only the install can find dashboard
    module = run(sys.executable, "-m", "dashboard", "--help", cwd=tmp_path)
    assert installed.returncode == module.returncode == 0, installed.stderr + module.stderr
    assert installed.stdout == module.stdout
    for command in ("demo", "import", "sync", "signals", "digest", "report"):
        assert f"    {command}" in installed.stdout


def test_console_script_exit_codes(script, tmp_path):
    unknown = run(str(script), "no-such-command", cwd=tmp_path)
    assert unknown.returncode == 2 and "invalid choice: 'no-such-command'" in unknown.stderr
    missing = run(str(script), "--config", str(tmp_path / "nope.toml"), "signals", "--json", cwd=tmp_path)
    assert missing.returncode == 1
    assert json.loads(missing.stdout) == {
        "ok": False,
        "error": f"Config file {tmp_path / 'nope.toml'} not found; copy dashboard.example.toml to dashboard.toml.",
    }
