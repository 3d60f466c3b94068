"""Charts to show at talks: built only from dashboard.privacy aggregates, titled with the finding.

The modules, in the order the data flows:
    loading  one session's tables (SessionTables) and every session's applications
    figures  the safe aggregates (SafeFrame) and headline numbers (TalkFigures, talk_figures, build)
    charts   each *_chart draws one aggregate; talk_charts draws them all at a Size
             (on screen, or a 1920x1080 slide)
    export   PNG, SVG, a zip and numbers.json
The Talk page, ``export-charts``, the comparison and the notebooks all use these through
this package (``from dashboard import talk``).
"""

from dashboard.talk.charts import (
    CHART_ORDER,
    CHART_TITLES,
    NOTEBOOK,
    SCREEN,
    SLIDE,
    Size,
    applications_chart,
    bar_chart,
    composition_chart,
    confidence_chart,
    finish,
    hours_chart,
    numbers_chart,
    numbers_frame,
    participation_chart,
    prs_chart,
    talk_charts,
    weekly_lines_chart,
    wrap_title,
)
from dashboard.talk.export import EXPORTERS, export_files, numbers_json, png_bytes, svg_bytes, write_files, zip_bytes
from dashboard.talk.figures import (
    APPLICANTS,
    BAND_ORDER,
    COHORT,
    EXPERIENCE_ORDER,
    NUMBERS_JSON,
    STAGE_LABELS,
    TalkFigures,
    build,
    merged_band,
    talk_figures,
)
from dashboard.talk.loading import SessionTables, load_history, load_tables, session_for

__all__ = [
    "APPLICANTS",
    "BAND_ORDER",
    "CHART_ORDER",
    "CHART_TITLES",
    "COHORT",
    "EXPERIENCE_ORDER",
    "EXPORTERS",
    "NOTEBOOK",
    "NUMBERS_JSON",
    "SCREEN",
    "SLIDE",
    "STAGE_LABELS",
    "SessionTables",
    "Size",
    "TalkFigures",
    "applications_chart",
    "bar_chart",
    "build",
    "composition_chart",
    "confidence_chart",
    "export_files",
    "finish",
    "hours_chart",
    "load_history",
    "load_tables",
    "merged_band",
    "numbers_chart",
    "numbers_frame",
    "numbers_json",
    "participation_chart",
    "png_bytes",
    "prs_chart",
    "session_for",
    "svg_bytes",
    "talk_charts",
    "talk_figures",
    "weekly_lines_chart",
    "wrap_title",
    "write_files",
    "zip_bytes",
]
