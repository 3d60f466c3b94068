"""Choosing a cohort that can be placed in teams: placeability, the joint proposal, pins, the CLI."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, event, given, settings as hsettings, strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import cohort, db as dbmod, models, selection, reads
from dashboard.availability import from_hour_blocks
from dashboard.cohort import CohortError, propose, score_order
from dashboard.placeability import placeability, rivals_table
from dashboard.selection import Places
from dashboard.teams import Candidate, Instance, Rules, Staff, TeamSpec, validate_teams
from tests.test_teams import _session_id, instances

FAST = dict(time_limit=5.0, workers=1)
MONDAY, TUESDAY, WEDNESDAY = range(42, 48), range(66, 72), range(90, 96)  # 18:00-24:00 UTC


def hours(blocks) -> frozenset[float]:
    return frozenset(from_hour_blocks(list(blocks)))


def person(key: str, place: int, score: float, blocks, projects=("Django core",), name: str | None = None) -> Candidate:
    return Candidate(
        key,
        rank=place,
        score=score,
        project_preferences=list(projects),
        availability=hours(blocks),
        name=name or key.upper(),
    )


def team(name: str, project: str, blocks) -> TeamSpec:
    week = hours(blocks)
    return TeamSpec(name, project, [Staff(f"nav-{name}@x.org", week)], Staff(f"cap-{name}@x.org", week))


def two_teams(*candidates: Candidate, **rules) -> Instance:
    """Team Comet works on Django core on Monday evenings, Team Nova on django CMS on Tuesday evenings."""
    base = (
        dict(min_team_size=2, max_team_size=3, navigator_meeting_hours=5, captain_hours=3, max_per_navigator=4) | rules
    )
    return Instance(
        Rules(**base),
        [team("Team Comet", "Django core", MONDAY), team("Team Nova", "django CMS", TUESDAY)],
        list(candidates),
    )


def score_order_instance() -> Instance:
    """The best applicant fits no team; the fourth fits only a team nobody better can complete."""
    return two_teams(
        person("a", 1, 4.8, WEDNESDAY, name="Ada"),  # Django core, but only free on Wednesdays
        person("b", 2, 4.5, MONDAY, name="Bea"),
        person("c", 3, 4.2, MONDAY, name="Cy"),
        person("d", 4, 4.0, TUESDAY, ["django CMS"], name="Dee"),
        person("e", 5, 3.5, TUESDAY, ["django CMS"], name="Eve"),
        person("f", 6, 3.0, MONDAY, name="Fay"),
    )


# --- placeability ------------------------------------------------------------------------------


def test_placeability_says_who_fits_where_with_whom_and_why_not():
    instance = score_order_instance()
    fits = placeability(instance)
    assert not fits["a"].placeable
    assert (
        fits["a"].reason == "No Captain on Django core shares 3 hours with them: best is Team Comet's Captain with 0."
    )
    assert fits["b"].teams == ("Team Comet",) and fits["d"].teams == ("Team Nova",)
    assert fits["c"].rivals == ("b", "f") and fits["c"].ahead == 1 and fits["c"].places == 3
    assert fits["c"].competition == "2 others (1 ranked higher) for 3 places"
    assert fits["a"].competition == ""


def test_the_explanation_names_the_best_team_and_its_hours():
    # Free Monday 18:00-21:00 only: the Captain's 3 hours are there, the team's 5 are not.
    instance = two_teams(person("a", 1, 4.0, range(42, 45)), person("b", 2, 4.0, MONDAY))
    assert (
        placeability(instance)["a"].reason
        == "No team on Django core has 5 common hours with them: best is Team Comet with 3."
    )


def test_fitting_a_team_alone_is_not_enough_without_team_mates():
    # Dee fits Team Nova, but a team needs 2 and nobody else is free on Tuesdays.
    instance = two_teams(
        person("b", 1, 4.0, MONDAY), person("c", 2, 4.0, MONDAY), person("d", 3, 4.0, TUESDAY, ["django CMS"])
    )
    fits = placeability(instance)
    assert fits["b"].placeable and not fits["d"].placeable
    assert fits["d"].reason == (
        "Team Nova fits them on their own, but no 1 other applicant who fit it share 5 hours "
        "with them and the Navigators (a team needs 2)."
    )


def _brute_placeable(instance: Instance, key: str) -> bool:
    """Some team of the allowed size that includes them breaks no rule."""
    rules, others = instance.rules, [c.email for c in instance.candidates if c.email != key]
    for t in instance.teams:
        for size in range(rules.min_team_size, rules.max_team_size + 1):
            for group in itertools.combinations(others, size - 1):
                if not validate_teams(instance, {e: t.name for e in (key, *group)}):
                    return True
    return False


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@st.composite
def scored(draw, **kwargs) -> Instance:
    """test_teams' random instances, with Selection-page scores (ties included) in place order."""
    instance = draw(instances(**kwargs))
    scores = sorted((draw(st.sampled_from([1.0, 2.5, 3.0, 3.25, 4.0, 5.0])) for _ in instance.candidates), reverse=True)
    for candidate, score in zip(instance.candidates, scores):
        candidate.score = score
    return instance


@hsettings(max_examples=60, **SETTINGS)
@given(scored(max_candidates=6, max_teams=2))
def test_placeability_is_exactly_whether_some_legal_team_includes_them(instance):
    fits = placeability(instance)
    for c in instance.candidates:
        expected = _brute_placeable(instance, c.email)
        event(f"placeable={expected}")
        assert fits[c.email].placeable == expected
        assert fits[c.email].reason is None if expected else fits[c.email].reason


# --- the proposal ------------------------------------------------------------------------------


def test_score_order_accepts_someone_no_team_can_take_and_the_proposal_places_more():
    instance = score_order_instance()
    fits = placeability(instance)
    assert score_order(instance, 4) == ["a", "b", "c", "d"]
    proposal = propose(instance, fits, 4, **FAST)
    assert proposal.proven and not proposal.timed_out and proposal.gap == 0.0
    assert proposal.cohort == ["b", "c", "d", "e"]
    assert validate_teams(instance, proposal.assignments) == []
    assert proposal.score_order.placed == ["b", "c"]  # Ada fits no team and Dee has nobody to make a team with
    assert len(proposal.cohort) > len(proposal.score_order.placed)
    assert proposal.total >= proposal.total_of(proposal.score_order.placed)
    assert proposal.total == pytest.approx(4.5 + 4.2 + 4.0 + 3.5)
    assert proposal.instead == ["a"] and proposal.added == ["e"]
    assert proposal.summary() == (
        "Accepting #5 Eve instead of #1 Ada (fits no team: no Captain on Django core shares 3 hours with them: best is "
        "Team Comet's Captain with 0) places 2 more people: 4 instead of the 2 score order places in teams, with a total "
        "score of 16.20 instead of 8.70."
    )
    assert proposal.status.startswith("Proven optimal")


def test_the_proposal_gives_up_a_better_rank_only_for_a_better_total():
    # One team of at most 3, everyone fits: the top 3 by score is the best cohort (no cost against score order).
    instance = two_teams(*(person(k, i + 1, 5.0 - i / 2, MONDAY) for i, k in enumerate("abcde")))
    proposal = propose(instance, placeability(instance), 3, **FAST)
    assert proposal.cohort == ["a", "b", "c"] and proposal.instead == [] and proposal.added == []
    assert proposal.summary() == "The proposal is pure score order: the top 3 all fit in teams (total score 13.50)."


def test_equal_totals_are_broken_by_the_selection_pages_order():
    # b and c have the same score; the page puts b first, so the proposal takes b.
    instance = two_teams(person("a", 1, 4.0, MONDAY), person("b", 2, 3.0, MONDAY), person("c", 3, 3.0, MONDAY))
    assert propose(instance, placeability(instance), 2, **FAST).cohort == ["a", "b"]


def test_pins_are_kept_and_explained_when_they_cannot_be():
    instance = score_order_instance()
    fits = placeability(instance)
    pinned = propose(instance, fits, 4, pin_in=["f"], pin_out=["b"], **FAST)
    assert "f" in pinned.cohort and "b" not in pinned.cohort
    assert validate_teams(instance, pinned.assignments) == []
    assert pinned.score_order.accepted == ["f", "a", "c", "d"]  # score order keeps the same pins
    with pytest.raises(CohortError, match=r"^#1 Ada \(a\) is pinned in but fits no team: No Captain on Django core"):
        propose(instance, fits, 4, pin_in=["a"], **FAST)
    with pytest.raises(CohortError, match="Application zz is not in this session"):
        propose(instance, fits, 4, pin_out=["zz"], **FAST)
    with pytest.raises(CohortError, match="pinned both in and out"):
        propose(instance, fits, 4, pin_in=["b"], pin_out=["b"], **FAST)
    with pytest.raises(CohortError, match="2 applications are pinned in, but the cohort has 1 places"):
        propose(instance, fits, 1, pin_in=["b", "c"], **FAST)
    # Two people who each fit, but not together: one team holds at most 3 Monday people.
    crowded = two_teams(*(person(k, i + 1, 4.0, MONDAY) for i, k in enumerate("wxyz")))
    with pytest.raises(CohortError, match="cannot all be placed together"):
        propose(crowded, placeability(crowded), 4, pin_in=list("wxyz"), **FAST)


def _brute_best_total(instance: Instance, room: int) -> int:
    """The best total (thousandths) of any cohort of at most `room` that the teams can take, by enumeration."""
    names = [None] + [t.name for t in instance.teams]
    best = 0
    for combo in itertools.product(names, repeat=len(instance.candidates)):
        chosen = {c.email: t for c, t in zip(instance.candidates, combo) if t}
        if len(chosen) <= room and not validate_teams(instance, chosen):
            best = max(best, sum(round(1000 * instance.candidate(e).score) for e in chosen))
    return best


@hsettings(max_examples=40, **SETTINGS)
@given(scored(max_candidates=6, max_teams=2), st.integers(1, 6), st.data())
def test_the_proposal_never_breaks_a_rule_and_is_the_best_total(instance, room, data):
    fits = placeability(instance)
    placeable = [c.email for c in instance.candidates if fits[c.email].placeable]
    pin_out = data.draw(st.lists(st.sampled_from([c.email for c in instance.candidates]), max_size=1, unique=True))
    proposal = propose(instance, fits, room, pin_out=pin_out, **FAST)
    event(f"cohort of {min(len(proposal.cohort), 3)}+")
    assert validate_teams(instance, proposal.assignments) == []
    assert set(proposal.cohort) == set(proposal.assignments) <= set(placeable) - set(pin_out)
    assert len(proposal.cohort) <= room
    assert proposal.proven
    rest = Instance(instance.rules, instance.teams, [c for c in instance.candidates if c.email not in pin_out])
    assert round(proposal.total * 1000) == _brute_best_total(rest, room)
    assert proposal.total >= proposal.total_of(proposal.score_order.placed)


def test_decision_changes_accept_the_cohort_and_waitlist_the_rest_of_the_accepted():
    instance = score_order_instance()
    proposal = propose(instance, placeability(instance), 4, **FAST)
    changes = proposal.decision_changes(
        {"a": "accepted", "b": "accepted", "c": "pending", "d": "waitlisted", "e": "rejected", "f": "accepted"}
    )
    assert [(c.response_id, c.status, c.rank) for c in changes] == [
        ("c", "accepted", None),
        ("d", "accepted", None),
        ("e", "accepted", None),
        ("a", "waitlisted", None),
        ("f", "waitlisted", None),
    ]


def test_capacity_is_the_places_and_never_more_than_the_teams_hold():
    instance = score_order_instance()  # two teams of at most 3
    assert cohort.capacity(Places(24, "x"), instance) == 6
    assert cohort.capacity(Places(4, "x"), instance) == 4
    assert cohort.capacity(Places(None, "no Navigators"), instance) == 6


# --- the demo database and the command line ----------------------------------------------------


def test_cli_proposes_the_same_cohort_as_the_function(demo_url, settings, command_line):
    session_id = _session_id(demo_url)
    ranked, instance, places = cohort.load(demo_url, session_id, settings)
    fits = placeability(instance)
    room = cohort.capacity(places, instance)
    top = ranked["response_id"].iloc[0]
    expected = propose(instance, fits, room, pin_out=[top], time_limit=120, workers=2)
    done = command_line("cohort", "propose", "--database", demo_url, "--json", "--pin-out", top, "--time-limit", "120")
    assert done.returncode == 0, done.stderr + done.stdout
    out = json.loads(done.stdout)
    assert out["session"] == "2026 Session 6" and out["capacity"] == room == 24
    assert out["proven_optimal"] and expected.proven
    assert [c["response_id"] for c in out["cohort"]] == expected.cohort and top not in expected.cohort
    assert out["pins"] == {"in": [], "out": [top]}
    assert out["summary"] == expected.summary()
    assert {c["response_id"]: c["team"] for c in out["cohort"]}.keys() == set(expected.cohort)
    assert validate_teams(instance, {c["response_id"]: c["team"] for c in out["cohort"]}) == []
    # The Selection page's ranking is the one in the JSON: places are its positions.
    positions = dict(zip(ranked["response_id"], ranked["position"]))
    assert all(c["place"] == positions[c["response_id"]] for c in out["cohort"])
    # Nothing is saved by proposing.
    assert (reads.load_table(demo_url, session_id, "decisions")["status"] == "accepted").sum() == 18


def test_cli_refuses_what_it_cannot_do_in_one_sentence(demo_url, empty_url, command_line):
    done = command_line("cohort", "propose", "--database", demo_url, "--json", "--pin-in", "nobody")
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"].startswith("Application nobody is not in this session")
    done = command_line("cohort", "propose", "--database", empty_url, "--json")
    assert done.returncode == 1 and "no session yet" in json.loads(done.stdout)["error"]


def test_saving_a_proposal_goes_through_the_audited_decisions_path(demo_url, settings):
    session_id = _session_id(demo_url)
    ranked, instance, places = cohort.load(demo_url, session_id, settings)
    proposal = propose(instance, placeability(instance), cohort.capacity(places, instance), time_limit=30)
    changes = proposal.decision_changes(dict(zip(ranked["response_id"], ranked["status"])))
    saved = selection.save_decisions(demo_url, session_id, changes, "organiser1@example.org", keep_rank=True)
    assert saved == len(changes) > 0
    decisions = reads.load_table(demo_url, session_id, "decisions").set_index("response_id")
    assert set(decisions.index[decisions["status"] == "accepted"]) == set(proposal.cohort)
    with OrmSession(dbmod.get_engine(demo_url)) as db:
        audited = db.scalars(
            select(models.AuditEntry.subject).where(models.AuditEntry.action == "decision_changed")
        ).all()
    assert sorted(audited) == sorted(c.response_id for c in changes)


def _proposal(**fields) -> cohort.Proposal:
    values = dict(
        cohort=["a"],
        assignments={"a": "Team Comet"},
        teams=[],
        capacity=4,
        total=4.0,
        bound=None,
        proven=False,
        timed_out=False,
        seconds=12.04,
        score_order=cohort.ScoreOrder(["a"], ["a"], True, 1.0),
        people={"a": person("a", 1, 4.0, MONDAY)},
        reasons={},
    )
    return cohort.Proposal(**values | fields)


def test_the_status_says_proven_a_stated_gap_or_out_of_time():
    assert _proposal(proven=True, bound=4.0).status == (
        "Proven optimal (12.0 s): no cohort of at most 4 that can be placed in full has a higher total review score."
    )
    gap = _proposal(bound=5.0)
    assert gap.gap == pytest.approx(0.2)
    assert gap.status == (
        "Best found within the time limit (12.0 s), not proven optimal: its total is at most 20.0% "
        "below the best possible (5.00)."
    )
    assert _proposal().status.endswith("not proven optimal: the solver has no bound on the best possible total yet.")
    out = _proposal(timed_out=True, bound=5.0)
    assert out.gap is None and out.status.startswith(
        "The time limit ran out (12.0 s) before the solver answered; this is the first fit in score order"
    )


def test_an_out_of_time_proposal_still_breaks_no_rule_and_says_it_is_not_proven():
    import random

    rng = random.Random(5)

    def week() -> frozenset[float]:
        return frozenset(s for s in (i / 2 for i in range(48)) if rng.random() < 0.8)

    teams = [
        TeamSpec(f"Team {i}", None, [Staff(f"nav{i}@x.org", week())], Staff(f"cap{i}@x.org", week())) for i in range(12)
    ]
    people = [Candidate(f"p{i}", rank=i + 1, score=5 - i / 100, availability=week()) for i in range(200)]
    instance = Instance(Rules(navigator_meeting_hours=3, captain_hours=3), teams, people)
    proposal = propose(instance, placeability(instance), 40, time_limit=0.05, workers=1, baseline_time_limit=0.05)
    assert validate_teams(instance, proposal.assignments) == [] and 0 < len(proposal.cohort) <= 40
    assert not proposal.proven and not proposal.status.startswith("Proven")
    assert (proposal.gap is None) == proposal.timed_out


def test_the_pages_tables_of_rivals_the_cohort_and_who_is_left_out():
    import pandas as pd

    instance = score_order_instance()
    fits = placeability(instance)
    ranked = pd.DataFrame(
        {
            "response_id": list("abcdef"),
            "position": range(1, 7),
            "name": list("ABCDEF"),
            "status": ["accepted", "pending", "pending", "waitlisted", "rejected", "pending"],
        }
    )
    rivals = rivals_table(ranked, fits, "c")
    assert rivals.to_dict("records") == [
        {"#": 2, "Response ID": "b", "Name": "B", "Status": "pending", "Same teams": "Team Comet"},
        {"#": 6, "Response ID": "f", "Name": "F", "Status": "pending", "Same teams": "Team Comet"},
    ]
    proposal = propose(instance, fits, 4, **FAST)
    table = proposal.cohort_table(dict(zip(ranked["response_id"], ranked["status"])))
    assert list(table["Response ID"]) == ["b", "c", "d", "e"] and list(table["Now"]) == [
        "pending",
        "pending",
        "waitlisted",
        "rejected",
    ]
    assert set(table["Team"]) == {"Team Comet", "Team Nova"}
    left = proposal.left_out_table()
    assert list(left["Response ID"]) == ["a"] and left["Why not"].iloc[0].startswith(
        "fits no team: no Captain on Django core"
    )


def test_an_application_hidden_by_the_viewers_conflict_is_never_proposed_on_its_score(demo_url, settings):
    session_id = _session_id(demo_url)
    ranked, instance, places = cohort.load(demo_url, session_id, settings)
    best = ranked["response_id"].iloc[0]
    hidden = selection.hide_conflicted_scores(ranked, {best})  # the page's ranking for an organiser with that conflict
    applications = reads.load_table(demo_url, session_id, "applications")
    mine = cohort.cohort_instance(
        hidden,
        applications,
        reads.load_table(demo_url, session_id, "people"),
        reads.load_table(demo_url, session_id, "teams"),
        instance.rules,
    )
    assert mine.candidate(best).score is None and mine.candidate(best).rank is None
    fits = placeability(mine)
    assert fits[best].placeable and fits[best].ahead is None  # its own place is not revealed
    assert "ranked higher" not in fits[best].competition
    proposal = propose(mine, fits, cohort.capacity(places, mine), time_limit=30)
    assert best not in proposal.cohort and best not in proposal.score_order.accepted
