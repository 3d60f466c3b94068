"""Small Streamlit pieces every page uses: banners, empty states, safe text, errors, charts."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.ui import loaders
from dashboard.ui.context import PageContext

log = logging.getLogger("mission_control")
MARKDOWN_CHARACTERS = re.compile(r"([\\`*_\[\]()#!|<>~$:])")  # markup anywhere: links, images, code, emphasis,
# tables, strikethrough, LaTeX, Streamlit's :colour[...] and :material/icon:, autolinks (https\://)
LINE_MARKERS = re.compile(r"(?:^|(?<=[\r\n]))([ \t]*\d*)([-+.)=])")  # lists, numbered lists, setext headings
WWW_LINK = re.compile(r"(www)\.", re.IGNORECASE)  # GitHub Markdown links www.example.com by itself


def md_text(text) -> str:
    """Outside text (a name from a form, a sheet's error, a session or tab name) for a Markdown message:
    every character that could start markup is escaped, so it shows exactly as written."""
    escaped = MARKDOWN_CHARACTERS.sub(r"\\\1", str(text))
    return WWW_LINK.sub(r"\1\\.", LINE_MARKERS.sub(r"\1\\\2", escaped))


def empty_state(message: str, next_step: str) -> None:
    """Say what is missing and what to do about it."""
    st.info(f"{message}\n\n**Next step:** {next_step}", icon=":material/lightbulb:")


def stop_without_session(ctx: PageContext, to_import: str = "your form exports") -> None:
    """The empty state of a page that needs a session: say what to do, then stop the page."""
    if ctx.session is None:
        empty_state(
            "There is no session in the database yet.",
            f"Run `python -m dashboard demo` to explore with demo data, or import {to_import} on the Data page.",
        )
        st.stop()


def demo_banner(ctx: PageContext) -> None:
    """Tell people they are looking at synthetic data, and how to bring their own safely."""
    st.warning(
        "You are looking at **demo data**: a synthetic program with made-up people, shown to anyone who can open "
        "this app. To use your own data, set up sign-in (docs/deploy.md), or start Mission Control for yourself "
        "alone with `DASHBOARD_LOCAL_MODE=1 make run`.",
        icon=":material/science:",
    )


def local_banner() -> None:
    """Local mode, on every page: who this is for and why nobody else can open it."""
    st.info(
        "**Local mode**: you are the organiser, and only this computer can open Mission Control (it listens "
        "on 127.0.0.1). To share it with your program, set up sign-in (docs/deploy.md).",
        icon=":material/lock:",
    )


PAGE_FAILED = "Something went wrong while drawing this page"  # browser tests and benchmarks look for it


def page_failed(exc: BaseException) -> None:
    """A page crashed: log the details for the maintainer, show a calm sentence to the person."""
    log.exception("page failed", exc_info=exc)
    st.error(
        f"{PAGE_FAILED}, and nothing was changed. Reload the page; if it keeps happening, "
        "ask the person who runs Mission Control to check its log."
    )


def rerun_saying(key: str, message: str) -> None:
    """After a save: rerun the whole page (what it changed shows everywhere) with `message` at its top, once."""
    st.session_state[key] = message
    st.rerun()


def say_once(key: str) -> None:
    """The message rerun_saying left under `key`, shown on this run only."""
    if message := st.session_state.pop(key, None):
        st.success(message, icon=":material/check_circle:")


def plain_table(frame: pd.DataFrame, **kwargs) -> None:
    """Show answers as inert text: st.dataframe never renders HTML or Markdown."""
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def chart(ctx: PageContext, key: tuple, build: Callable[[], Any], *, where: Any = st, **kwargs) -> None:
    """Draw the Altair chart build() makes, turned into a checked Vega-Lite spec once per data version.

    Altair checks a chart against the Vega-Lite schema every time it is drawn (10-20 ms a chart at 10x);
    drawn from the cached spec, a rerun only sends it. `key` names what the chart shows besides the
    session's data and the viewer (a metric, a week, a person), as for loaders.derived; build should
    derive its data itself, so a rerun does not.
    """
    spec = loaders.derived(ctx, ("chart", *key), lambda: vega_lite_spec(build()))
    where.vega_lite_chart(spec, theme=None, **kwargs)


def vega_lite_spec(chart: Any) -> dict:
    """chart.to_dict() with each data frame as a named dataset of Arrow bytes, as st.altair_chart sends them.

    Altair would write the frames as JSON rows (refusing more than 5,000) that st.vega_lite_chart then
    turns into Arrow on every draw; named datasets skip both.
    """
    import hashlib

    import altair as alt
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    datasets: dict[str, bytes] = {}

    def named(part: Any) -> Any:
        part = part.copy(deep=False)
        if isinstance(getattr(part, "data", None), pd.DataFrame):
            payload = convert_anything_to_arrow_bytes(part.data)
            name = f"data-{hashlib.sha256(payload).hexdigest()[:32]}"
            datasets[name] = payload
            part.data = alt.NamedData(name=name)
        for composition in ("layer", "hconcat", "vconcat", "concat"):
            if isinstance(getattr(part, composition, None), list):
                setattr(part, composition, [named(sub) for sub in getattr(part, composition)])
        return part

    spec = named(chart).to_dict()
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def arrow_datasets(spec: dict) -> dict:
    """A Vega-Lite spec with its named datasets as the Arrow bytes st.vega_lite_chart would send.

    st.vega_lite_chart turns a dataset's rows into Arrow on every draw (a few ms a chart at 10x) and sends
    bytes as they are, so a spec cached with Arrow bytes costs only the sending.
    """
    from streamlit import dataframe_util

    datasets = spec.get("datasets") or {}
    if not datasets:
        return spec
    return {
        **spec,
        "datasets": {name: dataframe_util.convert_anything_to_arrow_bytes(rows) for name, rows in datasets.items()},
    }
