"""dashboard/ui helpers: cached derived frames (once per data version, again after a write) and inert text."""

from __future__ import annotations

import re

import streamlit as st
from hypothesis import given
from hypothesis.strategies import text as st_text

from dashboard import access, reads, reviewing, wellbeing
from dashboard.sessions import Session
from dashboard.ui import loaders
from dashboard.ui.context import PageContext
from dashboard.ui.widgets import md_text


def _context(url, settings) -> PageContext:
    sessions = reads.sessions_frame(url)
    session = Session.from_row(sessions[sessions["name"] == "2026 Session 6"].iloc[0])
    viewer = access.Viewer(email="organiser@demo", roles=frozenset({access.ORGANISER}), demo=True)
    return PageContext(settings=settings, url=url, session=session, viewer=viewer)


def test_wellbeing_week_is_computed_once_per_data_version(demo_url, settings, monkeypatch):
    st.cache_data.clear()
    calls = []
    real_compute = wellbeing.compute
    monkeypatch.setattr(wellbeing, "compute", lambda *a, **k: calls.append(1) or real_compute(*a, **k))
    ctx = _context(demo_url, settings)
    thresholds = wellbeing.load_thresholds(settings)

    first = loaders.wellbeing_week(ctx, 4, thresholds).signals
    again = loaders.wellbeing_week(ctx, 4, thresholds).signals
    assert len(calls) == 1  # the rerun read the cache
    assert again.open.equals(first.open)

    loaders.wellbeing_week(ctx, 5, thresholds)  # another week is another result
    assert len(calls) == 2

    reviewing.set_blind_review(demo_url, ctx.session_id, False, "organiser1@example.org")  # any write bumps the version
    loaders.wellbeing_week(_context(demo_url, settings), 4, thresholds)
    assert len(calls) == 3


def test_derived_is_built_once_per_key_and_version(demo_url, settings):
    st.cache_data.clear()
    ctx = _context(demo_url, settings)
    built = []

    def build():
        built.append(1)
        return {"mark": "line", "cards": len(built)}

    spec = loaders.derived(ctx, ("sparkline", 4, "a@example.org"), build)
    assert loaders.derived(ctx, ("sparkline", 4, "a@example.org"), build) == spec
    assert len(built) == 1
    loaders.derived(ctx, ("sparkline", 4, "b@example.org"), build)
    assert len(built) == 2
    reviewing.set_blind_review(demo_url, ctx.session_id, False, "organiser1@example.org")  # a write: built again
    loaders.derived(_context(demo_url, settings), ("sparkline", 4, "a@example.org"), build)
    assert len(built) == 3


@given(st_text())
def test_md_text_escapes_every_markdown_character_and_loses_nothing(text):
    """CommonMark reads a backslash before ASCII punctuation as that character, literally: so the
    escaped text shows exactly as written, and no link, emphasis, HTML tag or code span can start."""
    escaped = md_text(text)
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped) == text
    unescaped_markup = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert not set(unescaped_markup) & set("\\`*_[]()<>#!|~$:")
    for line in re.split(r"\r\n|\r|\n", escaped):  # CommonMark's lines: no list, numbered list or underline starts one
        assert not re.match(r"[ \t]*\d*[-+.)=]", line)
    assert not re.search(r"www\.", escaped, re.IGNORECASE)  # nor a bare www. link


def test_an_import_that_changes_nothing_still_shows_as_the_newest_run(demo_url, settings, tmp_path):
    import pandas as pd

    from dashboard.importer import import_frame

    st.cache_data.clear()
    frame = pd.DataFrame({"email": ["dj@example.org"], "week": ["1"], "hours": ["4"]})
    import_frame(
        demo_url, settings, "checkins", frame, source="file:week1.csv", sheet="week1", session_name="2026 Session 6"
    )
    ctx = _context(demo_url, settings)
    before = loaders.sync_runs(ctx)
    again = import_frame(
        demo_url, settings, "checkins", frame, source="file:week1.csv", sheet="week1", session_name="2026 Session 6"
    )
    assert not again.stored_data_changed()
    after = loaders.sync_runs(_context(demo_url, settings))
    assert _context(demo_url, settings).version == ctx.version  # the data did not change...
    assert len(after) == len(before) + 1 and after.iloc[0]["id"] > before.iloc[0]["id"]  # ...but the run is listed


def test_a_chart_spec_carries_its_frames_as_arrow_whatever_their_size():
    """widgets.chart's cached spec: the frames of every layer as named Arrow datasets, beyond Altair's 5,000 JSON rows."""
    import altair as alt
    import pandas as pd
    import pyarrow as pa

    from dashboard.ui.widgets import vega_lite_spec

    points = pd.DataFrame({"x": range(6000), "y": [i % 7 for i in range(6000)]})
    rule = pd.DataFrame({"y": [3]})
    spec = vega_lite_spec(
        alt.layer(alt.Chart(points).mark_point().encode(x="x:Q", y="y:Q"), alt.Chart(rule).mark_rule().encode(y="y:Q"))
    )
    frames = {name: pa.ipc.open_stream(data).read_all().to_pandas() for name, data in spec["datasets"].items()}
    assert sorted(len(f) for f in frames.values()) == [1, 6000]
    assert {layer["data"]["name"] for layer in spec["layer"]} == set(frames)
    assert frames[spec["layer"][0]["data"]["name"]].equals(points)


def test_a_spec_cached_with_arrow_datasets_is_drawn_exactly_as_from_its_rows():
    from streamlit.testing.v1 import AppTest

    def app():
        import pandas as pd
        import streamlit as st

        from dashboard.ui.widgets import arrow_datasets
        from dashboard.wellbeing import charts

        series = pd.DataFrame(
            {
                "week": [1, 2, 3],
                "hours": [4.0, None, 9.5],
                "expected": [4.0, 4.0, 4.0],
                "status": ["reported", "missing", "reported"],
            }
        )
        spec = charts.hours_sparkline_spec(series)
        st.vega_lite_chart(spec=spec, theme=None)
        st.vega_lite_chart(spec=arrow_datasets(spec), theme=None)

    at = AppTest.from_function(app)
    at.run()
    assert not at.exception
    from_rows, from_arrow = (chart.proto for chart in at.get("vega_lite_chart"))
    assert from_arrow.spec == from_rows.spec
    assert [(d.name, d.data.data) for d in from_arrow.datasets] == [(d.name, d.data.data) for d in from_rows.datasets]
    assert len(from_rows.datasets) == 1 and from_rows.datasets[0].data.data  # the rows went out as Arrow bytes


def test_a_settings_key_changes_with_the_sections_it_names_and_only_those():
    from dashboard.config import Settings

    base = {"review": {"criteria": [{"name": "impact", "weight": 1.0}]}, "selection": {"contested_spread": 2}}
    key = Settings(raw=base).key("review", "selection")
    reweighted = {**base, "review": {"criteria": [{"name": "impact", "weight": 2.0}]}}
    assert Settings(raw=reweighted).key("review", "selection") != key  # a new weight re-ranks: a new name
    assert Settings(raw={**base, "selection": {"contested_spread": 3}}).key("review", "selection") != key
    assert Settings(raw={**base, "wellbeing": {"overwork_ratio": 2}}).key("review", "selection") == key
    assert Settings(raw=base).key("selection", "review") != key  # which section holds what is part of it
