# ---
# jupyter:
#   kernelspec:
#     display_name: Mission Control
#     language: python
#     name: mission-control
# ---

# %% [markdown]
# # Wellbeing trends
#
# How the cohort and each team are doing over the weeks: check-ins, hours, energy, burnout,
# blockers and the wellbeing signals Captains act on.
#
# **For organisers only.** A team is 3-4 Djangonauts, so a team's figures come close to
# describing each of them; do not share this notebook or its output. No name, e-mail or written
# answer is shown here: use the Wellbeing page to follow up with a person, and the session report
# or session comparison for figures to share.

# %%
from dashboard import notebooks, privacy, talk
from dashboard.config import load_settings

notebooks.static_charts()

# %% tags=["parameters"]
database_url = None  # None: DASHBOARD_DATABASE_URL, else dashboard.toml [database], else data/dashboard.db
session = None  # None: the configured session ([session] name), else the latest one
as_of_week = None  # None: this week (the last week of a finished session)

# %%
settings = load_settings()
url = database_url or settings.database_url
chosen = talk.session_for(url, settings, session)
min_size = privacy.min_group_size(settings)
print(f"{chosen.name}: groups of fewer than {min_size} people are combined with others before anything is shown.")

# %%
from dashboard import access, team_trends, wellbeing

organiser = access.Viewer(email="", roles=frozenset({access.ORGANISER}))  # a notebook sees what an organiser sees
data = wellbeing.load_for_viewer(url, chosen.id, organiser)
signals = wellbeing.compute_for(data, settings, as_of_week)
weekly = team_trends.team_weekly(data, signals)
print(
    f"{len(data.people)} Djangonauts in {weekly['team'].nunique()} teams, {len(data.checkins)} check-ins, "
    f"up to week {signals.upto_week}; about {data.session.expected_hours:g} h a week expected."
)

# %% [markdown]
# ## The cohort
#
# Cohort-level figures (`dashboard.privacy` aggregates, weeks with too few check-ins merged with
# a neighbour): the background against which to read each team.

# %%
checkins = data.checkins[data.checkins["week"] <= signals.upto_week]
hours = privacy.quartiles_by(checkins, "hours", "week", min_size, ordered=True)
talk.hours_chart(hours, data.session.expected_hours, talk.NOTEBOOK)

# %%
energy = privacy.mean_by(checkins, "energy", "week", min_size, ordered=True)
burnout = privacy.mean_by(checkins, "burnout", "week", min_size, ordered=True)
talk.weekly_lines_chart(
    {"Energy": energy, "Burnout": burnout},
    "mean",
    "Energy and burnout across the cohort",
    "Mean answer (1-5)",
    (1, 5),
    talk.NOTEBOOK,
)

# %% [markdown]
# ## Team by team
#
# Each grid is one measure, a row per team and a column per week. Read across a row for a
# team's trend, down a column for how the teams compare that week.

# %%
team_trends.team_heatmap(weekly, "checkin_rate")

# %%
team_trends.team_heatmap(weekly, "median_hours")

# %%
team_trends.team_heatmap(weekly, "mean_energy")

# %%
team_trends.team_heatmap(weekly, "mean_burnout")

# %%
team_trends.team_heatmap(weekly, "blockers")

# %%
team_trends.team_heatmap(weekly, "signals")

# %% [markdown]
# ## The numbers behind the grids
#
# Filter or sort this table to look closer, e.g. `weekly[weekly["team"] == "Team Comet"]`.

# %%
weekly
