"""Notebooks: committed without outputs, parameterised, and they run against the demo database
without showing anyone's personal data or a group under the minimum."""
from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import nbformat
import papermill
import pytest

from dashboard.config import PROJECT_ROOT
from tests.privacy_checks import assert_nothing_personal, gather_secrets

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {"session_report.ipynb", "review_calibration.ipynb", "wellbeing_trends.ipynb"}
MIN_GROUP_SIZE = 5  # dashboard.example.toml [privacy]


@pytest.fixture(scope="module")
def notebook_db(_demo_db_template, tmp_path_factory) -> str:
    """A private copy of the demo database for the notebooks (they only read it)."""
    path = tmp_path_factory.mktemp("notebooks") / "demo.db"
    shutil.copy(_demo_db_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def secrets(notebook_db) -> dict[str, set[str]]:
    return gather_secrets(notebook_db)


def test_the_three_notebooks_exist():
    assert EXPECTED <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_outputs_and_take_parameters(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), f"{path.name} has outputs"
    parameters = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert "database_url = None" in parameters[0].source and "session = None" in parameters[0].source
    assert "import dashboard" in "\n".join(cell.source for cell in code) or "from dashboard" in code[0].source


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_only_safe_aggregates(path, notebook_db, secrets, tmp_path):
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters={"database_url": notebook_db, "session": "2026 Session 6"},
                               kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False, log_output=False)
    nb = nbformat.read(out, as_version=4)
    texts = output_texts(nb)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert "2026 Session 6" in texts[0]  # the parameter reached the notebook
    assert any("<table" in t or "vega" in t for t in texts), "the notebook showed no table or chart"
    assert_nothing_personal(texts, secrets)
    joined = "\n".join(texts)
    # Chart data and tables: every row counts at least the minimum (people, or reviews for a reviewer).
    people = [int(n) for _, n in re.findall(r'"(people|n)":\s*(\d+)', joined)]
    for text in texts:
        for table in html_tables(text):  # DataFrames shown as tables
            header = table[0]
            for column in ("people", "n"):
                if column in header:
                    people += [int(float(row[header.index(column)])) for row in table[1:]]
    assert people, "no aggregate with a people count was shown"
    assert all(n >= MIN_GROUP_SIZE for n in people), sorted(people)[:5]


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
