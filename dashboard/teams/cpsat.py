"""The CP-SAT model of one allocation problem, and solving it goal by goal.

One yes/no variable per (person, team) that the rules allow, and one per (team, stretch of
consecutive half-hours in which the same people are busy) that is true only when nobody placed in
the team is busy then; the team's common hours are whole hours packed into those stretches
(``common_hours_expr``), exactly as the site counts them. The goals are solved lexicographically:
(1) place the most people (under tier rules: the accepted first, then the waitlisted into the room
left), (2) prefer better ranks, (3) make the worst team's score (dashboard.teams.score) as good as
possible, (4) then the teams' total score. Each goal's optimum becomes a constraint of the next.
dashboard.cohort reuses the model with its own goal.
"""

from __future__ import annotations

import os
import time
from typing import Any, Mapping

from dashboard.exports import WAITLISTED_TIER
from dashboard.teams.instance import Candidate, Instance, TeamSpec, rank_order
from dashboard.teams.rules import may_join, navigator_loads, team_common_slots, validate_teams
from dashboard.teams.score import HOURS_CAP, SPAN_FREE_HOURS, W_HOURS, W_MIX, W_SPAN, W_UR, utc_offset


def common_hours_expr(model, common: Mapping[float, Any], name: str = "") -> Any:
    """The team's common hours as a model expression: at most count_hours of the slots whose literal is true.

    common maps each slot that may be common to a literal true only when it is (None: always common).
    Consecutive slots sharing one literal form a segment of L half-hours, holding at most L // 2 hours
    of its own; an hour may also straddle the border of two adjacent segments. Every way of pairing
    consecutive common half-hours, each used once, is such a choice, so the most the expression can
    reach is what the site's count_one_hour_blocks counts. Straddles only ever add an hour by joining
    the spare half-hours of two odd segments, so borders outside the first and last odd segment of a
    chain of adjacent segments get none (fewer variables, the same optimum).
    """
    segments: list[list] = []  # [first slot, number of half-hours, literal]
    for slot in sorted(common):
        last = segments[-1] if segments else None
        if last is not None and slot == last[0] + last[1] / 2 and common[slot] is last[2]:
            last[1] += 1
        else:
            segments.append([slot, 1, common[slot]])
    chains: list[list[int]] = []  # indexes of adjacent segments
    for k, (first, _, _) in enumerate(segments):
        if k and first == segments[k - 1][0] + segments[k - 1][1] / 2:
            chains[-1].append(k)
        else:
            chains.append([k])
    straddles: dict[int, Any] = {}  # k -> the hour across the border of segments k and k+1
    for chain in chains:
        odd = [k for k in chain if segments[k][1] % 2]
        for k in range(odd[0], odd[-1]) if len(odd) > 1 else ():
            straddles[k] = model.new_bool_var(f"straddle[{name},{segments[k][0]}]")
    hours: list = list(straddles.values())
    for k, (first, length, literal) in enumerate(segments):
        inner = model.new_int_var(0, length // 2, f"inner[{name},{first}]") if length >= 2 else 0
        borders = [straddles[j] for j in (k - 1, k) if j in straddles]
        if borders or length >= 2:  # each half-hour used once, and none when the segment is not common
            model.add(2 * inner + sum(borders) <= (length if literal is None else length * literal))
            hours.append(inner)
    return sum(hours)


class TeamModel:
    """The CP-SAT model of one allocation problem, solved stage by stage."""

    def __init__(self, instance: Instance, relax_min: bool):
        from ortools.sat.python import cp_model

        self.cp_model = cp_model
        self.instance = instance
        rules = instance.rules
        teams = instance.teams
        people = rank_order(instance.candidates)
        self.position = {c.email: i + 1 for i, c in enumerate(people)}
        current = instance.current_assignments()
        fixed_of = {e: t for e, t in current.items() if t}
        fixed_members = {t.name: [e for e, n in fixed_of.items() if n == t.name] for t in teams}
        free = [c for c in people if c.email not in fixed_of]
        # Teams whose hand-placed members already break a rule (other than being too small) stay as they are.
        closed = {t.name for t in teams if len(fixed_members[t.name]) > rules.max_team_size}
        closed |= {
            name
            for v in validate_teams(instance, current)
            if v.rule in ("meeting_hours", "captain_hours", "project")
            for name in v.teams
        }
        base = {t.name: team_common_slots(instance, t, fixed_members[t.name]) for t in teams}
        fixed_load = navigator_loads(instance, fixed_of)

        def eligible(c: Candidate, t: TeamSpec) -> bool:
            return t.name not in closed and may_join(rules, c, t, base[t.name])

        levels = sorted({(c.experience_level or "").lower() for c in people if c.experience_level})
        offsets = {c.email: utc_offset(c) for c in people}
        use_span = any(o is not None for o in offsets.values())
        by_email = {c.email: c for c in people}

        model = cp_model.CpModel()
        x = {
            (c.email, t.name): model.new_bool_var(f"x[{c.email},{t.name}]")
            for c in free
            for t in teams
            if eligible(c, t)
        }
        by_person: dict[str, list] = {}
        by_team: dict[str, list] = {t.name: [] for t in teams}
        for (email, name), var in x.items():
            by_person.setdefault(email, []).append(var)
            by_team[name].append((email, var))
        for vars_ in by_person.values():
            model.add_at_most_one(vars_)
        size, scores, used = {}, {}, {}
        for t in teams:
            n_fixed = len(fixed_members[t.name])
            size[t.name] = n_fixed + sum(v for _, v in by_team[t.name])
            if t.name in closed or not (by_team[t.name] or n_fixed):
                continue
            in_use = model.new_bool_var(f"used[{t.name}]")
            if n_fixed:
                model.add(in_use == 1)
            used[t.name] = in_use
            model.add(size[t.name] <= rules.max_team_size * in_use)
            minimum = min(n_fixed, rules.min_team_size) if (relax_min and n_fixed) else rules.min_team_size
            model.add(size[t.name] >= minimum * in_use)
            # common[s]: half-hour s is common to the team; it cannot be when anyone placed here is busy then.
            slots = base[t.name]
            if not n_fixed:  # a team in use has a member from by_team: a slot all of them are busy in is never common
                slots = slots & set().union(*(by_email[email].availability for email, _ in by_team[t.name]))
            common: dict[float, Any] = {}
            last_slot, last_busy, literal = None, None, None
            for slot in sorted(slots):
                busy = [email for email, _ in by_team[t.name] if slot not in by_email[email].availability]
                # Consecutive half-hours in which the same people are busy share one literal (fewer, stronger constraints).
                if last_slot is None or slot != last_slot + 0.5 or busy != last_busy:
                    literal = model.new_bool_var(f"common[{t.name},{slot}]") if busy else None
                    if busy:  # common -> nobody busy then is placed here
                        model.add_bool_and([x[email, t.name].Not() for email in busy]).only_enforce_if(literal)
                common[slot], last_slot, last_busy = literal, slot, busy
            hours = common_hours_expr(model, common, t.name)
            model.add(hours >= rules.navigator_meeting_hours * in_use)
            # The team's score: hours above the minimum, mixed experience, no lone under-represented person,
            # a narrow time-zone span.
            extra = model.new_int_var(-rules.navigator_meeting_hours, HOURS_CAP, f"extra[{t.name}]")
            model.add_min_equality(extra, [hours - rules.navigator_meeting_hours, HOURS_CAP])
            fixed_people = [by_email[e] for e in fixed_members[t.name] if e in by_email]
            has = []
            for level in levels:
                h = model.new_bool_var(f"has[{t.name},{level}]")
                if not any((p.experience_level or "").lower() == level for p in fixed_people):
                    model.add(
                        h <= sum(v for e, v in by_team[t.name] if (by_email[e].experience_level or "").lower() == level)
                    )
                has.append(h)
            mixed = model.new_bool_var(f"mixed[{t.name}]")
            model.add(2 * mixed <= sum(has))  # mixed only with at least two levels present
            ur = sum(1 for p in fixed_people if p.underrepresented) + sum(
                v for e, v in by_team[t.name] if by_email[e].underrepresented
            )
            lonely = model.new_bool_var(f"lonely[{t.name}]")
            if isinstance(ur, int):
                model.add(lonely == int(ur == 1))
            else:
                model.add(ur != 1).only_enforce_if(lonely.Not())
            score = W_HOURS * extra + W_MIX * mixed + W_UR * (1 - lonely)
            if use_span:
                hi = model.new_int_var(-14, 14, f"hi[{t.name}]")
                lo = model.new_int_var(-14, 14, f"lo[{t.name}]")
                model.add(lo <= hi)
                for p in fixed_people:
                    if offsets.get(p.email) is not None:
                        model.add(hi >= offsets[p.email])
                        model.add(lo <= offsets[p.email])
                for e, v in by_team[t.name]:
                    if offsets.get(e) is not None:
                        model.add(hi >= offsets[e]).only_enforce_if(v)
                        model.add(lo <= offsets[e]).only_enforce_if(v)
                excess = model.new_int_var(0, 28, f"span_excess[{t.name}]")
                model.add(excess >= hi - lo - SPAN_FREE_HOURS)
                score = score - W_SPAN * excess
            scores[t.name] = score
        for navigator in sorted({n.email for t in teams for n in t.navigators}):
            cap = max(rules.max_per_navigator, fixed_load.get(navigator, 0))
            model.add(sum(size[t.name] for t in teams if any(n.email == navigator for n in t.navigators)) <= cap)

        bound = 10_000
        worst = model.new_int_var(-bound, bound, "worst_team_score")
        parts = []
        for name, s in scores.items():
            model.add(worst <= s).only_enforce_if(used[name])
            part = model.new_int_var(-bound, bound, f"counted_score[{name}]")  # the score when used, else 0
            model.add(part == s).only_enforce_if(used[name])
            model.add(part == 0).only_enforce_if(used[name].Not())
            parts.append(part)
        self.model, self.x = model, x
        waitlisted = {c.email for c in free if (c.tier or 0) == WAITLISTED_TIER}
        placing = [("people placed", sum(x.values()), True)]
        if waitlisted:  # the site's rule: Selection Rank 3 only into the room the others leave
            placing = [
                (
                    "accepted people placed (Selection Rank 0-2)",
                    sum(v for (e, _), v in x.items() if e not in waitlisted),
                    True,
                ),
                (
                    "waitlisted people placed into room left (Selection Rank 3)",
                    sum(v for (e, _), v in x.items() if e in waitlisted),
                    True,
                ),
            ]
        self.objectives = placing + [
            ("sum of rank positions of placed people", sum(self.position[e] * v for (e, _), v in x.items()), False),
            ("worst team's score", worst, True),
            ("total team score", sum(parts), True),
        ]
        self.presolve_first_stage = True  # a model far bigger than a cohort's teams (dashboard.cohort) may skip it
        # Each stage's share of the time left: placing people matters most; later stages refine.
        self.shares = [0.5 / len(placing)] * len(placing) + [0.15, 0.25, 0.1]

    def _complete_hint(self, hint: Mapping[str, str | None], seconds: float, workers: int) -> list[int] | None:
        """Every variable's value for the given assignment (a complete hint CP-SAT adopts at once)."""
        cp_model = self.cp_model
        trial = self.model.clone()
        for (email, name), var in self.x.items():
            trial.add(trial.get_bool_var_from_proto_index(var.index) == int(hint.get(email) == name))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = max(1, workers)
        if solver.solve(trial) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return list(solver.response_proto.solution)
        return None

    def solve(self, hint: Mapping[str, str | None], time_limit: float, workers: int, seed: int, started: float):
        """Solve the stages in order, each optimum fixed for the next; None when infeasible."""
        cp_model, model, x = self.cp_model, self.model, self.x
        shares = self.shares
        full = self._complete_hint(hint, min(1.0, 0.1 * time_limit), workers)
        solution = None
        stages: list[dict[str, Any]] = []
        all_optimal, status_name = True, "UNKNOWN"
        for index, (label, expr, maximise) in enumerate(self.objectives):
            remaining = max(0.05, time_limit - (time.perf_counter() - started))
            budget = max(0.05, remaining * shares[index] / sum(shares[index:]))
            model.clear_hints()
            if full is not None:
                for i, value in enumerate(full):
                    model.add_hint(model.get_int_var_from_proto_index(i), value)
            else:  # completing the hint ran out of time (a busy machine): hint who goes where, CP-SAT fills the rest
                for (email, name), var in x.items():
                    model.add_hint(var, int(hint.get(email) == name))
            model.maximize(expr) if maximise else model.minimize(expr)
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = budget
            solver.parameters.num_workers = max(1, workers)
            solver.parameters.random_seed = seed
            if (index or not self.presolve_first_stage) and len(x) > 2000:
                # Big models: presolving again for each refining stage can eat its whole budget; the
                # complete hint from the previous stage is a good enough start without it.
                solver.parameters.cp_model_presolve = False
            if os.environ.get("TEAMS_SOLVER_LOG"):  # print CP-SAT's search log (for tuning)
                solver.parameters.log_search_progress = True
            status = solver.solve(model)
            status_name = solver.status_name(status)
            if status == cp_model.INFEASIBLE and solution is None:
                return None
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # Out of time before a first solution of this stage: keep the previous stage's answer and
                # let the later stages (still bound by the earlier optima) try with the time that is left.
                stages.append({"stage": label, "value": None, "optimal": False})
                all_optimal = False
                if solution is None:
                    break  # not even "place the most people" was answered: fall back on the first-fit start
                continue
            value = int(round(solver.objective_value))
            proven = status == cp_model.OPTIMAL
            all_optimal = all_optimal and proven
            stages.append(
                {"stage": label, "value": value, "optimal": proven, "bound": int(round(solver.best_objective_bound))}
            )
            solution = {key: int(solver.value(var)) for key, var in x.items()}
            full = list(solver.response_proto.solution)
            if proven:
                model.add(expr == value)
            else:
                model.add(expr >= value) if maximise else model.add(expr <= value)
        # No solution in time: allocate falls back on the first fit.
        return solution, stages, all_optimal, status_name
