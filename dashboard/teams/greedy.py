"""The first fit: people in rank order, each into the first team that still meets every rule.

It is quick and always legal, so the solver starts from it (a complete hint) and falls back on
it when the time runs out; the answer is never worse than this start.
"""

from __future__ import annotations

from dashboard.teams.instance import Instance, rank_order
from dashboard.teams.rules import captain_overlap_hours, navigator_loads, project_ok, team_common_hours, tier_placeable


def greedy_assignments(instance: Instance, limit: int | None = None) -> dict[str, str | None]:
    """A quick feasible start: rank order, first team that still meets every rule (at most `limit` newly placed)."""
    rules = instance.rules
    assignments = instance.current_assignments()
    fixed = {e for e, t in assignments.items() if t}
    members = {t.name: [e for e, n in assignments.items() if n == t.name] for t in instance.teams}
    loads = navigator_loads(instance, assignments)  # kept up to date below: n people x m teams stays fast at 10x
    placed = 0
    for person in rank_order(instance.candidates):
        if person.email in fixed or not tier_placeable(person):
            continue
        if limit is not None and placed >= limit:
            break
        for team in instance.teams:
            if (
                project_ok(person, team)
                and len(members[team.name]) < rules.max_team_size
                and (team.captain is None or captain_overlap_hours(team, person) >= rules.captain_hours)
                and all(loads.get(n.email, 0) < rules.max_per_navigator for n in team.navigators)
                and team_common_hours(instance, team, members[team.name] + [person.email])
                >= rules.navigator_meeting_hours
            ):
                assignments[person.email] = team.name
                members[team.name].append(person.email)
                for navigator in team.navigators:  # as navigator_loads counts them
                    loads[navigator.email] = loads.get(navigator.email, 0) + 1
                placed += 1
                break
    for team in instance.teams:  # dissolve teams that stayed too small (hand-placed people stay)
        members = [e for e, n in assignments.items() if n == team.name]
        if 0 < len(members) < rules.min_team_size:
            for e in members:
                if e not in fixed:
                    assignments[e] = None
    return assignments
