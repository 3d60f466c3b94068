"""Talk charts as files: PNG, SVG, a zip, and numbers.json with the headline figures."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from dashboard.talk.figures import NUMBERS_JSON, TalkFigures


def numbers_json(figures: TalkFigures) -> dict[str, Any]:
    """The headline figures as written to numbers.json."""
    return {"session": figures.session_name, "min_group_size": figures.min_group_size, **figures.numbers}


def png_bytes(chart: alt.Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG (twice the pixels by default, crisp on a projector)."""
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=scale)


def svg_bytes(chart: alt.Chart) -> bytes:
    """The chart as an SVG document."""
    return vl_convert.vegalite_to_svg(chart.to_dict()).encode("utf-8")


EXPORTERS = {"png": png_bytes, "svg": svg_bytes}


def export_files(
    charts: dict[str, alt.Chart], figures: TalkFigures, formats: tuple[str, ...] = ("png", "svg")
) -> dict[str, bytes]:
    """File name -> content for every chart in each format, plus numbers.json."""
    files = {
        f"{i:02d}-{name}.{fmt}": EXPORTERS[fmt](chart)
        for fmt in formats
        for i, (name, chart) in enumerate(charts.items(), start=1)
    }
    files[NUMBERS_JSON] = json.dumps(numbers_json(figures), indent=2, ensure_ascii=False).encode("utf-8")
    return dict(sorted(files.items()))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive of export files (the Talk page's "Download all")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write export files into a directory (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        written.append(path)
    return written
