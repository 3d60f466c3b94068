"""Notebooks: reviewable jupytext sources that never carry outputs, run top to bottom with papermill
parameters on the demo (SQLite, and PostgreSQL when configured; required in CI) without showing
anyone's personal data; the shareable ones show no group under the minimum; the report command
writes the session comparison as HTML with its CSV files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import jupytext
import nbformat
import pytest

from dashboard import comparison, demo, notebooks, reads
from dashboard.config import PROJECT_ROOT, load_settings
from tests.conftest import postgres_schema
from tests.privacy_checks import assert_nothing_personal, gather_secrets

SESSION = "2026 Session 6"
SHAREABLE = {"session_report", "session_comparison", "review_calibration"}
ORGANISERS_ONLY = {"wellbeing_trends"}  # team-level figures: 3-4 people per team
MIN_GROUP_SIZE = 5  # dashboard.example.toml [privacy]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def notebook_db(request, _demo_db_template, tmp_path_factory, settings):
    """The demo database the notebooks read: a copy of the SQLite one, or built in a PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("notebooks") / "demo.db"
        shutil.copy(_demo_db_template, path)
        yield f"sqlite:///{path}"
        return
    with postgres_schema() as url:
        demo.build(url, settings, seed=42, scale=1)
        yield url


@pytest.fixture(scope="module")
def runs(notebook_db):
    """Each notebook executed once per database (papermill parameters: the database and the session)."""
    cache: dict[str, nbformat.NotebookNode] = {}

    def run(name: str) -> nbformat.NotebookNode:
        if name not in cache:
            cache[name] = notebooks.execute(name, {"database_url": notebook_db, "session": SESSION})
        return cache[name]

    return run


@pytest.fixture(scope="module")
def secrets(notebook_db) -> dict[str, set[str]]:
    return gather_secrets(notebook_db)


def test_every_notebook_is_classified_as_shareable_or_for_organisers():
    assert set(notebooks.names()) == SHAREABLE | ORGANISERS_ONLY


@pytest.mark.parametrize("name", notebooks.names())
def test_source_is_percent_format_code_with_parameters(name):
    path = notebooks.path_of(name)
    text = path.read_text(encoding="utf-8")
    assert "\n# %%" in text and text.startswith("# ---\n# jupyter:\n#   kernelspec:")
    nb = jupytext.read(path)
    assert nb.metadata["kernelspec"]["name"] == "mission-control"
    assert {"database_url", "session"} <= notebooks.parameters(nb)
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert (
        len(parameters) == 1
        and "database_url = None" in parameters[0].source
        and "session = None" in parameters[0].source
    )
    # Saving from JupyterLab (this folder's jupytext.toml) writes back exactly the same text.
    config = jupytext.config.load_jupytext_config(str(notebooks.NOTEBOOK_DIR))
    assert jupytext.writes(nb, fmt="py:percent", config=config) == text


def tracked_notebooks() -> list:
    """Every .ipynb in the repository's git index (every one on disk, outside .venv, without git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.ipynb"], cwd=PROJECT_ROOT, check=True, capture_output=True, text=True
        ).stdout.split("\0")
        return [PROJECT_ROOT / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in PROJECT_ROOT.rglob("*.ipynb") if ".venv" not in p.parts]


def test_no_outputs_are_committed():
    committed = tracked_notebooks()
    assert not [p for p in committed if p.parent == notebooks.NOTEBOOK_DIR], (
        "notebooks/ keeps only the jupytext .py sources; remove the .ipynb from git"
    )
    with_outputs = [
        p.name
        for p in committed
        if any(c.get("outputs") or c.get("execution_count") for c in nbformat.read(p, as_version=4).cells)
    ]
    assert not with_outputs, f"committed notebooks with outputs: {with_outputs}"


def output_texts(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            elif output.output_type == "error":
                texts.append("\n".join(output.traceback))
            for value in output.get("data", {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def group_sizes(texts: list[str]) -> list[int]:
    """People behind every row of every chart's data and every table shown."""
    joined = "\n".join(texts)
    sizes = [int(n) for _, n in re.findall(r'"(people|n|smallest_group)":\s*(\d+)', joined)]
    for text in texts:
        for table in html_tables(text):
            header = table[0]
            for column in ("people", "n", "smallest_group"):
                if column in header:
                    sizes += [int(float(row[header.index(column)])) for row in table[1:] if row[header.index(column)]]
    return sizes


@pytest.mark.parametrize("name", notebooks.names())
def test_notebook_runs_top_to_bottom_and_shows_nothing_personal(name, runs, secrets):
    nb = runs(name)
    texts = output_texts(nb)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert SESSION in texts[0]  # the parameter reached the notebook
    charts = [o for c in nb.cells for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
    assert charts and all(notebooks.VEGALITE_MIME in o.data for o in charts)
    assert_nothing_personal(texts, secrets)
    if name in SHAREABLE:
        sizes = group_sizes(texts)
        assert sizes, "no aggregate with a people count was shown"
        assert min(sizes) >= MIN_GROUP_SIZE, sorted(sizes)[:5]


def test_wellbeing_trends_shows_every_team_week_by_week(runs, notebook_db):
    texts = "\n".join(output_texts(runs("wellbeing_trends")))
    sessions = reads.sessions_frame(notebook_db)
    teams = reads.load_table(notebook_db, int(sessions.loc[sessions["name"] == SESSION, "id"].iloc[0]), "teams")
    assert len(teams) > 1 and all(team in texts for team in teams["name"])
    assert "Mean burnout" in texts and "Wellbeing signals raised" in texts


def test_session_comparison_compares_every_session_up_to_the_chosen_one(runs, notebook_db):
    texts = "\n".join(output_texts(runs("session_comparison")))
    result = comparison.compare_sessions(notebook_db, load_settings(), SESSION)
    assert f"Comparing {len(result.sessions)} sessions" in texts and len(result.sessions) > 1
    assert all(name in texts for name in result.sessions)


def test_a_notebook_that_fails_says_where_in_one_sentence(notebook_db):
    with pytest.raises(notebooks.NotebookError, match=r"stopped at cell \d+ \(SessionNotFound: Session 'No such'"):
        notebooks.execute("session_report", {"database_url": notebook_db, "session": "No such"})
    with pytest.raises(notebooks.NotebookError, match="no notebook 'nope'.*session_comparison"):
        notebooks.path_of("nope")


def test_a_notebook_on_a_database_without_data_says_so(tmp_path):
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(
        notebooks.NotebookError, match=r"\(SessionNotFound: This database holds no Mission Control data yet; run"
    ):
        notebooks.execute("session_report", {"database_url": empty})


# --- the HTML report --------------------------------------------------------------------


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
    )


def test_report_writes_the_session_comparison_as_html_with_its_csv_files(demo_url, tmp_path):
    out = tmp_path / "report"
    done = report("report", "--database", demo_url, "--session", SESSION, "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] and summary["session"] == SESSION
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<title>Session comparison</title>" in page
    charts = re.findall(r'<img alt="([^"]+)" src="data:image/svg\+xml;base64,', page)
    assert len(charts) == 3 and charts[0].startswith("Applications per session: ")  # titled charts, not blank alt
    assert (
        "jp-CodeCell" in page and "hl-ipython3" not in page and "compare_sessions" not in page
    )  # figures only, no code
    assert_nothing_personal([page], gather_secrets(demo_url))
    expected = comparison.comparison_files(comparison.compare_sessions(demo_url, load_settings(), SESSION))
    assert set(summary["files"]) == {"report.html", *expected}
    assert {name: (out / name).read_bytes() for name in expected} == expected


def test_report_for_a_session_that_does_not_exist_says_which_ones_do(demo_url, tmp_path):
    done = report("report", "--database", demo_url, "--session", "2030 Session 9", "--out", str(tmp_path / "r"))
    assert done.returncode == 1
    assert done.stderr.strip().startswith("Error: Session '2030 Session 9' not found (known sessions: 2024 Session 1")
    assert "Traceback" not in done.stderr and not (tmp_path / "r").exists()


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """Rows of cells of every HTML table (pandas' header row first; the index column is kept)."""
    parser = _Tables()
    parser.feed(html)
    tables = []
    for rows in parser.tables:
        rows = [r for r in rows if any(r)]
        if rows:
            width = max(len(r) for r in rows)
            tables.append([[""] * (width - len(r)) + r for r in rows])
    return tables
