"""No small group can be worked out by subtracting one published figure from another.

The issue's three examples, each as an organiser meets them (the Talk page, `export-charts`):
a small session next to the current one in the history chart, a "feel more comfortable" share
from 2 answers, and a start/end confidence pair merged in the chart but published apart in
numbers.json. Then the rule itself: every figure one export publishes is listed with the rows
behind it (checked against the export), and subtraction is tried between every pair.
"""

from __future__ import annotations

import json
from itertools import combinations

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import delete, select

from dashboard import models, privacy, reads, talk
from tests.apptest_support import run_app

CURRENT = "2026 Session 6"
TINY = "2027 Pilot"


def talk_page_specs(monkeypatch, url: str) -> dict[str, dict]:
    """The Talk page's charts as the browser receives them (spec and data rows), by chart."""
    at = run_app(monkeypatch, url, page="app_pages/talk.py", session=CURRENT)
    assert not at.exception
    charts = {}
    for key, chart in zip(talk.CHART_ORDER, at.get("vega_lite_chart")):
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        rows = [row for frame in frames for row in frame.to_dict("records")]
        charts[key] = {
            **json.loads(chart.proto.spec),
            "rows": [
                {k: v for k, v in row.items() if not pd.isna(v)} if isinstance(row, dict) else row for row in rows
            ],
        }
    return charts


def rows_of(spec: dict) -> list[dict]:
    return spec["rows"]


def counts_with_accepted(specs: dict[str, dict], numbers: dict) -> list[tuple[str, int, int]]:
    """What an attacker reads off as (what, applicants, accepted): every history bar with its rate, the
    session's applications with its cohort (the composition charts' cohort total)."""
    found = [
        (f"bar {row['session']}", int(row["people"]), round(row["rate"] * row["people"]))
        for row in rows_of(specs["applications"])
        if row.get("rate") is not None and "session" in row
    ]
    cohort = sum(row["people"] for row in rows_of(specs["experience"]) if row.get("population") == talk.COHORT)
    found.append(("numbers.json applications", int(numbers["applications"]), int(cohort)))
    return found


@pytest.fixture
def tiny_session_next_to_the_current(demo_url, tmp_path, local_mode, mission_control):
    """A pilot session of 3 applicants (1 accepted) imported with the command line; without a start date it
    sorts right after the current session."""
    (tmp_path / "applications.csv").write_text(
        "response_id,email,name\n" + "".join(f"p{i},pilot{i}@example.org,Pilot {i}\n" for i in range(3))
    )
    (tmp_path / "decisions.csv").write_text("response_id,status\np0,accepted\np1,rejected\np2,rejected\n")
    for table in ("applications", "decisions"):
        mission_control(demo_url, "import", str(tmp_path / f"{table}.csv"), "--table", table, "--session", TINY)
    return demo_url


def test_a_small_session_is_never_combined_with_the_current_one(
    monkeypatch, tiny_session_next_to_the_current, tmp_path, mission_control
):
    url = tiny_session_next_to_the_current
    assert list(reads.sessions_frame(url)["name"])[-2:] == [CURRENT, TINY]
    specs = talk_page_specs(monkeypatch, url)
    sessions = [row["session"] for row in rows_of(specs["applications"]) if "session" in row]
    assert CURRENT in sessions and not [s for s in sessions if TINY in s]
    mission_control(url, "export-charts", "--out", str(tmp_path / "charts"), "--format", "svg", "--session", CURRENT)
    numbers = json.loads((tmp_path / "charts" / "numbers.json").read_text())
    # Subtract every pair: nothing gives the pilot's 3 applicants with their 1 acceptance.
    for (a, *first), (b, *second) in combinations(counts_with_accepted(specs, numbers), 2):
        for big, small in ((first, second), (second, first)):
            assert (big[0] - small[0], big[1] - small[1]) != (3, 1), f"{a} minus {b}"


def test_the_comfortable_share_needs_its_own_answers(monkeypatch, demo_url, edit_db):
    sid = int(reads.sessions_frame(demo_url).set_index("name").at[CURRENT, "id"])
    with edit_db(demo_url) as db:  # confidence asked of everyone at the end, "more comfortable?" answered by 2
        ends = db.scalars(
            select(models.Survey).where(models.Survey.session_id == sid, models.Survey.stage == "end")
        ).all()
        for survey in ends[2:]:
            survey.comfortable_contributing = None
        db.get(models.Session, sid).data_version += 1
    specs = talk_page_specs(monkeypatch, demo_url)
    tiles = {row["label"]: row["value"] for row in rows_of(specs["numbers"]) if "label" in row}
    assert "Feel more comfortable contributing" not in tiles
    assert "more comfortable" not in json.dumps(specs["confidence"])
    assert "Confidence, start → end (of 5)" in tiles  # the confidence question itself has enough answers


def test_a_stage_published_alone_is_never_merged_in_the_chart(monkeypatch, demo_url, edit_db):
    sid = int(reads.sessions_frame(demo_url).set_index("name").at[CURRENT, "id"])
    with edit_db(demo_url) as db:  # only 3 end-of-session answers; no mid-session survey
        db.execute(delete(models.Survey).where(models.Survey.session_id == sid, models.Survey.stage == "mid"))
        ends = db.scalars(
            select(models.Survey).where(models.Survey.session_id == sid, models.Survey.stage == "end")
        ).all()
        for survey in ends[3:]:
            db.delete(survey)
        db.get(models.Session, sid).data_version += 1
    specs = talk_page_specs(monkeypatch, demo_url)
    stages = [row["stage"] for row in rows_of(specs["confidence"]) if "stage" in row]
    tiles = {row["label"] for row in rows_of(specs["numbers"]) if "label" in row}
    assert "Confidence, start → end (of 5)" not in tiles
    assert stages == ["Start"], stages  # never "Start–End" over the start answers and 3 end answers
    assert "Left out" in json.dumps(specs["confidence"]) and "End" in json.dumps(specs["confidence"])
    figures = talk.build(demo_url, sid, None)
    assert figures.numbers.get("confidence_start") is not None and "confidence_end" not in figures.numbers


# --- the rule, over everything one export publishes ----------------------------------------


def assert_published_figures_match_the_export(figures: talk.TalkFigures) -> None:
    """Every number that counts people in numbers.json and in the charts' data is a listed figure, whose rows
    hold as many people as it says."""
    listed = {}
    for figure in figures.published:
        listed.setdefault((figure.source, figure.label, figure.part, figure.measure), figure)
    for key in ("applications", "djangonauts"):
        if key in figures.numbers:
            figure = listed[(talk.NUMBERS_JSON, key, "", "people")]
            assert len({p for _, p in figure.units}) == figures.numbers[key], key
    frames = {
        "applications": figures.applications,
        **figures.composition,
        "hours": figures.hours,
        "prs": figures.prs,
        "confidence": figures.confidence,
    }
    for name, safe in frames.items():
        if safe is None or safe.empty:
            continue
        by = safe.frame.columns[0]
        for row in safe.frame.to_dict("records"):
            part = row.get("population", "")
            figure = listed[(name, str(row[by]), part, "people")]
            assert len({p for _, p in figure.units}) == row["people"], (name, row)


def assert_no_subtraction_reveals_a_small_group(figures: talk.TalkFigures) -> None:
    for a, b in combinations(figures.published, 2):
        if a.measure != b.measure:
            continue
        for big, small in ((a, b), (b, a)):
            if small.units < big.units:
                people = {p for _, p in big.units - small.units}
                assert len(people) >= figures.min_group_size, (
                    f"{big.where} minus {small.where} gives a group of {len(people)}"
                )


def scenarios(url: str) -> dict[str, talk.SessionTables]:
    sid = int(reads.sessions_frame(url).set_index("name").at[CURRENT, "id"])
    demo = talk.load_tables(url, sid)
    tiny = talk.load_tables(url, sid)
    tiny.history = pd.concat(
        [
            tiny.history,
            pd.DataFrame(
                {
                    "session": TINY,
                    "session_order": 99,
                    "email": [f"p{i}@example.org" for i in range(3)],
                    "accepted": [True, False, False],
                }
            ),
        ],
        ignore_index=True,
    )
    few_ends = talk.load_tables(url, sid)
    surveys = few_ends.surveys
    ends = surveys.index[surveys["stage"] == "end"]
    few_ends.surveys = surveys.drop(index=list(ends[3:]) + list(surveys.index[surveys["stage"] == "mid"]))
    outsiders = talk.load_tables(url, sid)  # check-ins of two people who are not Djangonauts (yet)
    extra = outsiders.checkins.head(2).assign(email=["guest1@example.org", "guest2@example.org"], prs_opened=5)
    outsiders.checkins = pd.concat([outsiders.checkins, extra], ignore_index=True)
    return {"demo": demo, "tiny session": tiny, "three end answers": few_ends, "two outsiders": outsiders}


@pytest.mark.parametrize("scenario", ["demo", "tiny session", "three end answers", "two outsiders"])
def test_every_pair_of_published_figures_is_tried(demo_url, scenario):
    figures = talk.talk_figures(scenarios(demo_url)[scenario], 5)
    assert len(figures.published) > 40
    assert_published_figures_match_the_export(figures)
    assert_no_subtraction_reveals_a_small_group(figures)
    assert privacy.differencing_leaks(figures.published, 5) == []


def test_prs_of_people_outside_the_cohort_cannot_be_worked_out(demo_url):
    figures = talk.talk_figures(scenarios(demo_url)["two outsiders"], 5)
    # All check-ins' PRs (numbers.json) minus the cohort's (the PR chart) would be the two guests' PRs.
    assert "prs_opened" not in figures.numbers and "prs_merged" not in figures.numbers
    assert not figures.prs.empty


def test_a_leaking_pair_gives_up_the_figure_that_costs_less():
    """A missing hours answer must not take the whole PR chart (whose rows add up to a published total) with it."""
    week2 = frozenset(("checkins:2", f"dj{i}@example.org") for i in range(18))
    prs = [
        privacy.Figure(
            "prs",
            str(w),
            "people",
            week2 if w == 2 else frozenset((f"checkins:{w}", f"dj{i}@example.org") for i in range(18)),
        )
        for w in range(1, 9)
    ] + [privacy.Figure("prs", privacy.ALL, "sum prs_opened", week2)]
    hours = [privacy.Figure("hours", "2", "people", week2 - {("checkins:2", "dj0@example.org")})]
    assert privacy.withheld_for_differencing([*prs, *hours], 5) == {("hours", "2")}
    # Of two single figures, the larger goes, as before.
    assert privacy.withheld_for_differencing([prs[1], *hours], 5) == {("prs", "2")}
