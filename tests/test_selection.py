"""Selection: ranked table, filters, decisions, capacity, composition suppression and exports."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard.ui import selection_data
from dashboard import db as dbmod, models, review, selection as sel, reads
from dashboard.config import with_overrides
from dashboard.criteria import Criterion, load_criteria
from dashboard.exports import neutralise_formula

FIT = (Criterion("fit", "Fit"),)


def _session_id(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


@pytest.fixture
def demo(demo_url, settings):
    """The demo session's tables, review statistics and ranked table."""
    sid = _session_id(demo_url)
    apps = reads.load_table(demo_url, sid, "applications")
    stats = review.review_stats(
        reads.load_table(demo_url, sid, "reviews"), load_criteria(settings), settings, apps["response_id"]
    )
    decisions = reads.load_table(demo_url, sid, "decisions")
    table = sel.ranked_table(apps, stats, decisions, date(2026, 9, 28))
    return {"url": demo_url, "sid": sid, "apps": apps, "stats": stats, "decisions": decisions, "table": table}


def small_table(rows: list[dict]) -> pd.DataFrame:
    """A hand-made ranked-table-like frame with the columns filters and composition read."""
    base = {
        "response_id": "",
        "project_preferences": [],
        "timezone_band": "Americas (UTC-12 to -2:30)",
        "hours_available": 4.0,
        "tutorial_completed": True,
        "experience_level": "Beginner",
        "n_reviews": 2,
        "contested": False,
        "status": "pending",
        "normalised": 3.0,
        "underrepresented": None,
        "gender_minority": None,
    }
    return pd.DataFrame([base | row for row in rows])


# --- the ranked table ----------------------------------------------------------------------


def test_ranked_table_orders_by_normalised_score_and_joins_decisions(demo):
    table = demo["table"]
    assert len(table) == len(demo["apps"]) and table["response_id"].is_unique
    scores = table["normalised"].dropna()
    assert scores.is_monotonic_decreasing
    assert list(table["position"]) == list(range(1, len(table) + 1))
    stored = demo["decisions"].set_index("response_id")
    for row in table.head(20).to_dict("records"):
        assert row["status"] == stored.loc[row["response_id"], "status"]
        assert row["rank"] == int(stored.loc[row["response_id"], "rank"])
    per_app = demo["stats"].applications.set_index("response_id")
    top = table.iloc[0]
    assert top["mean"] == pytest.approx(per_app.loc[top["response_id"], "mean"])


def test_ranked_table_without_decisions_or_reviews_is_all_pending(demo):
    empty_stats = review.review_stats(
        demo["decisions"].iloc[0:0].assign(scores=None, overall=None, reviewer=None, conflict_of_interest=False), FIT
    )
    table = sel.ranked_table(demo["apps"], empty_stats, demo["decisions"].iloc[0:0])
    assert (table["status"] == "pending").all() and (table["n_reviews"] == 0).all()


def test_an_organisers_conflicts_hide_those_scores_and_places(demo):
    conflicted = demo["table"]["response_id"].iloc[[0, 3]].tolist()
    table = sel.hide_conflicted_scores(demo["table"], conflicted)
    assert sorted(table.loc[table["conflict"], "response_id"]) == sorted(conflicted)
    assert table.loc[table["conflict"], list(sel.SCORE_COLUMNS)].isna().all().all()
    assert not table.loc[table["conflict"], "contested"].any()
    assert table.loc[~table["conflict"], "mean"].notna().sum() == demo["table"]["mean"].notna().sum() - 2
    # Listed last without a place; the others are numbered 1..n, so no gap shows where the hidden ones were.
    assert table["conflict"].tolist()[-2:] == [True, True] and table["position"].tail(2).isna().all()
    assert table["position"].head(-2).tolist() == list(range(1, len(table) - 1))
    assert sel.position_label(table["position"].iloc[-1], "R-1") == "R-1"
    assert sel.position_label(table["position"].iloc[0], "R-1") == "#1 R-1"


@pytest.mark.parametrize(
    "tz, band",
    [
        ("America/New_York", "Americas (UTC-12 to -2:30)"),
        ("America/St_Johns", "Americas (UTC-12 to -2:30)"),
        ("Europe/London", "Europe & Africa (UTC-2 to +3)"),
        ("Africa/Nairobi", "Europe & Africa (UTC-2 to +3)"),
        ("Asia/Kolkata", "Asia & Pacific (UTC+3:30 to +14)"),
        ("Australia/Sydney", "Asia & Pacific (UTC+3:30 to +14)"),
        ("Not/AZone", sel.UNKNOWN),
        (None, sel.UNKNOWN),
    ],
)
def test_timezone_band(tz, band):
    assert sel.timezone_band(tz, date(2026, 9, 28)) == band


def test_ranked_table_bands_each_zone_as_timezone_band_does_missing_ones_included(demo):
    apps = demo["apps"].copy()
    apps.loc[apps.index[:3], "timezone"] = [None, "Not/AZone", "UTC+05:30"]
    table = sel.ranked_table(apps, demo["stats"], demo["decisions"], date(2026, 9, 28))
    by_id = apps.set_index("response_id")["timezone"]
    expected = [sel.timezone_band(by_id[rid], date(2026, 9, 28)) for rid in table["response_id"]]
    assert list(table["timezone_band"]) == expected and sel.UNKNOWN in expected
    assert len(set(expected)) > 2


def test_page_data_is_the_ranking_the_page_shows_in_few_columns(demo):
    table = demo["table"].assign(fit_teams=1, placement="", conflict=False)
    where = sel.Places(24, "6 Navigators x 4 Djangonauts")
    data = selection_data.summarise(table, demo["stats"], where, 6, 24, 5, organiser=True)
    assert list(data.ranked.columns) == [c for c in selection_data.PAGE_COLUMNS if c in table]
    assert data.ranked["response_id"].tolist() == table["response_id"].tolist()
    assert data.capacity == sel.capacity_after(table, [], where)
    assert data.alpha == demo["stats"].alpha and data.scored
    assert data.labels[table["response_id"].iloc[0]].startswith(f"#1 {table['response_id'].iloc[0]}")
    assert set(data.compositions) == set(sel.composition_dimensions(True))
    for dimension, counts in data.compositions.items():
        found = sel.composition(table, dimension, 5, organiser=True)
        assert counts is None if found.empty else counts.equals(sel.composition_counts(found))
    assert set(selection_data.summarise(table, demo["stats"], where, 6, 24, 5, organiser=False).compositions) == set(
        sel.DIMENSIONS
    )


def test_filters_each_narrow_the_table():
    table = small_table(
        [
            {"response_id": "a", "project_preferences": ["Django core"], "normalised": 4.5, "status": "accepted"},
            {
                "response_id": "b",
                "project_preferences": [],
                "normalised": 2.0,
                "hours_available": 2.0,
                "contested": True,
            },
            {
                "response_id": "c",
                "project_preferences": ["django CMS"],
                "timezone_band": "Europe & Africa (UTC-2 to +3)",
                "tutorial_completed": False,
                "experience_level": "Experienced",
                "n_reviews": 0,
                "normalised": None,
            },
        ]
    )

    def ids(**kw):
        return list(sel.filter_ranked(table, sel.Filters(**kw))["response_id"])

    assert ids() == ["a", "b", "c"]
    assert ids(score_min=3.0) == ["a"] and ids(score_max=3.0) == ["b"]
    assert ids(projects=("Django core",)) == ["a"] and ids(projects=(sel.NO_PREFERENCE,)) == ["b"]
    assert ids(timezone_bands=("Europe & Africa (UTC-2 to +3)",)) == ["c"]
    assert ids(min_hours=3) == ["a", "c"]
    assert ids(tutorial=False) == ["c"] and ids(tutorial=True) == ["a", "b"]
    assert ids(experience_levels=("Experienced",)) == ["c"]
    assert ids(state="reviewed") == ["a", "b"] and ids(state="not reviewed") == ["c"]
    assert ids(state="contested") == ["b"] and ids(state="undecided") == ["b", "c"]
    with pytest.raises(ValueError, match="Unknown review state"):
        ids(state="maybe")


# --- decisions ----------------------------------------------------------------------------


def test_save_decisions_single_and_bulk_audited_in_one_transaction(demo):
    url, sid = demo["url"], demo["sid"]
    pending = list(demo["decisions"].loc[demo["decisions"]["status"] == "pending", "response_id"])
    before = dbmod.data_version(url, sid)
    changed = sel.save_decisions(url, sid, [sel.DecisionChange(pending[0], "accepted", 19)], "Organiser1@example.org")
    assert changed == 1
    bulk = sel.bulk_changes(pending[1:], "waitlisted", rank_from=40)
    assert sel.save_decisions(url, sid, bulk, "organiser1@example.org") == len(pending) - 1
    assert sel.save_decisions(url, sid, bulk, "organiser1@example.org") == 0  # nothing new: nothing written
    stored = reads.load_table(url, sid, "decisions").set_index("response_id")
    assert stored.loc[pending[0], "status"] == "accepted" and stored.loc[pending[0], "rank"] == 19
    assert [stored.loc[r, "rank"] for r in pending[1:]] == list(range(40, 40 + len(pending) - 1))
    assert dbmod.data_version(url, sid) == before + 2
    with OrmSession(dbmod.get_engine(url)) as db:
        audit = db.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "decision_changed")).all()
    assert len(audit) == len(pending) and {a.actor for a in audit} == {"organiser1@example.org"}
    assert audit[0].detail.startswith("pending -> accepted")


def test_bulk_status_can_keep_existing_ranks(demo):
    url, sid = demo["url"], demo["sid"]
    accepted = demo["decisions"][demo["decisions"]["status"] == "accepted"].head(2)
    sel.save_decisions(
        url, sid, sel.bulk_changes(accepted["response_id"], "waitlisted"), "o@example.org", keep_rank=True
    )
    stored = reads.load_table(url, sid, "decisions").set_index("response_id")
    for row in accepted.to_dict("records"):
        assert stored.loc[row["response_id"], "status"] == "waitlisted"
        assert stored.loc[row["response_id"], "rank"] == row["rank"]


def test_a_bad_decision_writes_nothing(demo):
    url, sid = demo["url"], demo["sid"]
    first = demo["decisions"]["response_id"].iloc[0]
    before = reads.load_table(url, sid, "decisions")
    with pytest.raises(sel.SelectionError, match="not in this session"):
        sel.save_decisions(
            url, sid, [sel.DecisionChange(first, "rejected", 3), sel.DecisionChange("r-nope", "accepted")], "o"
        )
    with pytest.raises(sel.SelectionError, match="Status 'maybe'"):
        sel.save_decisions(url, sid, [sel.DecisionChange(first, "maybe")], "o")
    with pytest.raises(sel.SelectionError, match="below 1"):
        sel.save_decisions(url, sid, [sel.DecisionChange(first, "accepted", 0)], "o")
    pd.testing.assert_frame_equal(reads.load_table(url, sid, "decisions"), before)


def test_decision_changes_diff_only_edited_rows():
    before = pd.DataFrame(
        {
            "response_id": ["a", "b", "c"],
            "status": ["pending", "accepted", "rejected"],
            "rank": pd.array([None, 1, 5], dtype="Int64"),
        }
    )
    after = before.copy()
    after.loc[0, "status"] = "accepted"
    after.loc[2, "rank"] = 6
    assert sel.decision_changes(before, after) == [
        sel.DecisionChange("a", "accepted", None),
        sel.DecisionChange("c", "rejected", 6),
    ]


# --- capacity -----------------------------------------------------------------------------


def test_places_from_navigators_or_configuration(demo, settings):
    people = reads.load_table(demo["url"], demo["sid"], "people")
    teams = reads.load_table(demo["url"], demo["sid"], "teams")
    navigators = set(people.loc[people["role"] == "navigator", "email"])
    assert sel.places(settings, people, teams).places == 4 * len(navigators)
    configured = with_overrides(settings, selection={"team_count": 5, "team_size": 3})
    assert sel.places(configured, people, teams).places == 15
    assert sel.places(settings, people.iloc[0:0], teams.iloc[0:0]).places is None


def test_capacity_warns_before_overfilling():
    decisions = pd.DataFrame({"response_id": ["a", "b", "c"], "status": ["accepted", "accepted", "pending"]})
    where = sel.Places(3, "1 Navigator x 3")
    now = sel.capacity_after(decisions, [], where)
    assert (now.accepted, now.remaining, now.over) == (2, 1, False)
    full = sel.capacity_after(decisions, [sel.DecisionChange("c", "accepted")], where)
    assert full.remaining == 0 and "full" in sel.capacity_message(full)
    over = sel.capacity_after(
        decisions, [sel.DecisionChange("c", "accepted"), sel.DecisionChange("d", "accepted")], where
    )
    assert over.over and "1 over capacity" in sel.capacity_message(over)
    freed = sel.capacity_after(decisions, [sel.DecisionChange("a", "rejected")], where)
    assert freed.accepted == 1


# --- composition --------------------------------------------------------------------------


def counts(frame) -> list[tuple]:
    return [tuple(row) for row in sel.composition_counts(frame).itertuples(index=False)]


def test_composition_folds_a_small_group_with_the_next_smallest_by_privacys_rule():
    rows = (
        [{"experience_level": "Beginner", "status": "accepted"}] * 6
        + [{"experience_level": "Beginner", "status": "rejected"}] * 6
        + [{"experience_level": "Intermediate", "status": "accepted"}] * 7
        + [{"experience_level": "Intermediate", "status": "rejected"}] * 5
        + [{"experience_level": "Experienced", "status": "accepted"}] * 2
        + [{"experience_level": "Experienced", "status": "rejected"}] * 10
    )
    composition = sel.composition(small_table(rows), "experience_level", 5, organiser=True)
    # Experienced has 2 accepted; alone in "Other" it could be worked out from the totals, so the next
    # smallest group (Intermediate: 5 not accepted) joins it.
    assert counts(composition) == [("Beginner", 12, 6), ("Experienced + Intermediate", 24, 9)]
    shares = composition.frame.set_index(["group", "population"])["share"]
    assert shares["Beginner", sel.POOL] == pytest.approx(12 / 36) and shares["Beginner", sel.ACCEPTED] == pytest.approx(
        6 / 15
    )
    assert composition.folded == ("Experienced", "Intermediate") and "Experienced" in composition.note
    assert composition.frame["people"].min() >= 5


def test_a_group_accepted_or_refused_as_a_whole_is_not_shown_on_its_own():
    """'6 applicants, 0 accepted' says each of the 6 was turned down: the rest counts as a group too."""
    rows = [
        {"experience_level": level, "status": status}
        for level in ("Beginner", "Intermediate")
        for status in ["accepted"] * 6 + ["rejected"] * 6
    ] + [{"experience_level": "Experienced", "status": "rejected"}] * 6
    composition = sel.composition(small_table(rows), "experience_level", 5, organiser=True)
    assert counts(composition) == [("Intermediate", 12, 6), ("Beginner + Experienced", 18, 6)]


def test_composition_explodes_project_preferences_and_shares_are_of_people():
    rows = (
        [{"project_preferences": ["Django core", "django CMS"], "status": "accepted"}] * 5
        + [{"project_preferences": ["Django core"], "status": "rejected"}] * 5
        + [{"project_preferences": ["django CMS"], "status": "rejected"}] * 5
        + [{"project_preferences": [], "status": "accepted"}] * 5
        + [{"project_preferences": [], "status": "rejected"}] * 5
    )
    composition = sel.composition(small_table(rows), "project_preference", 5, organiser=True)
    assert counts(composition) == [("Django core", 10, 5), ("django CMS", 10, 5), (sel.NO_PREFERENCE, 10, 5)]
    shares = composition.frame.groupby("population")["share"].sum()
    assert shares[sel.POOL] == pytest.approx(30 / 25) and shares[sel.ACCEPTED] == pytest.approx(15 / 10)
    assert not composition.folded


def test_no_composition_when_too_few_are_accepted():
    rows = [{"experience_level": "Beginner", "status": "accepted"}] * 4 + [
        {"experience_level": "Beginner", "status": "rejected"}
    ] * 20
    assert sel.composition(small_table(rows), "experience_level", 5, organiser=True).empty
    nobody = [{"experience_level": "Beginner", "status": "pending"}] * 20
    assert sel.composition(small_table(nobody), "experience_level", 5, organiser=True).empty


def test_demographics_are_for_organisers_only():
    rows = (
        [{"underrepresented": True, "status": "accepted"}] * 6
        + [{"underrepresented": True, "status": "rejected"}] * 5
        + [{"underrepresented": False, "status": "accepted"}] * 5
        + [{"underrepresented": False, "status": "rejected"}] * 7
    )
    assert "underrepresented" not in sel.composition_dimensions(organiser=False)
    with pytest.raises(PermissionError):
        sel.composition(small_table(rows), "underrepresented", 5, organiser=False)
    composition = sel.composition(small_table(rows), "underrepresented", 5, organiser=True)
    assert counts(composition) == [("No", 12, 5), ("Yes", 11, 6)]


def test_every_published_group_of_the_demo_holds_enough_applicants_accepted_and_not(demo):
    accepted = int((demo["table"]["status"] == "accepted").sum())
    for dimension in sel.composition_dimensions(organiser=True):
        composition = sel.composition(demo["table"], dimension, 5, organiser=True)
        table = sel.composition_counts(composition)
        assert len(table) >= 2, dimension
        assert (table["accepted"] >= 5).all() and ((table["applicants"] - table["accepted"]) >= 5).all(), dimension
        if dimension != "project_preference":  # the groups partition the applicants and the cohort
            assert (table["applicants"].sum(), table["accepted"].sum()) == (len(demo["table"]), accepted), dimension


def test_composition_chart_draws_the_published_groups_and_says_what_was_combined():
    rows = [{"experience_level": "Beginner", "status": status} for status in ["accepted"] * 6 + ["rejected"] * 6] + [
        {"experience_level": "Experienced", "status": status} for status in ["accepted"] * 2 + ["rejected"] * 3
    ]
    composition = sel.composition(small_table(rows), "experience_level", 5, organiser=True)
    spec = sel.composition_chart(composition, "Experience").to_dict()
    drawn = spec["datasets"][next(iter(spec["datasets"]))]
    assert {(d["group"], d["population"], d["people"]) for d in drawn} == {
        ("Beginner + Experienced", sel.POOL, 17),
        ("Beginner + Experienced", sel.ACCEPTED, 8),
    }
    assert "Beginner" in spec["title"]["subtitle"][-1] and "Experienced" in spec["title"]["subtitle"][-1]


# --- exports ------------------------------------------------------------------------------


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _with_site_ids(table: pd.DataFrame, stats):
    """The demo's table and stats with response ids renumbered like the site's (the demo's are Google Forms')."""
    numbered = {rid: str(1000 + i) for i, rid in enumerate(table["response_id"])}
    scored = stats.scored.assign(response_id=stats.scored["response_id"].map(numbered))
    return (
        table.assign(response_id=table["response_id"].map(numbered)),
        dataclasses.replace(stats, scored=scored),
        numbered,
    )


def test_decisions_csv_is_what_the_sites_score_import_accepts_and_means(demo):
    table, stats, _ = _with_site_ids(demo["table"], demo["stats"])
    rows = _rows(sel.decisions_csv(table, stats))
    assert list(rows[0]) == ["Response ID", "Score", "Selection Rank"]
    status = table.set_index("response_id")["status"]
    assert {r["Response ID"] for r in rows} == set(status[status != "pending"].index)  # pending: left out
    assert all(value.isdigit() for r in rows for value in r.values())  # every value an integer, as the site requires
    tiers = [int(r["Selection Rank"]) for r in rows]
    assert tiers == sorted(tiers)
    allowed = {"accepted": {0, 1, 2}, "waitlisted": {3}, "rejected": {4}}
    assert all(int(r["Selection Rank"]) in allowed[status[r["Response ID"]]] for r in rows)
    assert {int(r["Selection Rank"]) for r in rows if status[r["Response ID"]] == "accepted"} == {0, 1, 2}
    panel = stats.scored.groupby("response_id").size().max()
    per_app = stats.scored.groupby("response_id")["score"].mean()
    assert all(int(r["Score"]) == math.floor(per_app[r["Response ID"]] * panel + 0.5) for r in rows)  # halves up
    # Ids the site does not know would make it refuse the whole file: the demo's own are left out.
    assert sel.decisions_csv(demo["table"], demo["stats"]).splitlines() == ["Response ID,Score,Selection Rank"]


def test_full_csv_neutralises_formulas_and_has_a_column_per_reviewer(demo):
    text = sel.full_csv(demo["table"], demo["stats"])
    rows = _rows(text)
    reviewers = set(demo["stats"].scored["reviewer"])
    assert {f"{r} score" for r in reviewers} <= set(rows[0])
    hostile = [r for r in rows if "HYPERLINK" in r["community"]]
    assert hostile and all(r["community"].startswith("'=") for r in hostile)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
    assert "<script>" in text  # kept as text, never interpreted by a spreadsheet
    assert len(rows) == len(demo["apps"])


def test_a_conflicted_organisers_exports_leave_out_those_scores_and_places(demo):
    conflicted = demo["table"]["response_id"].iloc[[1, 4]].tolist()
    table = sel.hide_conflicted_scores(demo["table"], conflicted)
    reviewer_columns = [f"{r} score" for r in sorted(set(demo["stats"].scored["reviewer"]))]
    unhidden = {r["response_id"]: r for r in _rows(sel.full_csv(demo["table"], demo["stats"]))}
    assert all(any(unhidden[rid][c] for c in reviewer_columns) for rid in conflicted)  # they were reviewed

    full = _rows(sel.full_csv(table, demo["stats"]))
    assert len(full) == len(demo["apps"]) and set(reviewer_columns) <= set(full[0])
    assert [r["response_id"] for r in full[-2:]] == sorted(conflicted)  # last, not in score order
    for row in full[-2:]:
        assert all(row[c] == "" for c in reviewer_columns + ["mean", "median", "normalised", "spread", "position"])
        assert row["contested"] == "False"
    assert [int(r["position"]) for r in full[:-2]] == list(range(1, len(full) - 1))
    assert all(any(r[c] for c in reviewer_columns) for r in full[:-2] if r["mean"])

    site_table, stats, numbered = _with_site_ids(table, demo["stats"])
    decisions = {r["Response ID"]: r for r in _rows(sel.decisions_csv(site_table, stats))}
    decided = set(site_table.loc[site_table["status"] != "pending", "response_id"])
    # The hidden ones are left out (their Score cannot be computed without the hidden reviews); the file stays valid.
    assert set(decisions) == decided - {numbered[rid] for rid in conflicted}
    assert all(r["Score"].isdigit() and r["Selection Rank"].isdigit() for r in decisions.values())


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (3, 3),
    ],
)
def test_formula_neutralisation(cell, safe):
    assert neutralise_formula(cell) == safe
