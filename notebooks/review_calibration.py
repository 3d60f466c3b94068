# ---
# jupyter:
#   kernelspec:
#     display_name: Mission Control
#     language: python
#     name: mission-control
# ---

# %% [markdown]
# # Review calibration
#
# How much reviewers agree, how strict each one is, and what normalising their scores changes.
# Uses `dashboard.review`; reviewers are shown as letters and no applicant is named, so this can
# be shown to the reviewers themselves. The Selection page names them, for organisers.

# %%
from dashboard import notebooks, privacy, talk
from dashboard.config import load_settings

notebooks.static_charts()

# %% tags=["parameters"]
database_url = None  # None: DASHBOARD_DATABASE_URL, else dashboard.toml [database], else data/dashboard.db
session = None  # None: the configured session ([session] name), else the latest one

# %%
settings = load_settings()
url = database_url or settings.database_url
chosen = talk.session_for(url, settings, session)
min_size = privacy.min_group_size(settings)
print(f"{chosen.name}: groups of fewer than {min_size} people are combined with others before anything is shown.")

# %%
import pandas as pd

from dashboard import review, reads
from dashboard.criteria import load_criteria

criteria = load_criteria(settings)
reviews = reads.load_table(url, chosen.id, "reviews")
applications = reads.load_table(url, chosen.id, "applications")
decisions = reads.load_table(url, chosen.id, "decisions")
stats = review.review_stats(reviews, criteria, settings, response_ids=applications["response_id"])
print(f"{len(reviews)} reviews of {len(applications)} applications by {reviews['reviewer'].nunique()} reviewers.")

# %% [markdown]
# ## Agreement between reviewers
#
# Krippendorff's alpha (interval metric): 1 is perfect agreement, 0 is no better than chance;
# 0.8 or more is reliable, 0.667-0.8 tentative.

# %%
alpha_text = "not measurable" if stats.alpha is None else f"{stats.alpha:.3f}"
print(f"Overall alpha: {alpha_text} ({review.interpret_alpha(stats.alpha)})")
pd.DataFrame(
    {
        "criterion": list(stats.alpha_by_criterion),
        "alpha": [None if a is None else round(a, 3) for a in stats.alpha_by_criterion.values()],
    }
)

# %% [markdown]
# ## Reviewer calibration
#
# Reviewers are shown as letters (the mapping is not in this notebook). Strictness: how far below
# colleagues a reviewer scores the same applications (positive = stricter). Scores of reviewers
# with enough reviews are normalised before ranking. Reviewers with fewer reviews than the
# minimum group size are not listed.

# %%
calibration = privacy.pseudonymise(stats.reviewers, "reviewer", "Reviewer")
calibration = privacy.table(calibration[calibration["n"] >= min_size].round(3), min_size, people_column="n")
calibration.frame

# %%
talk.bar_chart(
    calibration,
    "reviewer_label",
    "strictness",
    "How much stricter than colleagues each reviewer scores",
    "Points below the other reviewers of the same applications",
    talk.NOTEBOOK,
)

# %% [markdown]
# ## What normalising changes
#
# The ranking by raw mean score against the ranking by the reviewer-normalised score, for as
# many places as were accepted.

# %%
places = int((decisions["status"] == "accepted").sum()) or 18
pd.Series(review.normalising_effect(stats.applications, places), name="value").to_frame()
