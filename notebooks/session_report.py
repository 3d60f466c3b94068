# ---
# jupyter:
#   kernelspec:
#     display_name: Mission Control
#     language: python
#     name: mission-control
# ---

# %% [markdown]
# # Session report
#
# The talk charts and headline numbers of a session, exactly as on the Talk page: built only
# from `dashboard.privacy` aggregates (groups under the minimum size are combined with others),
# so they are safe to share. `make report NOTEBOOK=session_report SESSION="..."` writes this
# page as HTML, with every chart as PNG and SVG at slide size and `numbers.json`.

# %%
from pathlib import Path

from dashboard import notebooks, privacy, talk
from dashboard.config import load_settings

notebooks.static_charts()

# %% tags=["parameters"]
database_url = None  # None: DASHBOARD_DATABASE_URL, else dashboard.toml [database], else data/dashboard.db
session = None  # None: the configured session ([session] name), else the latest one
export_dir = None  # a folder to write every chart as PNG (2x) and SVG at slide size, plus numbers.json

# %%
settings = load_settings()
url = database_url or settings.database_url
chosen = talk.session_for(url, settings, session)
min_size = privacy.min_group_size(settings)
print(f"{chosen.name}: groups of fewer than {min_size} people are combined with others before anything is shown.")

# %%
figures = talk.build(url, chosen.id, settings)
charts = talk.talk_charts(figures, talk.NOTEBOOK)

# %% [markdown]
# ## The session in numbers
#
# The figures quoted in talks (also written to `numbers.json` by `python -m dashboard export-charts`).

# %%
import json

print(json.dumps(talk.numbers_json(figures), indent=2, ensure_ascii=False))

# %%
charts["numbers"]

# %% [markdown]
# ## Applications and acceptance rate across sessions

# %%
charts["applications"]

# %% [markdown]
# ## Experience: applicants vs. cohort

# %%
charts["experience"]

# %% [markdown]
# ## Time zones: applicants vs. cohort

# %%
charts["timezones"]

# %% [markdown]
# ## Project preferences: applicants vs. cohort

# %%
charts["projects"]

# %% [markdown]
# ## Weekly hours against the expected hours

# %%
charts["hours"]

# %% [markdown]
# ## Check-ins and stand-up attendance by week

# %%
charts["participation"]

# %% [markdown]
# ## PRs opened and merged by week

# %%
charts["prs"]

# %% [markdown]
# ## Confidence before and after

# %%
charts["confidence"]

# %% [markdown]
# ## Export for slides
#
# With `export_dir` set (a parameter above), every chart is written as PNG (2x) and SVG at slide
# size, plus `numbers.json`.

# %%
if export_dir:
    files = talk.export_files(talk.talk_charts(figures, talk.SLIDE), figures)
    for path in talk.write_files(files, Path(export_dir)):
        print(path.name)
