"""The notebooks in notebooks/: how they draw charts, and running one with parameters into an HTML report.

A notebook's source is a jupytext percent-format .py file (code and text, never outputs).
``execute`` runs one with papermill on the Python that runs this code; ``write_report`` turns
the result into a page without code, to share. jupytext, papermill and nbconvert come from
requirements-notebooks.txt and are imported only when needed, so the dashboard runs without them.
"""

from __future__ import annotations

import ast
import base64
import copy
import importlib
from html import escape
from pathlib import Path
from typing import Any

from dashboard.config import PROJECT_ROOT

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
KERNEL = "python3"  # ipykernel's own kernel: the interpreter running this code, whatever kernels are installed
RENDERER = "mission_control_svg"
VEGALITE_MIME = "application/vnd.vegalite.v6+json"  # named like JupyterLab's v5 type; nbformat needs "+json"
INSTALL_HINT = "install the notebook tools first: make install-notebooks (or pip install -r requirements-notebooks.txt)"


class NotebookError(RuntimeError):
    """A notebook that cannot be found, or that stopped with an error, in one sentence."""


def static_charts() -> None:
    """Draw Altair charts in notebooks as SVG made by vl-convert, like the Talk exports.

    They show without a network (JupyterLab 4 has no Vega-Lite 6 renderer and Altair's HTML one
    loads Vega from a CDN) and look the same in JupyterLab and in an HTML report; the spec is
    kept next to the picture for tools that read it.
    """
    import altair as alt
    import vl_convert

    def render(spec: dict, **_metadata: Any) -> dict:
        return {"image/svg+xml": vl_convert.vegalite_to_svg(spec), VEGALITE_MIME: spec}

    alt.renderers.register(RENDERER, render)
    alt.renderers.enable(RENDERER)


def names() -> list[str]:
    """The notebooks there are, by name (the .py file without its extension)."""
    return sorted(path.stem for path in NOTEBOOK_DIR.glob("*.py"))


def path_of(name: str) -> Path:
    """The source file of a notebook; NotebookError naming the ones there are otherwise."""
    path = NOTEBOOK_DIR / f"{Path(name).stem}.py"
    if not path.is_file():
        raise NotebookError(f"There is no notebook '{name}' in notebooks/; pick one of: {', '.join(names())}.")
    return path


def _tool(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        raise NotebookError(f"Running a notebook needs {module.split('.')[0]}; {INSTALL_HINT}.") from None


def read(name: str):
    """A notebook's source as an nbformat notebook (no outputs)."""
    return _tool("jupytext").read(path_of(name))


def parameters(notebook) -> set[str]:
    """The names set in the notebook's cell tagged 'parameters' (what papermill may override)."""
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    tree = ast.parse("\n".join(c.source for c in cells))
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def execute(name: str, values: dict[str, Any], timeout: int = 600):
    """Run a notebook top to bottom with papermill parameters; the executed notebook, or NotebookError."""
    papermill, kernel_errors = _tool("papermill"), _tool("nbclient.exceptions")
    try:
        return papermill.execute_notebook(
            read(name),
            None,
            parameters=values,
            kernel_name=KERNEL,
            cwd=str(NOTEBOOK_DIR),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            # the kernel's own log (loopback TCP is unencrypted; interrupted at
            # shutdown) is noise here: what a cell raises comes back below
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as exc:
        raise NotebookError(
            f"The notebook '{name}' stopped at cell {exc.exec_count} "
            f"({exc.ename}: {exc.evalue.strip()[:300]}); fix that and run it again."
        ) from None
    except (kernel_errors.DeadKernelError, kernel_errors.CellTimeoutError) as exc:
        reason = str(exc).strip().splitlines()[0][:300]
        raise NotebookError(
            f"The notebook '{name}' did not finish ({reason}); run it in JupyterLab to see where."
        ) from None


def _chart_title(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text or "A chart")


def html(notebook) -> str:
    """An executed notebook as one HTML page without code or warnings, in the app's dark look."""
    notebook = copy.deepcopy(notebook)
    exporter = _tool("nbconvert").HTMLExporter(
        template_name="lab", theme="dark", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    for cell in notebook.cells:  # warnings printed while running are for whoever runs it, not for readers
        cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
        for output in cell["outputs"]:
            data = output.get("data", {})
            if "image/svg+xml" in data and VEGALITE_MIME in data:  # a chart: its title is the picture's alt text
                picture = base64.b64encode(data["image/svg+xml"].encode("utf-8")).decode("ascii")
                output["data"] = {
                    "text/html": f'<img alt="{escape(_chart_title(data[VEGALITE_MIME]))}" '
                    f'src="data:image/svg+xml;base64,{picture}">'
                }
    first = next((c.source for c in notebook.cells if c.cell_type == "markdown"), "")
    title = first.splitlines()[0].lstrip("# ").strip() if first else "Mission Control"
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def write_report(name: str, values: dict[str, Any], folder: Path) -> Path:
    """Run a notebook into folder/report.html; a notebook with an ``export_dir`` parameter writes its files there too."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if "export_dir" in parameters(read(name)):
        values = {**values, "export_dir": str(folder)}
    page = folder / "report.html"
    page.write_text(html(execute(name, values)), encoding="utf-8")
    return page
