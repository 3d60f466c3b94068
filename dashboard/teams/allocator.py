"""Propose teams: the first fit as a start, the CP-SAT model's stages, and the explained Allocation.

When people already placed by hand make some team impossible to fill, the model is solved again
with that team allowed to stay small (``Allocation.relaxed``). When the solver runs out of time
below the first fit, the first fit is the answer.
"""

from __future__ import annotations

import time
from typing import Mapping

from dashboard.teams.cpsat import TeamModel
from dashboard.teams.explain import Allocation, describe, unplaced_reason
from dashboard.teams.greedy import greedy_assignments
from dashboard.teams.instance import Instance, rank_order
from dashboard.teams.score import team_score


def allocate(instance: Instance, time_limit: float = 10.0, workers: int = 2, seed: int = 0) -> Allocation:
    """Propose teams: most people placed, best ranks, then the best worst team (CP-SAT)."""
    started = time.perf_counter()
    hint = greedy_assignments(instance)
    placed_before = {e for e, t in instance.current_assignments().items() if t}
    model = TeamModel(instance, relax_min=False)
    outcome = model.solve(hint, time_limit, workers, seed, started)
    relaxed = False
    if outcome is None:
        # Hand-placed people make some team impossible to fill: keep them and let that team stay small.
        relaxed = True
        model = TeamModel(instance, relax_min=True)
        outcome = model.solve(hint, max(0.1, time_limit - (time.perf_counter() - started)), workers, seed, started)
    solution, stages, optimal, status = outcome if outcome else (None, [], False, "INFEASIBLE")
    if solution is not None and sum(solution.values()) < sum(
        1 for e, t in hint.items() if t and e not in placed_before
    ):
        solution, optimal = None, False  # out of time below the first-fit start: the start is the better answer
    return _finish(instance, solution, hint, stages, optimal, status, started, relaxed)


def _finish(
    instance: Instance,
    solution,
    fallback: Mapping[str, str | None],
    stages,
    optimal: bool,
    status: str,
    started: float,
    relaxed: bool,
) -> Allocation:
    """The Allocation of the solver's solution (or of the first fit when there is none), explained."""
    if solution is not None:
        assignments = {e: t for e, t in instance.current_assignments().items() if t}
        for (email, name), value in solution.items():
            if value:
                assignments[email] = name
    else:
        assignments = {e: t for e, t in fallback.items() if t}
        optimal = False
    full = {c.email: assignments.get(c.email) for c in rank_order(instance.candidates)}
    full.update({e: t for e, t in assignments.items() if e not in full})
    scores = {t.name: team_score(instance, t, [e for e, n in full.items() if n == t.name]) for t in instance.teams}
    results = describe(instance, full, scores)
    unplaced = [{"email": e, "reason": unplaced_reason(instance, e, full)} for e, t in full.items() if not t]
    return Allocation(full, results, unplaced, bool(optimal), time.perf_counter() - started, status, stages, relaxed)
