"""One Altair theme for the app and the slides: a calm space look, colour-blind safe.

The palette is Okabe-Ito. Pages draw charts with ``st.altair_chart(chart, theme=None)`` so
Streamlit does not restyle them, and exported PNG/SVG look the same as on screen.
"""

from __future__ import annotations

import altair as alt

NAME = "mission_control"
BACKGROUND = "#0b1026"  # deep space navy, also the app's background (.streamlit/config.toml)
PANEL = "#151c3b"
TEXT = "#e8ecff"
MUTED = "#9aa5d1"
GRID = "#2a3361"
PALETTE = ["#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#0072B2", "#D55E00", "#FFFFFF"]
ACCENT = PALETTE[0]
WARN = PALETTE[6]  # vermillion: over the expected band, rule broken
OK = PALETTE[2]
SEQUENTIAL = ["#151c3b", "#1f3b73", "#2d6aa5", "#56B4E9", "#bfe6fb"]
FONT = "Inter, 'DejaVu Sans', Helvetica, Arial, sans-serif"


def theme_config() -> dict:
    """The Vega-Lite config shared by every chart."""
    return {
        "config": {
            "background": BACKGROUND,
            "padding": 12,
            "font": FONT,
            "view": {"stroke": None, "fill": BACKGROUND},
            "title": {
                "color": TEXT,
                "fontSize": 20,
                "fontWeight": 600,
                "anchor": "start",
                "subtitleColor": MUTED,
                "subtitleFontSize": 14,
                "offset": 12,
            },
            "axis": {
                "labelColor": MUTED,
                "titleColor": TEXT,
                "gridColor": GRID,
                "domainColor": GRID,
                "tickColor": GRID,
                "labelFontSize": 13,
                "titleFontSize": 14,
                "titleFontWeight": 500,
            },
            "legend": {
                "labelColor": TEXT,
                "titleColor": TEXT,
                "labelFontSize": 13,
                "titleFontSize": 14,
                "orient": "bottom",
            },
            "header": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 14},
            "range": {"category": PALETTE, "ordinal": SEQUENTIAL, "ramp": SEQUENTIAL, "heatmap": SEQUENTIAL},
            "bar": {"color": ACCENT, "cornerRadiusEnd": 3},
            "line": {"color": ACCENT, "strokeWidth": 3},
            "point": {"color": ACCENT, "filled": True, "size": 70},
            "area": {"color": ACCENT, "opacity": 0.8},
            "rule": {"color": MUTED},
            "text": {"color": TEXT, "fontSize": 14},
        }
    }


@alt.theme.register(NAME, enable=True)
def _mission_control() -> alt.theme.ThemeConfig:
    return alt.theme.ThemeConfig(theme_config())


def enable() -> None:
    """Make the Mission Control theme the active Altair theme (done on import)."""
    alt.theme.enable(NAME)
