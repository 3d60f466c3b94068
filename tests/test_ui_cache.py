"""The cached derived frames in dashboard/ui/data.py: computed once per data version, again after a write."""
from __future__ import annotations

import streamlit as st

from dashboard import access, db, store, wellbeing
from dashboard.ui import data
from dashboard.ui.context import PageContext


def _context(url, settings) -> PageContext:
    sessions = store.sessions_frame(url)
    session = sessions[sessions["name"] == "2026 Session 6"].iloc[0].to_dict()
    viewer = access.Viewer(email="organiser@demo", roles=frozenset({access.ORGANISER}), demo=True)
    return PageContext(settings=settings, url=url, session=session, viewer=viewer)


def test_wellbeing_signals_are_computed_once_per_data_version(demo_url, settings, monkeypatch):
    st.cache_data.clear()
    calls = []
    real_compute = wellbeing.compute
    monkeypatch.setattr(wellbeing, "compute", lambda *a, **k: calls.append(1) or real_compute(*a, **k))
    ctx = _context(demo_url, settings)
    thresholds = wellbeing.load_thresholds(settings)

    first, _ = data.wellbeing_signals(ctx, 4, thresholds)
    again, _ = data.wellbeing_signals(ctx, 4, thresholds)
    assert len(calls) == 1  # the rerun read the cache
    assert again.open.equals(first.open)

    data.wellbeing_signals(ctx, 5, thresholds)  # another week is another result
    assert len(calls) == 2

    with db.transaction(demo_url) as session:  # any write bumps the version the loaders are keyed by
        db.bump_data_version(session, ctx.session_id)
    data.wellbeing_signals(_context(demo_url, settings), 4, thresholds)
    assert len(calls) == 3


def test_chart_spec_is_built_once_per_key_and_version(demo_url, settings):
    st.cache_data.clear()
    ctx = _context(demo_url, settings)
    built = []

    def build():
        import altair as alt
        import pandas as pd
        built.append(1)
        return alt.Chart(pd.DataFrame({"week": [1, 2], "hours": [3.0, 5.0]})).mark_line().encode(x="week:Q", y="hours:Q")

    spec = data.chart_spec(ctx, ("sparkline", 4, "a@example.org"), build)
    assert data.chart_spec(ctx, ("sparkline", 4, "a@example.org"), build) == spec
    assert len(built) == 1
    data.chart_spec(ctx, ("sparkline", 4, "b@example.org"), build)
    assert len(built) == 2
    assert spec["mark"]["type"] == "line" and list(spec["datasets"].values())[0][1]["hours"] == 5.0
