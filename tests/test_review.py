"""Reviewing: scores, normalisation, spread, Krippendorff's alpha, the queue, hiding and saving."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import cli, db as dbmod, models, review, reads, reviewing
from dashboard.criteria import Criterion, load_criteria

FIT = (Criterion("fit", "Fit"),)
N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
# twelve units, with missing values. Published: alpha_interval = 0.849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def reviews_frame(rows: list[tuple], criteria=FIT) -> pd.DataFrame:
    """Reviews like reads.load_table gives them: (response_id, reviewer, score or None for a conflict)."""
    records = []
    for response_id, reviewer, score in rows:
        conflict = score is None
        scores = None if conflict else (score if isinstance(score, dict) else {criteria[0].name: score})
        records.append(
            {
                "response_id": response_id,
                "reviewer": reviewer,
                "scores": scores,
                "overall": None,
                "comment": None,
                "conflict_of_interest": conflict,
                "updated_at": None,
            }
        )
    return pd.DataFrame(
        records,
        columns=["response_id", "reviewer", "scores", "overall", "comment", "conflict_of_interest", "updated_at"],
    )


def matrix_to_reviews(matrix) -> pd.DataFrame:
    rows = [
        (f"u{u:02d}", f"coder{c}@example.org", v)
        for c, row in enumerate(matrix)
        for u, v in enumerate(row)
        if v is not None
    ]
    return reviews_frame(rows)


# --- one review's score ------------------------------------------------------------------


def test_weighted_score_respects_weights_and_skips_missing_criteria():
    criteria = (Criterion("motivation", "Motivation", weight=2), Criterion("knowledge", "Knowledge", weight=1))
    assert review.weighted_score({"motivation": 5, "knowledge": 2}, criteria) == pytest.approx((2 * 5 + 2) / 3)
    assert review.weighted_score({"motivation": 3}, criteria) == 3
    assert review.weighted_score({}, criteria) is None
    assert review.weighted_score(None, criteria) is None
    assert review.score_range(criteria) == (1, 5)


def test_scored_reviews_leave_out_conflicts_and_fall_back_to_overall():
    frame = reviews_frame([("a", "x@example.org", 4), ("a", "y@example.org", None)])
    frame.loc[len(frame)] = {
        "response_id": "b",
        "reviewer": "Z@example.org",
        "scores": None,
        "overall": 3.5,
        "comment": None,
        "conflict_of_interest": False,
        "updated_at": None,
    }
    scored = review.scored_reviews(frame, FIT)
    assert sorted(scored["reviewer"]) == ["x@example.org", "z@example.org"]
    assert scored.set_index("response_id")["score"].to_dict() == {"a": 4.0, "b": 3.5}


# --- normalisation, spread, calibration ---------------------------------------------------

A_SCORES = [1, 1, 2, 2, 3, 3, 4, 4]  # reviewer A: mean 2.5, population variance 1.25
B_SCORES = [s + 1 for s in A_SCORES]  # reviewer B scores the same applications one point higher


def lenient_and_strict() -> pd.DataFrame:
    rows = [(f"app{i}", "a@example.org", s) for i, s in enumerate(A_SCORES)]
    rows += [(f"app{i}", "b@example.org", s) for i, s in enumerate(B_SCORES)]
    return reviews_frame(rows)


def test_normalisation_removes_a_reviewers_leniency_hand_worked():
    normalised = review.normalise_scores(review.scored_reviews(lenient_and_strict(), FIT), FIT, min_reviews=8)
    assert not normalised["normalised_raw"].any()
    by = normalised.pivot(index="response_id", columns="reviewer", values="normalised")
    # Same z-score for both reviewers, so the same normalised score: leniency is gone.
    assert np.allclose(by["a@example.org"], by["b@example.org"])
    # Hand-worked: pooled mean 3, pooled variance 1.25 + 0.25 = 1.5; app0: z = (1 - 2.5) / sqrt(1.25).
    z = (1 - 2.5) / math.sqrt(1.25)
    assert by.loc["app0", "a@example.org"] == pytest.approx(3 + z * math.sqrt(1.5))
    stats = review.application_stats(normalised, contested_spread=1.5).set_index("response_id")
    assert stats.loc["app0", "spread"] == 1  # raw scores differ by one point
    assert stats.loc["app0", "normalised"] == pytest.approx(3 + z * math.sqrt(1.5))
    assert not stats["contested"].any()


def test_reviewers_with_too_few_reviews_stay_raw_and_marked():
    frame = lenient_and_strict()
    few = reviews_frame([(f"app{i}", "c@example.org", 5) for i in range(7)])  # 7 < 8 reviews
    normalised = review.normalise_scores(review.scored_reviews(pd.concat([frame, few]), FIT), FIT, min_reviews=8)
    c_rows = normalised[normalised["reviewer"] == "c@example.org"]
    assert c_rows["normalised_raw"].all() and (c_rows["normalised"] == c_rows["score"]).all()
    assert not normalised.loc[normalised["reviewer"] != "c@example.org", "normalised_raw"].any()
    stats = review.application_stats(normalised).set_index("response_id")
    assert stats.loc["app0", "raw_reviews"] == 1 and stats.loc["app7", "raw_reviews"] == 0
    calibration = review.reviewer_calibration(normalised).set_index("reviewer")
    assert bool(calibration.loc["c@example.org", "normalised"]) is False


def test_normalisation_threshold_and_contested_spread_come_from_the_config(settings):
    from dashboard.config import with_overrides

    configured = with_overrides(settings, selection={"min_reviews_for_normalising": 9, "contested_spread": 0.5})
    stats = review.review_stats(lenient_and_strict(), FIT, configured)
    assert stats.scored["normalised_raw"].all()  # 8 reviews each, 9 needed
    assert stats.applications["contested"].all()  # one point apart >= 0.5
    assert review.review_stats(lenient_and_strict(), FIT, settings).scored["normalised_raw"].sum() == 0


def test_normalised_scores_stay_on_the_scale():
    rows = [(f"app{i}", "a@example.org", 1) for i in range(9)] + [("app9", "a@example.org", 5)]
    rows += [(f"app{i}", "b@example.org", 3) for i in range(10)]
    normalised = review.normalise_scores(review.scored_reviews(reviews_frame(rows), FIT), FIT, min_reviews=8)
    assert normalised["normalised"].between(1, 5).all()
    # B gave everyone 3: no information about order, so every B review maps onto the pooled mean.
    b = normalised[normalised["reviewer"] == "b@example.org"]["normalised"]
    assert np.allclose(b, normalised["score"].mean())


def test_mean_median_spread_and_contested_hand_worked():
    frame = reviews_frame(
        [
            ("x", "r1@example.org", 2),
            ("x", "r2@example.org", 4),
            ("x", "r3@example.org", 5),
            ("y", "r1@example.org", 3),
            ("z", "r2@example.org", None),
        ]
    )
    stats = review.application_stats(review.normalise_scores(review.scored_reviews(frame, FIT), FIT), 1.5)
    stats = stats.set_index("response_id")
    assert stats.loc["x", "n_reviews"] == 3
    assert stats.loc["x", "mean"] == pytest.approx(11 / 3)
    assert stats.loc["x", "median"] == 4
    assert stats.loc["x", "spread"] == 3 and bool(stats.loc["x", "contested"])
    assert math.isnan(stats.loc["y", "spread"]) and not bool(stats.loc["y", "contested"])
    assert "z" not in stats.index  # only a conflict: nothing scored


def test_calibration_strictness_is_the_gap_to_colleagues():
    calibration = review.reviewer_calibration(
        review.normalise_scores(review.scored_reviews(lenient_and_strict(), FIT), FIT)
    )
    calibration = calibration.set_index("reviewer")
    assert calibration.loc["a@example.org", "strictness"] == pytest.approx(1.0)  # one point below B: stricter
    assert calibration.loc["b@example.org", "strictness"] == pytest.approx(-1.0)
    assert calibration.loc["a@example.org", "n"] == 8 and calibration.loc["a@example.org", "mean"] == 2.5


# --- Krippendorff's alpha -----------------------------------------------------------------


def test_alpha_matches_krippendorffs_published_interval_example_with_missing_values():
    assert round(review.krippendorff_alpha_interval(KRIPPENDORFF_2011), 3) == 0.849


def test_alpha_through_the_review_pipeline_matches_the_published_example():
    stats = review.review_stats(matrix_to_reviews(KRIPPENDORFF_2011), FIT)
    assert round(stats.alpha, 3) == 0.849
    assert round(stats.alpha_by_criterion["fit"], 3) == 0.849


def test_alpha_hand_worked_two_coders():
    # Units (1,2), (2,3), (3,4): D_o = 6/6 = 1; all pairs: n = 6, sum of squares about the mean 5.5,
    # D_e = 2 * 6 * 5.5 / (6 * 5) = 2.2, so alpha = 1 - 1 / 2.2 = 6/11.
    assert review.krippendorff_alpha_interval([[1, 2, 3], [2, 3, 4]]) == pytest.approx(6 / 11)


def test_alpha_edge_cases():
    assert review.krippendorff_alpha_interval([[1, 3, 5], [1, 3, 5]]) == pytest.approx(1.0)
    assert review.krippendorff_alpha_interval([[1, N, 5], [N, 3, N]]) is None  # no unit has two values
    assert review.krippendorff_alpha_interval([[2, 2], [2, 2]]) is None  # no variation at all
    # Units coded once are not pairable: adding one changes nothing.
    with_lonely = [row + [v] for row, v in zip([[1, 2, 3], [2, 3, 4]], [5, N])]
    assert review.krippendorff_alpha_interval(with_lonely) == pytest.approx(6 / 11)
    # The order of coders does not matter.
    assert review.krippendorff_alpha_interval(KRIPPENDORFF_2011[::-1]) == pytest.approx(
        review.krippendorff_alpha_interval(KRIPPENDORFF_2011)
    )
    # Systematic disagreement scores below zero.
    assert review.krippendorff_alpha_interval([[1, 5, 1, 5], [5, 1, 5, 1]]) < 0


def test_alpha_in_words():
    assert review.interpret_alpha(0.85).startswith("Reliable")
    assert review.interpret_alpha(0.8).startswith("Reliable")
    assert review.interpret_alpha(0.7).startswith("Tentative")
    assert review.interpret_alpha(0.667).startswith("Tentative")
    assert review.interpret_alpha(0.5).startswith("Weak")
    assert review.interpret_alpha(None).startswith("Not measurable")


# --- queue, progress and hiding -----------------------------------------------------------


def applications_frame(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"response_id": ids, "submitted_at": pd.date_range("2026-08-01", periods=len(ids), freq="D")})


def test_queue_serves_fewest_reviews_first_and_skips_go_last():
    apps = applications_frame(["a1", "a2", "a3", "a4", "a5"])
    reviews = reviews_frame(
        [
            ("a1", "p@example.org", 3),
            ("a1", "q@example.org", 3),
            ("a2", "p@example.org", 4),
            ("a4", "x@example.org", None),
            ("a5", "x@example.org", 2),
        ]
    )
    assert reviewing.review_queue(apps, reviews, "x@example.org") == ["a3", "a2", "a1"]
    # A conflict is not a review: for someone else a4 still has none and comes first.
    assert reviewing.review_queue(apps, reviews, "y@example.org")[:2] == ["a3", "a4"]
    assert reviewing.review_queue(apps, reviews, "X@Example.org", skipped={"a3"}) == ["a2", "a1", "a3"]
    assert reviewing.next_application(apps, reviews, "x@example.org", skipped={"a3"}) == "a2"
    assert (
        reviewing.next_application(
            apps, reviews_frame([(i, "x@example.org", 3) for i in apps["response_id"]]), "x@example.org"
        )
        is None
    )


def test_progress_counts_own_reviews_out_of_those_without_conflict():
    apps = applications_frame(["a1", "a2", "a3", "a4"])
    reviews = reviews_frame([("a1", "x@example.org", 3), ("a2", "x@example.org", None), ("a3", "y@example.org", 3)])
    done = reviewing.progress(apps, reviews, "x@example.org")
    assert (done.reviewed, done.total, done.conflicts) == (1, 3, 1)
    assert done.label == "1 / 3 reviewed"


def test_other_scores_hidden_until_own_review_and_never_after_a_conflict():
    reviews = reviews_frame(
        [
            ("a1", "p@example.org", 5),
            ("a1", "q@example.org", 2),
            ("a2", "p@example.org", 4),
            ("a2", "x@example.org", None),
        ]
    )
    assert reviewing.other_reviews_visible(reviews, "x@example.org", "a1").empty
    assert reviewing.other_reviews_visible(reviews, "x@example.org", "a2").empty  # conflict: never
    after = pd.concat([reviews, reviews_frame([("a1", "x@example.org", 3)])], ignore_index=True)
    visible = reviewing.other_reviews_visible(after, "x@example.org", "a1")
    assert sorted(visible["reviewer"]) == ["p@example.org", "q@example.org"]
    assert reviewing.conflicted_ids(after, "x@example.org") == {"a2"}


# --- saving ------------------------------------------------------------------------------


def _session_id(url: str) -> int:
    frame = reads.sessions_frame(url)
    return int(frame.loc[frame["name"] == "2026 Session 6", "id"].iloc[0])


def test_save_review_upserts_audits_and_bumps_the_data_version(demo_url, settings):
    criteria = load_criteria(settings)
    sid = _session_id(demo_url)
    response_id = reads.load_table(demo_url, sid, "applications")["response_id"].iloc[0]
    before = dbmod.data_version(demo_url, sid)
    scores = {c.name: 4 for c in criteria} | {"motivation": 2}
    first = reviewing.save_review(
        demo_url, sid, response_id, "New.Reviewer@example.org", scores, "  Good ", False, criteria=criteria
    )
    assert first.created and first.overall == pytest.approx(review.weighted_score(scores, criteria))
    second = reviewing.save_review(
        demo_url,
        sid,
        response_id,
        "new.reviewer@example.org",
        {c.name: 5 for c in criteria},
        "",
        False,
        criteria=criteria,
    )
    assert not second.created
    reviews = reads.load_table(demo_url, sid, "reviews")
    mine = reviews[reviews["reviewer"] == "new.reviewer@example.org"]
    assert len(mine) == 1 and mine.iloc[0]["scores"] == {c.name: 5 for c in criteria}
    assert mine.iloc[0]["overall"] == 5 and mine.iloc[0]["updated_at"] is not None
    assert dbmod.data_version(demo_url, sid) == before + 2
    with OrmSession(dbmod.get_engine(demo_url)) as db:
        audit = db.scalars(select(models.AuditEntry).where(models.AuditEntry.action == "review_saved")).all()
    assert [(a.actor, a.subject, a.detail) for a in audit] == [
        ("new.reviewer@example.org", response_id, "scores saved"),
        ("new.reviewer@example.org", response_id, "scores edited"),
    ]


def test_save_review_conflict_clears_scores(demo_url, settings):
    criteria = load_criteria(settings)
    sid = _session_id(demo_url)
    response_id = reads.load_table(demo_url, sid, "applications")["response_id"].iloc[1]
    reviewing.save_review(
        demo_url, sid, response_id, "x@example.org", {c.name: 3 for c in criteria}, "", False, criteria=criteria
    )
    reviewing.save_review(demo_url, sid, response_id, "x@example.org", None, "I know them", True, criteria=criteria)
    reviews = reads.load_table(demo_url, sid, "reviews")
    row = reviews[reviews["reviewer"] == "x@example.org"].iloc[0]
    assert bool(row["conflict_of_interest"]) and row["scores"] is None and pd.isna(row["overall"])
    assert response_id not in reviewing.review_queue(
        reads.load_table(demo_url, sid, "applications"), reviews, "x@example.org"
    )


@pytest.mark.parametrize(
    "scores, message",
    [
        ({"motivation": 9}, "whole number from 1 to 5"),
        ({"motivation": 3}, "missing"),
        ({"charisma": 3}, "Unknown criteria"),
    ],
)
def test_save_review_rejects_bad_scores_and_writes_nothing(demo_url, settings, scores, message):
    criteria = load_criteria(settings)
    sid = _session_id(demo_url)
    response_id = reads.load_table(demo_url, sid, "applications")["response_id"].iloc[0]
    full = {c.name: 3 for c in criteria} if message != "missing" else {}
    before = dbmod.data_version(demo_url, sid)
    with pytest.raises(review.ReviewError, match=message):
        reviewing.save_review(demo_url, sid, response_id, "x@example.org", full | scores, "", False, criteria=criteria)
    assert dbmod.data_version(demo_url, sid) == before
    assert "x@example.org" not in set(reads.load_table(demo_url, sid, "reviews")["reviewer"])


def test_save_review_of_unknown_application_fails_clearly(demo_url, settings):
    criteria = load_criteria(settings)
    with pytest.raises(review.ReviewError, match="reload the page"):
        reviewing.save_review(
            demo_url,
            _session_id(demo_url),
            "r-missing",
            "x@example.org",
            {c.name: 3 for c in criteria},
            "",
            False,
            criteria=criteria,
        )


def test_set_blind_review(demo_url):
    sid = _session_id(demo_url)
    reviewing.set_blind_review(demo_url, sid, False, "organiser1@example.org")
    frame = reads.sessions_frame(demo_url)
    assert not bool(frame.loc[frame["id"] == sid, "blind_review"].iloc[0])


# --- the CLI contract ---------------------------------------------------------------------


def test_review_stats_json_contract(demo_url, settings, capsys):
    code = cli.main(["review-stats", "--json", "--database", demo_url, "--session", "2026 Session 6"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(data) == {"alpha", "alpha_by_criterion", "applications", "reviewers"}
    assert set(data["alpha_by_criterion"]) == {c.name for c in load_criteria(settings)}
    assert -1 <= data["alpha"] <= 1
    sid = _session_id(demo_url)
    apps = reads.load_table(demo_url, sid, "applications")
    assert {a["response_id"] for a in data["applications"]} == set(apps["response_id"])
    assert all(
        set(a) == {"response_id", "n_reviews", "mean", "median", "normalised", "spread"} for a in data["applications"]
    )
    reviews = reads.load_table(demo_url, sid, "reviews")
    counts = reviews.groupby("response_id").size()
    assert all(a["n_reviews"] == counts.get(a["response_id"], 0) for a in data["applications"])
    assert {r["reviewer"] for r in data["reviewers"]} == set(reviews["reviewer"])
    for r in data["reviewers"]:
        assert set(r) == {"reviewer", "n", "mean", "strictness"}
        mine = reviews[reviews["reviewer"] == r["reviewer"]]
        means = mine["scores"].map(lambda s: sum(s.values()) / len(s))
        assert r["n"] == len(mine) and r["mean"] == pytest.approx(means.mean(), abs=1e-3)


def test_review_stats_unknown_session_fails_with_a_sentence(demo_url, capsys):
    assert cli.main(["review-stats", "--json", "--database", demo_url, "--session", "Nope"]) == 1
    assert "not found" in json.loads(capsys.readouterr().out)["error"]


def test_normalising_effect_counts_top_places_that_move_and_rank_correlation():
    from dashboard.review import normalising_effect

    apps = pd.DataFrame(
        {
            "response_id": ["a", "b", "c", "d", "e"],
            "mean": [4.0, 3.0, 2.0, 1.0, None],
            "normalised": [4.0, 3.0, 1.0, 2.0, 3.5],
            "contested": [True, False, False, False, True],
        }
    )
    two, three = normalising_effect(apps, 2), normalising_effect(apps, 3)
    assert two["applications scored"] == 4  # 'e' has no raw mean: left out
    assert two["rank correlation (Spearman), raw vs normalised"] == 0.8  # 1 - 6 * (1 + 1) / (4 * 15)
    assert two["top places that change with normalising"] == 0
    assert three["top places that change with normalising"] == 1  # c drops out, d comes in
    assert two["contested applications (reviewers disagree)"] == 1
