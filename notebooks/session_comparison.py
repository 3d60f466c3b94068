# ---
# jupyter:
#   kernelspec:
#     display_name: Mission Control
#     language: python
#     name: mission-control
# ---

# %% [markdown]
# # Session comparison
#
# How a session compares with the ones before it: how many applied and how many were accepted,
# how many Djangonauts were still taking part week by week, and their confidence before and
# after. Every figure is a `dashboard.privacy` aggregate, folded as on the Talk page (groups
# under the minimum size are combined or withheld), so this page and its CSV files can be shared.
#
# `make report SESSION="2026 Session 6"` writes it as `report.html` with the CSV files into
# `reports/session_comparison-2026-session-6/`.

# %%
from dashboard import notebooks, privacy, talk
from dashboard.config import load_settings

notebooks.static_charts()

# %% tags=["parameters"]
database_url = None  # None: DASHBOARD_DATABASE_URL, else dashboard.toml [database], else data/dashboard.db
session = None  # None: the configured session ([session] name), else the latest one
compare_with = None  # session names, e.g. ["2026 Session 5"]; None: every session before it
export_dir = None  # a folder to write the comparison as CSV files (comparison, applications, retention, confidence)

# %%
settings = load_settings()
url = database_url or settings.database_url
chosen = talk.session_for(url, settings, session)
min_size = privacy.min_group_size(settings)
print(f"{chosen.name}: groups of fewer than {min_size} people are combined with others before anything is shown.")

# %%
from dashboard import comparison

result = comparison.compare_sessions(url, settings, chosen.name, compare_with)
print(f"Comparing {len(result.sessions)} sessions: {', '.join(result.sessions)}.")

# %% [markdown]
# ## Side by side
#
# One row per session. Retention is the share of the cohort still checking in by the last week
# with check-ins; `smallest_group` is the fewest people behind any figure in the row. An empty
# cell is a figure that is not known or is withheld (fewer people than the minimum).

# %%
result.summary.frame.set_index("session").style.format(comparison.SUMMARY_FORMATS, na_rep="")

# %% [markdown]
# ## Applicants and acceptance

# %%
talk.applications_chart(result.applications, talk.NOTEBOOK)

# %% [markdown]
# ## Retention through the weeks
#
# Still taking part in a week: a check-in that week or in any later week, so a missed week in
# between is not a drop-out.

# %%
if result.without_checkins:
    print(f"No check-ins recorded for {', '.join(result.without_checkins)}: their retention is not known.")
comparison.retention_chart(result.retention, talk.NOTEBOOK)

# %% [markdown]
# ## Confidence before and after

# %%
comparison.confidence_chart(result.confidence, talk.NOTEBOOK)

# %% [markdown]
# ## Export
#
# With `export_dir` set (a parameter above), the tables behind this page are written as CSV files.

# %%
if export_dir:
    for path in comparison.write_comparison(result, export_dir):
        print(path.name)
