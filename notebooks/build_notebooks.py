"""Write the notebooks in this folder (without outputs): `python notebooks/build_notebooks.py`.

The notebooks only call dashboard/; edit the cells here and rebuild rather than editing the
.ipynb files by hand, so what is committed never carries outputs. Each notebook has a papermill
``parameters`` cell (database_url, session), e.g.
`papermill notebooks/session_report.ipynb out.ipynb -p session "2026 Session 6"`.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
# Find the project root (works from the repo root, notebooks/ or papermill's working directory).
import sys
from pathlib import Path

ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "dashboard" / "__init__.py").exists()), None)
if ROOT is None:
    raise RuntimeError("Run this notebook from inside the Mission Control repository.")
sys.path.insert(0, str(ROOT))

import pandas as pd

import dashboard.theme  # noqa: F401  (the shared Altair theme)
from dashboard import privacy, store, talk
from dashboard.config import load_settings'''

PARAMETERS = '''\
database_url = None  # None: DASHBOARD_DATABASE_URL, else dashboard.toml [database], else data/dashboard.db
session = None  # None: the configured session ([session] name), else the latest one'''

OPEN_SESSION = '''\
settings = load_settings()
url = database_url or settings.database_url
chosen = talk.session_for(url, settings, session)
min_size = privacy.min_group_size(settings)
print(f"{chosen['name']}: groups of fewer than {min_size} people are combined with others before anything is shown.")'''


def notebook(title: str, intro: str, cells: list) -> nbformat.NotebookNode:
    parameters = new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[new_markdown_cell(f"# {title}\n\n{intro}"), new_code_cell(SETUP), parameters,
                             new_code_cell(OPEN_SESSION), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    slug = title.lower().replace(" ", "-")
    for i, cell in enumerate(nb.cells):
        cell.id = f"{slug}-{i}"  # stable ids: rebuilding changes nothing unless a cell changes
    return nb


def session_report() -> nbformat.NotebookNode:
    cells = [
        new_code_cell('figures = talk.build(url, int(chosen["id"]), settings)\n'
                      'charts = talk.talk_charts(figures, talk.NOTEBOOK)'),
        new_markdown_cell("## The session in numbers\n\nThe figures quoted in talks (also written to `numbers.json` "
                          "by `python -m dashboard export-charts`)."),
        new_code_cell('import json\n\nprint(json.dumps(talk.numbers_json(figures), indent=2, ensure_ascii=False))'),
        new_code_cell('charts["numbers"]'),
    ]
    for key in talk_chart_keys()[1:]:
        cells += [new_markdown_cell(f"## {chart_title(key)}"), new_code_cell(f'charts["{key}"]')]
    cells += [
        new_markdown_cell("## Export for slides\n\nSet `export_dir` to write every chart as PNG (2x) and SVG "
                          "at slide size, plus `numbers.json`."),
        new_code_cell('export_dir = None  # e.g. "talk-charts"\n'
                      'if export_dir:\n'
                      '    files = talk.export_files(talk.talk_charts(figures, talk.SLIDE), figures)\n'
                      '    for path in talk.write_files(files, Path(export_dir)):\n'
                      '        print(path)'),
    ]
    return notebook("Session report", "The talk charts and headline numbers of a session, exactly as on the Talk "
                    "page: built only from `dashboard.privacy` aggregates, so they are safe to share.", cells)


def review_calibration() -> nbformat.NotebookNode:
    cells = [
        new_code_cell('from dashboard import review\n'
                      'from dashboard.criteria import load_criteria\n\n'
                      'criteria = load_criteria(settings)\n'
                      'reviews = store.load_table(url, int(chosen["id"]), "reviews")\n'
                      'applications = store.load_table(url, int(chosen["id"]), "applications")\n'
                      'decisions = store.load_table(url, int(chosen["id"]), "decisions")\n'
                      'stats = review.review_stats(reviews, criteria, settings, response_ids=applications["response_id"])\n'
                      'print(f"{len(reviews)} reviews of {len(applications)} applications by '
                      '{reviews[\'reviewer\'].nunique()} reviewers.")'),
        new_markdown_cell("## Agreement between reviewers\n\nKrippendorff's alpha (interval metric): 1 is perfect "
                          "agreement, 0 is no better than chance; 0.8 or more is reliable, 0.667-0.8 tentative."),
        new_code_cell('alpha_text = "not enough overlapping reviews" if stats.alpha is None else f"{stats.alpha:.3f}"\n'
                      'print(f"Overall alpha: {alpha_text} ({review.interpret_alpha(stats.alpha)})")\n'
                      'pd.DataFrame({"criterion": list(stats.alpha_by_criterion), '
                      '"alpha": [None if a is None else round(a, 3) for a in stats.alpha_by_criterion.values()]})'),
        new_markdown_cell("## Reviewer calibration\n\nReviewers are shown as letters (the mapping is not in this "
                          "notebook). Strictness: how far below colleagues a reviewer scores the same applications "
                          "(positive = stricter). Scores of reviewers with enough reviews are normalised before "
                          "ranking. Reviewers with fewer reviews than the minimum group size are not listed."),
        new_code_cell('calibration = privacy.pseudonymise(stats.reviewers, "reviewer", "Reviewer")\n'
                      'calibration = privacy.table(calibration[calibration["n"] >= min_size].round(3), min_size, '
                      'people_column="n")\n'
                      'calibration.frame'),
        new_code_cell('talk.bar_chart(calibration, "reviewer_label", "strictness", '
                      '"How much stricter than colleagues each reviewer scores", '
                      '"Points below the other reviewers of the same applications", talk.NOTEBOOK)'),
        new_markdown_cell("## What normalising changes\n\nThe ranking by raw mean score against the ranking by the "
                          "reviewer-normalised score, for as many places as were accepted."),
        new_code_cell('places = int((decisions["status"] == "accepted").sum()) or 18\n'
                      'pd.Series(review.normalising_effect(stats.applications, places), name="value").to_frame()'),
    ]
    return notebook("Review calibration", "How much reviewers agree, how strict each one is, and what "
                    "normalising their scores changes. Uses `dashboard.review`; no applicant and no reviewer is "
                    "named.", cells)


def wellbeing_trends() -> nbformat.NotebookNode:
    cells = [
        new_code_cell('from dashboard import engagement, wellbeing\n\n'
                      'checkins = store.load_table(url, int(chosen["id"]), "checkins")\n'
                      'people = store.load_table(url, int(chosen["id"]), "people")\n'
                      'roster = set(engagement.djangonauts(people)["email"])\n'
                      'checkins = checkins[checkins["email"].isin(roster)]\n'
                      'expected = float(chosen["expected_hours"] or 4)\n'
                      'thresholds = wellbeing.load_thresholds(settings)\n'
                      'print(f"{len(roster)} Djangonauts, {len(checkins)} check-ins; about {expected:g} h a week expected.")'),
        new_markdown_cell("## Hours against the expected hours\n\nCohort level only: quartiles per week, weeks "
                          "with fewer check-ins than the minimum are merged with a neighbour."),
        new_code_cell('hours = privacy.quartiles_by(checkins, "hours", "week", min_size, ordered=True)\n'
                      'talk.hours_chart(hours, expected, talk.NOTEBOOK)'),
        new_code_cell('over = wellbeing.over_expected(checkins, expected, thresholds)\n'
                      'share_over = privacy.rate_by(over, "over_expected", "week", min_size, ordered=True)\n'
                      'share_over.frame.round(3)'),
        new_markdown_cell("## Energy and burnout\n\nMean energy (1 = drained, 5 = full of energy) and mean burnout "
                          "(1 = enjoying the work, 5 = completely burned out) across the cohort."),
        new_code_cell('energy = privacy.mean_by(checkins, "energy", "week", min_size, ordered=True)\n'
                      'burnout = privacy.mean_by(checkins, "burnout", "week", min_size, ordered=True)\n'
                      'talk.weekly_lines_chart({"Energy": energy, "Burnout": burnout}, "mean", '
                      '"Energy and burnout across the cohort", "Mean answer (1-5)", (1, 5), talk.NOTEBOOK)'),
        new_code_cell('blocked = checkins.assign(reported_blocker=checkins["blockers"].map(wellbeing.has_blockers))\n'
                      'privacy.rate_by(blocked, "reported_blocker", "week", min_size, ordered=True).frame.round(3)'),
        new_markdown_cell("## Signals Captains acted on, cohort level\n\nHow many people showed each wellbeing "
                          "signal at some point; signals seen in fewer people than the minimum are combined."),
        new_code_cell('one_to_ones = store.load_one_to_ones(url, int(chosen["id"]))\n'
                      'signals = wellbeing.compute(checkins, one_to_ones, expected_hours=expected, '
                      'weeks=int(chosen["weeks"]), start_date=chosen["start_date"], thresholds=thresholds)\n'
                      'history = signals.history.assign(signal=signals.history["signal"].map(wellbeing.SIGNAL_LABELS)'
                      '.fillna(signals.history["signal"]))\n'
                      'privacy.count_by(history, "signal", min_size).frame.round(3)'),
    ]
    return notebook("Wellbeing trends", "How the cohort as a whole is doing over the weeks. Only cohort-level "
                    "aggregates from `dashboard.privacy`: no person, team or answer is shown; use the Wellbeing "
                    "page for individual follow-up.", cells)


def talk_chart_keys() -> list[str]:
    import sys

    sys.path.insert(0, str(HERE.parent))
    from dashboard import talk

    return list(talk.CHART_ORDER)


def chart_title(key: str) -> str:
    from dashboard import talk

    return talk.CHART_TITLES[key]


NOTEBOOKS = {"session_report.ipynb": session_report, "review_calibration.ipynb": review_calibration,
             "wellbeing_trends.ipynb": wellbeing_trends}


def main() -> None:
    for name, build in NOTEBOOKS.items():
        nb = build()
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print(f"wrote notebooks/{name}")


if __name__ == "__main__":
    main()
