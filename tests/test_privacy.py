"""dashboard.privacy: small groups are folded (primary and secondary suppression), people never leave."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from dashboard import privacy
from dashboard.config import Settings
from dashboard.privacy import PrivacyError, SafeFrame


def people_in_groups(sizes: dict[str, int], column: str = "group") -> pd.DataFrame:
    """One row per person, each person in one group of the given sizes."""
    rows = [{"email": f"p{label}{i}@example.org", column: label} for label, n in sizes.items() for i in range(n)]
    return pd.DataFrame(rows)


def published(safe: SafeFrame, column: str = "group") -> dict[str, int]:
    return dict(zip(safe.frame[column], safe.frame["people"]))


# --- folding ------------------------------------------------------------------------------


def test_groups_at_or_over_the_minimum_are_published_as_they_are():
    safe = privacy.count_by(people_in_groups({"a": 5, "b": 9, "c": 12}), "group", 5)
    assert published(safe) == {"a": 5, "b": 9, "c": 12}
    assert safe.folded == ()
    assert safe.frame["share"].round(4).tolist() == [round(5 / 26, 4), round(9 / 26, 4), round(12 / 26, 4)]


def test_two_small_groups_are_combined_into_one_group_of_at_least_the_minimum():
    safe = privacy.count_by(people_in_groups({"a": 3, "b": 2, "c": 12}), "group", 5)
    assert published(safe) == {"c": 12, "a + b": 5}
    assert set(safe.folded) == {"a", "b"}


def test_one_small_group_takes_the_next_smallest_with_it_so_the_total_cannot_reveal_it():
    # Publishing b=8, c=12 with a total of 23 would give away a=3: secondary suppression folds b too.
    safe = privacy.count_by(people_in_groups({"a": 3, "b": 8, "c": 12}), "group", 5)
    assert published(safe) == {"c": 12, "a + b": 11}
    assert "a" not in published(safe) and "b" not in published(safe)


def test_many_small_groups_are_called_other():
    safe = privacy.count_by(people_in_groups({"a": 1, "b": 1, "c": 2, "d": 2, "e": 20}), "group", 5)
    assert published(safe) == {"e": 20, privacy.OTHER: 6}
    assert "Groups under 5 people are combined" in safe.note


def test_ordered_groups_merge_with_their_smaller_neighbour():
    frame = people_in_groups({1: 9, 2: 8, 3: 2, 4: 6}, column="week")
    safe = privacy.count_by(frame, "week", 5, ordered=True)
    assert published(safe, "week") == {"1": 9, "2": 8, "3–4": 8}
    assert safe.frame["order"].tolist() == [0, 1, 2]


def test_merged_ordered_groups_count_each_person_once():
    # The same three people checked in in weeks 7 and 8: together still 3 people, not 6.
    rows = [{"email": f"p{i}@example.org", "week": w} for w in range(1, 7) for i in range(6)]
    rows += [{"email": f"p{i}@example.org", "week": w} for w in (7, 8) for i in range(3)]
    safe = privacy.count_by(pd.DataFrame(rows), "week", 5, ordered=True)
    assert (safe.frame["people"] >= 5).all()
    assert "7" not in set(safe.frame["week"]) and "8" not in set(safe.frame["week"])
    assert safe.frame["week"].iloc[-1].endswith("8")


def test_everyone_together_under_the_minimum_publishes_nothing():
    safe = privacy.count_by(people_in_groups({"a": 2, "b": 2}), "group", 5)
    assert safe.empty


def in_cohort(frame: pd.DataFrame, column: str, accepted: dict[str, int]) -> pd.Series:
    """True for the first n people of each group (the accepted part of the applicants)."""
    flags = pd.Series(False, index=frame.index)
    for label, n in accepted.items():
        flags[frame.index[frame[column] == label][:n]] = True
    return flags


def test_a_custom_name_for_merged_groups():
    frame = people_in_groups({"UTC-8 to -3": 7, "UTC-2 to +3": 20}, column="band")
    safe = privacy.compare_counts(
        frame,
        "band",
        in_cohort(frame, "band", {"UTC-8 to -3": 2, "UTC-2 to +3": 9}),
        5,
        ordered=True,
        order=["UTC-8 to -3", "UTC-2 to +3"],
        merged_name=lambda g: f"{g[0].split(' to ')[0]} to {g[-1].split(' to ')[1]}",
    )
    assert set(safe.frame["band"]) == {"UTC-8 to +3"}


@hsettings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=15), min_size=1, max_size=8),
    min_size=st.integers(min_value=2, max_value=8),
    ordered=st.booleans(),
)
def test_folding_always_partitions_everyone_into_groups_of_at_least_the_minimum(sizes, min_size, ordered):
    frame = people_in_groups({f"g{i}": n for i, n in enumerate(sizes)})
    safe = privacy.count_by(frame, "group", min_size, ordered=ordered, order=[f"g{i}" for i in range(len(sizes))])
    total = sum(sizes)
    if total < min_size:
        assert safe.empty
        return
    counts = safe.frame["people"].tolist()
    assert all(c >= min_size for c in counts)
    assert sum(counts) == total  # a partition: nothing dropped, so no difference isolates a small group
    originals = {f"g{i}": n for i, n in enumerate(sizes)}
    for label, n in published(safe).items():
        if label in originals:
            assert originals[label] == n >= min_size


# --- the aggregates -----------------------------------------------------------------------


def test_mean_rate_sum_and_quartiles_follow_the_same_folding():
    rows = []
    for week, n in ((1, 6), (2, 6), (3, 2)):
        for i in range(n):
            rows.append(
                {
                    "email": f"p{i}@example.org",
                    "week": week,
                    "hours": float(i + week),
                    "flag": i % 2 == 0,
                    "prs_opened": 1,
                }
            )
    frame = pd.DataFrame(rows)
    mean = privacy.mean_by(frame, "hours", "week", 5, ordered=True)
    assert mean.frame["week"].tolist() == ["1", "2–3"]
    merged = frame[frame["week"] >= 2]
    assert mean.frame["mean"].iloc[1] == pytest.approx(merged["hours"].mean())
    rate = privacy.rate_by(frame, "flag", "week", 5, ordered=True)
    assert rate.frame["rate"].iloc[1] == pytest.approx(merged["flag"].mean())
    sums = privacy.sum_by(frame, ["prs_opened"], "week", 5, ordered=True)
    assert sums.frame["prs_opened"].tolist() == [6, 8]
    quartiles = privacy.quartiles_by(frame, "hours", "week", 5, ordered=True)
    assert quartiles.frame["median"].iloc[1] == pytest.approx(merged["hours"].median())
    assert "min" not in quartiles.frame and "max" not in quartiles.frame


def test_compare_counts_folds_both_partitions_by_the_smaller_one():
    frame = people_in_groups({"Beginner": 30, "Intermediate": 30, "Experienced": 20}, column="level")
    accepted = in_cohort(frame, "level", {"Beginner": 8, "Intermediate": 7, "Experienced": 2})
    safe = privacy.compare_counts(
        frame, "level", accepted, 5, order=["Beginner", "Intermediate", "Experienced"], ordered=True
    )
    cohort = safe.frame[safe.frame["population"] == "Cohort"]
    applicants = safe.frame[safe.frame["population"] == "Applicants"]
    assert cohort["level"].tolist() == applicants["level"].tolist() == ["Beginner", "Intermediate–Experienced"]
    assert cohort["people"].tolist() == [8, 9]
    assert applicants["people"].tolist() == [30, 50]


def compared(safe: SafeFrame, column: str) -> dict[str, tuple[int, int]]:
    """Published group -> (applicants, cohort)."""
    wide = safe.frame.pivot_table(index=column, columns="population", values="people", aggfunc="first")
    return {label: (int(row["Applicants"]), int(row["Cohort"])) for label, row in wide.iterrows()}


def test_compare_counts_folds_a_group_where_everyone_was_accepted():
    # Publishing "Experienced: 6 applicants, 6 in the cohort" would tell that each of the 6 was accepted.
    frame = people_in_groups({"Beginner": 30, "Intermediate": 30, "Experienced": 6}, column="level")
    accepted = in_cohort(frame, "level", {"Beginner": 8, "Intermediate": 7, "Experienced": 6})
    safe = privacy.compare_counts(
        frame, "level", accepted, 5, order=["Beginner", "Intermediate", "Experienced"], ordered=True
    )
    assert compared(safe, "level") == {"Beginner": (30, 8), "Intermediate–Experienced": (36, 13)}
    assert safe.folded == ("Intermediate", "Experienced") and "combined" in safe.note


@pytest.mark.parametrize("left_out", [0, 1, 4])
def test_compare_counts_folds_a_group_where_too_few_were_left_out(left_out):
    frame = people_in_groups({"a": 30, "b": 30, "c": 6 + left_out})
    safe = privacy.compare_counts(frame, "group", in_cohort(frame, "group", {"a": 8, "b": 7, "c": 6}), 5)
    assert "c" not in compared(safe, "group")
    assert all(applicants - cohort >= 5 for applicants, cohort in compared(safe, "group").values())
    assert compared(safe, "group")["b + c"] == (36 + left_out, 13)  # the next smallest group joins it


def test_compare_counts_where_everyone_was_accepted_publishes_nothing():
    frame = people_in_groups({"a": 10, "b": 12})
    assert privacy.compare_counts(frame, "group", pd.Series(True, index=frame.index), 5).empty


@hsettings(max_examples=100, deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.integers(min_value=1, max_value=15), st.integers(min_value=0, max_value=15)),
        min_size=1,
        max_size=6,
    ),
    min_size=st.integers(min_value=2, max_value=6),
    ordered=st.booleans(),
)
def test_compare_counts_never_publishes_a_small_applicant_cohort_or_left_out_group(groups, min_size, ordered):
    sizes = {f"g{i}": applicants for i, (applicants, _) in enumerate(groups)}
    frame = people_in_groups(sizes)
    accepted = in_cohort(frame, "group", {f"g{i}": min(a, c) for i, (a, c) in enumerate(groups)})
    safe = privacy.compare_counts(frame, "group", accepted, min_size, ordered=ordered, order=list(sizes))
    for applicants, cohort in compared(safe, "group").values():
        assert min(applicants, cohort, applicants - cohort) >= min_size


def test_acceptance_rate_is_withheld_where_too_few_were_accepted_or_not():
    rows = [
        {"email": f"{session}-{i}@example.org", "session": session, "accepted": i < accepted}
        for session, applicants, accepted in (("S1", 40, 3), ("S2", 30, 27), ("S3", 50, 10), ("S4", 20, 20))
        for i in range(applicants)
    ]
    frame = pd.DataFrame(rows)
    safe = privacy.rate_by(frame, "accepted", "session", 5, ordered=True, both_sides=True)
    rates = dict(zip(safe.frame["session"], safe.frame["rate"]))
    assert rates["S3"] == pytest.approx(0.2)
    assert all(pd.isna(rates[s]) for s in ("S1", "S2", "S4"))  # 3 accepted, 3 not accepted, all accepted
    assert published(safe, "session") == {"S1": 40, "S2": 30, "S3": 50, "S4": 20}  # the counts stay
    assert safe.withheld == ("S1", "S2", "S4")
    assert "Rates are withheld where fewer than 5 people are on either side (S1, S2, S4)" in safe.note
    plain = privacy.rate_by(frame, "accepted", "session", 5, ordered=True)  # e.g. stand-up attendance: shown
    assert plain.withheld == () and plain.frame["rate"].notna().all()


def test_list_answers_count_each_person_once_per_item():
    frame = pd.DataFrame(
        {"email": [f"p{i}@example.org" for i in range(10)], "projects": [["A", "B"]] * 6 + [["A"]] * 4}
    )
    safe = privacy.count_by(frame, "projects", 5, explode=True)
    assert published(safe, "projects") == {"A": 10, "B": 6}


def test_totals_need_enough_people():
    frame = people_in_groups({"a": 4})
    frame["prs_opened"] = 2
    assert privacy.totals(frame, ["prs_opened"], 5) is None
    assert privacy.totals(people_in_groups({"a": 5}).assign(prs_opened=2), ["prs_opened"], 5) == {"prs_opened": 10.0}


# --- nothing personal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    [
        "email",
        "name",
        "github",
        "motivation",
        "notes",
        "free_text",
        "country",
        "underrepresented",
        "response_id",
        "blockers",
        "comment",
        "reviewer",
    ],
)
def test_personal_sensitive_and_free_text_columns_cannot_be_grouped(column):
    frame = people_in_groups({"a": 10}).assign(**{column: "x"}) if column != "email" else people_in_groups({"a": 10})
    with pytest.raises(PrivacyError):
        privacy.count_by(frame, column, 5)


def test_guard_refuses_personal_columns_emails_and_free_text():
    with pytest.raises(PrivacyError, match="github"):
        privacy.guard(pd.DataFrame({"github": ["someone"], "people": [9]}))
    with pytest.raises(PrivacyError, match="e-mail"):
        privacy.guard(pd.DataFrame({"label": ["ada@example.org"], "people": [9]}))
    with pytest.raises(PrivacyError, match="free text"):
        privacy.guard(
            pd.DataFrame({"label": ["I got stuck on a migration bug for a week, asked on the forum and fixed it"]})
        )
    assert privacy.guard(pd.DataFrame({"label": ["Beginner"], "people": [9]})).shape == (1, 2)


def test_safe_frames_are_made_only_by_the_privacy_module():
    with pytest.raises(PrivacyError):
        SafeFrame(pd.DataFrame({"people": [100]}), 5)


def test_table_refuses_rows_behind_too_few_people():
    with pytest.raises(PrivacyError, match="fewer than 5"):
        privacy.table(pd.DataFrame({"week": ["1", "2"], "people": [9, 3]}), 5)
    assert privacy.table(pd.DataFrame({"week": ["1"], "people": [9]}), 5).frame["people"].tolist() == [9]


def test_safe_numbers_refuse_small_cohorts_and_personal_values():
    assert privacy.safe_numbers({"prs_opened": 12.0, "confidence_end": 4.2857, "missing": None}, 18, 5) == {
        "prs_opened": 12,
        "confidence_end": 4.29,
    }
    with pytest.raises(PrivacyError):
        privacy.safe_numbers({"prs_opened": 3}, 4, 5)
    with pytest.raises(PrivacyError):
        privacy.safe_numbers({"top_contributor": "ada@example.org"}, 18, 5)
    with pytest.raises(PrivacyError):
        privacy.safe_numbers({"email": 3}, 18, 5)


def test_min_group_size_comes_from_the_config(settings):
    assert privacy.min_group_size(settings) == settings.section("privacy")["min_group_size"]
    assert privacy.min_group_size(Settings(raw={"privacy": {"min_group_size": 8}})) == 8
    assert privacy.min_group_size(Settings(raw={})) == privacy.DEFAULT_MIN_GROUP_SIZE
    assert privacy.min_group_size(Settings(raw={"privacy": {"min_group_size": 1}})) == 2  # a group of one is a person


# --- differencing (rule 5) ----------------------------------------------------------------


def figure(
    label: str, people: range, measure: str = "people", unit: str = "s6", source: str = "chart"
) -> privacy.Figure:
    return privacy.Figure(source, label, measure, frozenset((unit, f"p{i}@example.org") for i in people))


def test_subtraction_is_tried_between_every_pair_of_figures_of_one_kind():
    whole, most, all_but_one, other_rows = (
        figure("S5–S6", range(93)),
        figure("S6", range(90)),
        figure("S6 minus one", range(92)),
        figure("S6, week 2", range(90), unit="week 2"),
    )
    leaks = {
        (big.label, small.label, n)
        for big, small, n in privacy.differencing_leaks(
            [whole, most, all_but_one, other_rows, figure("S6 mean", range(90), "mean confidence")], 5
        )
    }
    # 93 - 90 = 3 and 93 - 92 = 1 and 92 - 90 = 2 people; other rows of the same people, or another measure, are
    # not a subtraction that isolates anyone.
    assert leaks == {("S5–S6", "S6", 3), ("S5–S6", "S6 minus one", 1), ("S6 minus one", "S6", 2)}
    assert privacy.differencing_leaks([whole, figure("S5", range(90, 93))], 5) == []  # disjoint: nothing nested
    assert privacy.differencing_leaks([figure("a", range(20)), figure("b", range(20))], 5) == []  # equal: nothing


def test_a_difference_is_counted_in_people_not_rows():
    weeks = privacy.Figure("c", "weeks 1-2", "people", frozenset({("w1", "a"), ("w2", "a"), ("w1", "b")}))
    week1 = privacy.Figure("c", "week 1", "people", frozenset({("w1", "a"), ("w1", "b")}))
    assert privacy.differencing_leaks([weeks, week1], 2) == [(weeks, week1, 1)]


def test_the_larger_of_each_leaking_pair_is_withheld_until_nothing_leaks():
    figures = [
        figure("S5–S6", range(93)),
        figure("S6", range(90), source="numbers.json"),
        figure("S4–S6", range(96)),
        figure("S3–S6", range(120)),
        figure("S2–S6", range(97)),
    ]
    # S5–S6 leaks against S6 (3) and S4–S6 (3); S2–S6 against S4–S6 (1). S4–S6 - S6 = 6 is fine on its own.
    withheld = privacy.withheld_for_differencing(figures, 5)
    assert withheld == {("chart", "S5–S6"), ("chart", "S2–S6")}
    assert privacy.differencing_leaks([f for f in figures if (f.source, f.label) not in withheld], 5) == []


def test_a_group_published_alone_elsewhere_is_never_combined():
    frame = pd.DataFrame(
        [
            {"email": f"{s}{i}@example.org", "session": s, "accepted": i % 2 == 0}
            for s, n in (("S4", 20), ("S5", 3), ("S6", 30), ("S7", 2))
            for i in range(n)
        ]
    )
    safe = privacy.rate_by(
        frame, "accepted", "session", 5, order=["S4", "S5", "S6", "S7"], ordered=True, alone=["S6"], unit="session"
    )
    assert published(safe, "session") == {"S4–S5": 23, "S6": 30}  # S7's only neighbour is S6: left out
    assert safe.left_out == ("S7",) and "Left out" in safe.note
    plain = privacy.rate_by(frame, "accepted", "session", 5, order=["S4", "S5", "S6", "S7"], ordered=True)
    assert "S6–S7" in published(plain, "session")  # without alone, S7 hides inside S6's bar


def test_withholding_a_group_of_a_frame_whose_total_is_published_withholds_them_all():
    counted = privacy.count_by(people_in_groups({"a": 6, "b": 9, "c": 12}), "group", 5)
    assert privacy.withhold(counted, {"a"}).empty  # b and c with their shares would give a away
    means = privacy.mean_by(people_in_groups({"a": 6, "b": 9}).assign(score=3), "score", "group", 5)
    kept = privacy.withhold(means, {"a"})
    assert published(kept) == {"b": 9} and kept.left_out == ("a",)
    assert {f.label for f in kept.figures} == {"b"}
