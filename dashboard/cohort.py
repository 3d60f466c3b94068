"""Choosing a cohort that can be placed in teams: the best cohort that all fits.

Selection and team formation are usually two steps: accept by score, then find that some of
those accepted fit no team's hours or project. Here both are one question: ``propose`` chooses
the cohort with the best review ranking (the Selection page's normalised score, its ties broken
by the page's order) that can be placed in full, in one CP-SAT model: the allocator's model
(dashboard.teams) with the choice of who is accepted added, so that selection and placement are
solved together. Who could be placed in which team at all is dashboard.placeability. Teams are
formed from scratch (selection comes before team formation); the proposal is only a proposal
until decisions are saved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

import pandas as pd

from dashboard import teams as teams_mod
from dashboard.placeability import Fit
from dashboard.selection import DecisionChange, Places, bulk_changes
from dashboard.teams import Candidate, Instance, Rules, TeamResult

SCORE_SCALE = 1000  # the model weighs normalised scores in thousandths: whole numbers, ties below that go to position


class CohortError(ValueError):
    """A proposal that cannot be made as asked, phrased for the organiser."""


# --- the instance: every application as a candidate, teams from scratch -----------------------


def cohort_instance(
    ranked: pd.DataFrame, applications: pd.DataFrame, people: pd.DataFrame, teams_frame: pd.DataFrame, rules: Rules
) -> Instance:
    """Every application as a candidate (known by response id) with its Selection-page place, and the empty teams.

    ranked: the Selection page's ranked table (response_id, position, normalised); positions and
    scores a viewer may not see (their own conflicts of interest) are empty and stay so here.
    """
    slots_of = teams_mod.people_slots(people)
    person_by_email = {str(p["email"]).lower(): p for p in people.to_dict("records")}
    order = ranked.set_index(ranked["response_id"].astype(str))
    candidates = []
    for application in applications.to_dict("records"):
        key = str(application["response_id"])
        row = order.loc[key] if key in order.index else None
        position = None if row is None or pd.isna(row["position"]) else int(row["position"])
        score = None if row is None or pd.isna(row["normalised"]) else float(row["normalised"])
        person = person_by_email.get(str(application.get("email") or "").strip().lower(), {})
        candidates.append(
            teams_mod.application_candidate(
                application, key, person, slots_of, rank=position, score=score, position=position
            )
        )
    return Instance(rules, teams_mod.team_specs(teams_frame, slots_of), candidates)


def capacity(places: Places, instance: Instance) -> int:
    """How many the cohort may hold: the Selection page's places, and never more than the teams hold."""
    in_teams = instance.rules.max_team_size * len(instance.teams)
    return in_teams if places.places is None else max(0, min(places.places, in_teams))


# --- the proposal ---------------------------------------------------------------------------


@dataclass
class ScoreOrder:
    """Pure score order, then teams: the top applicants accepted, and those of them the allocator placed."""

    accepted: list[str]
    placed: list[str]
    proven: bool  # the allocator proved it placed as many of them as can be
    seconds: float


@dataclass
class Proposal:
    """The best cohort that can be placed in full, one way to place it, how sure the solver is, and the cost."""

    cohort: list[str]  # response ids, best Selection-page place first
    assignments: dict[str, str]
    teams: list[TeamResult]
    capacity: int
    total: float  # the cohort's total normalised score, as the model counts it (thousandths)
    bound: float | None  # the solver's bound on the best possible total
    proven: bool
    timed_out: bool  # no answer from the solver in time: the cohort is the first fit in score order
    seconds: float
    score_order: ScoreOrder
    people: dict[str, Candidate]  # everyone named in the proposal or in score order
    reasons: dict[str, str]  # why score order's people are left out
    pin_in: tuple[str, ...] = ()
    pin_out: tuple[str, ...] = ()

    @property
    def gap(self) -> float | None:
        """How far below the best possible total the cohort may be, as a fraction (0 when proven optimal)."""
        if self.proven:
            return 0.0
        if self.timed_out or self.bound is None or self.bound <= 0:
            return None
        return max(0.0, (self.bound - self.total) / self.bound)

    @property
    def status(self) -> str:
        """The solver's answer in one honest sentence: proven optimal, a stated gap, or out of time."""
        if self.timed_out:
            return (
                f"The time limit ran out ({self.seconds:.1f} s) before the solver answered; this is the first fit "
                "in score order, with no bound on how far it is from the best. Give it more time "
                "([teams] time_limit_seconds)."
            )
        if self.proven:
            return (
                f"Proven optimal ({self.seconds:.1f} s): no cohort of at most {self.capacity} that can be placed "
                "in full has a higher total review score."
            )
        gap = self.gap
        bound = (
            f"its total is at most {100 * gap:.1f}% below the best possible ({self.bound:.2f})"
            if gap is not None
            else "the solver has no bound on the best possible total yet"
        )
        return f"Best found within the time limit ({self.seconds:.1f} s), not proven optimal: {bound}."

    @property
    def instead(self) -> list[str]:
        """Score order would accept these; the proposal does not."""
        return [k for k in self.score_order.accepted if k not in set(self.cohort)]

    @property
    def added(self) -> list[str]:
        """The proposal accepts these; score order would not."""
        return [k for k in self.cohort if k not in set(self.score_order.accepted)]

    def total_of(self, keys: Iterable[str]) -> float:
        """The total normalised score of these people, counted as the proposal counts it."""
        return sum(_weight(self.people[k]) for k in keys) / SCORE_SCALE

    def summary(self) -> str:
        """What the proposal cost against pure score order, in one sentence."""
        order = self.score_order
        placed, base = len(self.cohort), len(order.placed)
        if not self.instead and not self.added:
            return (
                f"The proposal is pure score order: the top {placed} all fit in teams (total score {self.total:.2f})."
            )
        groups: dict[str, list[str]] = {}
        for key in self.instead:
            groups.setdefault(self.reasons[key], []).append(key)
        given_up = " and ".join(
            f"{_names(self.people, keys)} ({'each ' if len(keys) > 1 else ''}{reason})"
            for reason, keys in groups.items()
        )
        more = placed - base
        change = (
            f"places {more} more {'person' if more == 1 else 'people'}"
            if more > 0
            else "places as many people"
            if more == 0
            else f"places {-more} fewer"
        )
        found = "" if order.proven else " (the most the allocator found in its time)"
        return (
            f"Accepting {_names(self.people, self.added) or 'nobody else'} instead of {given_up} {change}: "
            f"{placed} instead of the {base} score order places in teams{found}, with a total score of "
            f"{self.total:.2f} instead of {self.total_of(order.placed):.2f}."
        )

    def decision_changes(self, statuses: Mapping[str, str]) -> list[DecisionChange]:
        """Saving the proposal: its cohort accepted, and anyone accepted now but not in it waitlisted (ranks kept)."""
        cohort = set(self.cohort)
        accept = [k for k in self.cohort if statuses.get(k) != "accepted"]
        waitlist = [k for k, status in statuses.items() if status == "accepted" and k not in cohort]
        return bulk_changes(accept, "accepted") + bulk_changes(waitlist, "waitlisted")

    def cohort_table(self, statuses: Mapping[str, str]) -> pd.DataFrame:
        """The proposed cohort, best place first: place, id, name, score, team and the decision it has now."""
        people = [self.people[k] for k in self.cohort]
        return pd.DataFrame(
            {
                "#": [c.rank for c in people],
                "Response ID": self.cohort,
                "Name": [c.name for c in people],
                "Normalised": [c.score for c in people],
                "Team": [self.assignments[k] for k in self.cohort],
                "Now": [statuses.get(k) for k in self.cohort],
            }
        )

    def left_out_table(self) -> pd.DataFrame:
        """Whom score order would accept and the proposal does not, and why."""
        people = [self.people[k] for k in self.instead]
        return pd.DataFrame(
            {
                "#": [c.rank for c in people],
                "Response ID": self.instead,
                "Name": [c.name for c in people],
                "Why not": [self.reasons[k] for k in self.instead],
            }
        )

    def to_json(self) -> dict[str, Any]:
        """The `cohort propose --json` contract."""

        def person(key: str) -> dict[str, Any]:
            c = self.people[key]
            return {
                "response_id": key,
                "place": c.rank,
                "name": c.name,
                "score": None if c.score is None else round(c.score, 3),
            }

        return {
            "capacity": self.capacity,
            "proven_optimal": self.proven,
            "timed_out": self.timed_out,
            "gap": None if self.gap is None else round(self.gap, 4),
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "total_score": round(self.total, 3),
            "bound": None if self.bound is None else round(self.bound, 3),
            "cohort": [person(k) | {"team": self.assignments[k]} for k in self.cohort],
            "teams": [t.contract() for t in self.teams if t.members],
            "score_order": {
                "accepted": self.score_order.accepted,
                "placed": self.score_order.placed,
                "proven_optimal": self.score_order.proven,
                "seconds": round(self.score_order.seconds, 3),
                "total_score_placed": round(self.total_of(self.score_order.placed), 3),
            },
            "instead_of": [person(k) | {"reason": self.reasons[k]} for k in self.instead],
            "added": [person(k) for k in self.added],
            "summary": self.summary(),
            "pins": {"in": list(self.pin_in), "out": list(self.pin_out)},
        }


NAMES_SHOWN = 5


def _names(people: Mapping[str, Candidate], keys: list[str]) -> str:
    """'#25 Kristin Jimenez, #26 Louise Leclercq and 3 more'."""
    shown = [label(people[k]) for k in keys[:NAMES_SHOWN]]
    if len(keys) > NAMES_SHOWN:
        return f"{', '.join(shown)} and {len(keys) - NAMES_SHOWN} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}" if shown else ""


def label(candidate: Candidate) -> str:
    """'#4 Ada Lovelace': the Selection page's place and the name (the response id when there is no name)."""
    place = "" if candidate.rank is None else f"#{candidate.rank} "
    return f"{place}{candidate.name or candidate.email}"


def _weight(candidate: Candidate) -> int:
    return 0 if candidate.score is None else round(SCORE_SCALE * candidate.score)


def _check_pins(
    instance: Instance, fits: Mapping[str, Fit], pin_in: tuple[str, ...], pin_out: tuple[str, ...], room: int
) -> None:
    known = {c.email for c in instance.candidates}
    unknown = [k for k in pin_in + pin_out if k not in known]
    if unknown:
        raise CohortError(f"Application {unknown[0]} is not in this session; pin response ids from the Selection page.")
    both = sorted(set(pin_in) & set(pin_out))
    if both:
        raise CohortError(f"Application {both[0]} is pinned both in and out; choose one.")
    if len(pin_in) > room:
        raise CohortError(f"{len(pin_in)} applications are pinned in, but the cohort has {room} places; unpin some.")
    for key in pin_in:
        if not fits[key].placeable:
            raise CohortError(
                f"{label(instance.candidate(key))} ({key}) is pinned in but fits no team: {fits[key].reason} "
                "Unpin them, or change the teams first."
            )


def score_order(instance: Instance, room: int, pin_in: Iterable[str] = (), pin_out: Iterable[str] = ()) -> list[str]:
    """Pure score order: the pinned-in, then the best Selection-page places, up to `room` (pinned-out and unscored skipped)."""
    pin_in = list(pin_in)
    skip = set(pin_out) | set(pin_in)
    ranked = sorted(
        (c for c in instance.candidates if c.rank is not None and c.score is not None and c.email not in skip),
        key=lambda c: c.rank,
    )
    return (pin_in + [c.email for c in ranked])[:room]


def select_then_allocate(
    instance: Instance, accepted: list[str], time_limit: float, workers: int = 2, seed: int = 0
) -> ScoreOrder:
    """Score order's way: accept these first, then ask the allocator how many of them it can place."""
    chosen = set(accepted)
    result = teams_mod.allocate(
        Instance(instance.rules, instance.teams, [c for c in instance.candidates if c.email in chosen]),
        time_limit=time_limit,
        workers=workers,
        seed=seed,
    )
    return ScoreOrder(
        list(accepted), [k for k in accepted if result.assignments.get(k)], result.optimal, result.seconds
    )


def propose(
    instance: Instance,
    fits: Mapping[str, Fit],
    room: int,
    pin_in: Iterable[str] = (),
    pin_out: Iterable[str] = (),
    time_limit: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    baseline_time_limit: float | None = None,
) -> Proposal:
    """The cohort of at most `room` with the best total review score that can all be placed, pins kept (one CP-SAT model).

    The allocator's model (dashboard.teams) over every application that could be placed, with the
    choice of who is accepted in it: a person is accepted exactly when they are placed, and at most
    `room` are. The objective is the cohort's total normalised score (thousandths), ties broken by
    the Selection page's order. Pinned-in people are in the cohort whatever it costs; pinned-out
    people are left out. Then score order's way on the same data (select_then_allocate), for the
    comparison.
    """
    started = time.perf_counter()
    pin_in, pin_out = tuple(dict.fromkeys(pin_in)), tuple(dict.fromkeys(pin_out))
    _check_pins(instance, fits, pin_in, pin_out, room)
    pinned = set(pin_in)
    # Only who could be placed at all enters the model; the pinned-in go first in the first-fit hint (rank 0).
    pool = [
        replace(c, rank=0) if c.email in pinned else c
        for c in instance.candidates
        if fits[c.email].placeable and c.email not in pin_out and (c.score is not None or c.email in pinned)
    ]
    if not pool and any(fits[c.email].placeable for c in instance.candidates):
        raise CohortError(
            "No application that fits a team has a review score yet, and a proposal ranks by score: score them on "
            "the Review page first, or pin in the people you want."
        )
    model_instance = Instance(instance.rules, instance.teams, pool)
    model = teams_mod.TeamModel(model_instance, relax_min=False)
    x = model.x
    place = {c.email: c.rank if c.rank is not None else len(instance.candidates) + 1 for c in instance.candidates}
    weight = {c.email: _weight(c) for c in pool}
    by_person: dict[str, list] = {}
    for (key, _), var in x.items():
        by_person.setdefault(key, []).append(var)
    model.model.add(sum(x.values()) <= room)
    for key in pin_in:
        model.model.add(sum(by_person[key]) == 1)
    # One objective, lexicographic by construction: the total score in thousandths, times more than the
    # tie-break can ever add, plus the tie-break (better Selection-page places). No team-balance stages:
    # the Teams page forms the teams once the cohort is decided.
    n = len(instance.candidates) + 1
    scale = room * n + 1
    model.objectives = [
        (
            "total normalised score of the cohort (thousandths), then Selection-page places",
            sum((weight[k] * scale + n - place[k]) * v for (k, _), v in x.items()),
            True,
        )
    ]
    model.shares = [1.0]
    model.presolve_first_stage = len(pool) * len(instance.teams) <= 20_000  # at 10x presolve alone outlasts the limit
    hint = {k: t for k, t in teams_mod.greedy_assignments(model_instance, limit=room).items() if t}
    outcome = model.solve(hint, time_limit, workers, seed, started)
    if outcome is None:
        raise CohortError(
            "The pinned-in applications cannot all be placed together under the team rules "
            f"({', '.join(label(instance.candidate(k)) for k in pin_in)}); unpin some of them."
        )
    solution, stages, _, _ = outcome
    first = stages[0] if stages else {}
    chosen = {k: t for (k, t), v in (solution or {}).items() if v}
    timed_out = first.get("value") is None
    hint_kept_pins = pinned <= set(hint)
    if timed_out and not hint_kept_pins:
        raise CohortError(
            "The time limit ran out before the solver placed every pinned-in application; "
            "give it more time ([teams] time_limit_seconds) or unpin some."
        )
    if timed_out or (hint_kept_pins and sum(weight[k] for k in chosen) < sum(weight[k] for k in hint)):
        chosen = hint  # out of time below the first fit in score order: that is the better answer
    seconds = time.perf_counter() - started
    accepted = score_order(instance, room, pin_in, pin_out)
    baseline = select_then_allocate(instance, accepted, baseline_time_limit or time_limit, workers, seed)
    people = {c.email: c for c in instance.candidates}
    return Proposal(
        cohort=sorted(chosen, key=lambda k: (place[k], k)),
        assignments=chosen,
        teams=teams_mod.describe(model_instance, chosen),
        capacity=room,
        total=sum(weight[k] for k in chosen) / SCORE_SCALE,
        bound=None if first.get("bound") is None else first["bound"] // scale / SCORE_SCALE,
        proven=bool(first.get("optimal")) and not timed_out,
        timed_out=timed_out,
        seconds=seconds,
        score_order=baseline,
        people=people,
        pin_in=pin_in,
        pin_out=pin_out,
        reasons={k: _left_out(fits[k], k in baseline.placed) for k in accepted if k not in chosen},
    )


def _left_out(fit: Fit, placed_in_score_order: bool) -> str:
    """Why someone score order accepts is not in the proposal."""
    if not fit.placeable:
        return f"fits no team: {_lower_first((fit.reason or 'no team can take them').rstrip('.'))}"
    if placed_in_score_order:
        return "fits a team, but the cohort scores higher without them"
    return "fits a team on their own, but not together with the rest of score order's cohort"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def load(url: str, session_id: int, settings) -> tuple[pd.DataFrame, Instance, Places]:
    """The Selection page's ranked table, the cohort instance and the places, straight from the database (CLI, benchmarks)."""
    from dashboard import selection

    tables = teams_mod.load_session_tables(url, session_id)
    ranked = teams_mod.selection_ranking(tables, settings)
    instance = cohort_instance(
        ranked, tables["applications"], tables["people"], tables["teams"], teams_mod.rules_from_settings(settings)
    )
    return ranked, instance, selection.places(settings, tables["people"], tables["teams"])
