"""Talk: the session's results as slide-ready charts that cannot single anyone out."""

from functools import partial

import streamlit as st

from dashboard import privacy, talk
from dashboard.ui import loaders
from dashboard.ui.context import page_context
from dashboard.ui.widgets import md_text, stop_without_session

# Each chart's downloads: format, button label, MIME type, icon.
DOWNLOADS = (
    ("png", "PNG (2x)", "image/png", ":material/image:"),
    ("svg", "SVG", "image/svg+xml", ":material/draw:"),
)

ctx = page_context("talk")
st.title("Talk")

stop_without_session(ctx)


@st.cache_data(show_spinner=False, max_entries=64)
def slide_file(url: str, session_id: int, version: int, min_size: int, key: str, fmt: str, _figures) -> bytes:
    return talk.EXPORTERS[fmt](talk.talk_charts(_figures, talk.SLIDE)[key])


@st.cache_data(show_spinner=False, max_entries=16)
def screen_specs(url: str, session_id: int, version: int, min_size: int, _figures) -> dict[str, dict]:
    # Built and turned into Vega-Lite once per data version, not on every rerun (validated by the tests).
    charts = talk.talk_charts(_figures, talk.SCREEN)
    return {key: chart.to_dict(validate=False) for key, chart in charts.items()}


def all_files_zip(figures) -> bytes:
    return talk.zip_bytes(talk.export_files(talk.talk_charts(figures, talk.SLIDE), figures))


min_size = privacy.min_group_size(ctx.settings)
figures = loaders.talk_figures(ctx, min_size)
args = (ctx.url, ctx.session_id, ctx.version, min_size)
slug = "".join(ch if ch.isalnum() else "-" for ch in ctx.session.name.lower()).strip("-")

st.caption(
    f"{md_text(ctx.session.name)} · charts for slides and posts. Every chart is drawn from counts, shares and "
    f"averages only: groups of fewer than {min_size} people are combined with others, and no name, e-mail, "
    "GitHub handle or free-text answer is ever included. Downloads are sized for a 1920x1080 slide."
)
st.download_button(
    "Download all (PNG, SVG and numbers.json as a zip)",
    data=partial(all_files_zip, figures),
    file_name=f"{slug}-talk-charts.zip",
    mime="application/zip",
    type="primary",
    icon=":material/folder_zip:",
    on_click="ignore",
    key="download_all",
)

for key, spec in screen_specs(*args, figures).items():
    with st.container(border=True):
        st.vega_lite_chart(spec, theme=None, width="stretch")
        for column, (fmt, label, mime, icon) in zip(st.columns([1, 1, 4]), DOWNLOADS):
            column.download_button(
                label,
                data=partial(slide_file, *args, key, fmt, figures),
                file_name=f"{slug}-{key}.{fmt}",
                mime=mime,
                icon=icon,
                on_click="ignore",
                key=f"{fmt}_{key}",
            )
