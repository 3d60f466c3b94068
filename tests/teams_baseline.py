"""The baseline the allocator must beat: Djangonaut Space's rank-order depth-first search.

Candidates are taken in rank order; each one is tried in every team in turn (then left out),
keeping every hard rule; the search stops at the first complete assignment whose non-empty
teams are big enough ("first fit"). It cannot balance teams, and a first fit is not an
optimum, so "proven optimal" does not apply to it. When it runs out of its node budget it
says so (finished=False) and answers with the first leaf it reached, small teams dissolved:
that is a fallback, not the search's answer. Shared by tests/test_teams.py and
benchmarks/bench_teams.py; it deliberately re-implements the rules from the availability
sets (hours counted like the site's count_one_hour_blocks, written again here) so that it does
not share code with the allocator it checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.teams import Instance

NODE_LIMIT = 200_000


class _Budget(Exception):
    pass


def _site_hours(slots) -> int:
    """The site's count_one_hour_blocks: in the sorted slots, each slot and the next 0.5 h later make one hour, used once."""
    ordered, hours, i = sorted(slots), 0, 0
    while i < len(ordered) - 1:
        if abs(ordered[i + 1] - ordered[i] - 0.5) < 0.01:
            hours, i = hours + 1, i + 2
        else:
            i += 1
    return hours


@dataclass(frozen=True)
class Baseline:
    """The search's assignments, whether it finished within its budget, and the nodes it visited."""

    assignments: dict[str, str | None]
    finished: bool
    nodes: int


def dfs_allocate(instance: Instance, node_limit: int = NODE_LIMIT) -> Baseline:
    """Rank-order depth-first search, first fit; after node_limit nodes, the first leaf with small teams dissolved."""
    rules = instance.rules
    by_email = {c.email: c for c in instance.candidates}
    teams = instance.teams
    assignment: dict[str, str | None] = {c.email: None for c in instance.candidates}
    fixed: set[str] = set()
    for team in teams:
        for member in team.members:
            assignment[member] = team.name
            fixed.add(member)
    order = sorted(
        (c for c in instance.candidates if c.email not in fixed),
        key=lambda c: (c.rank is None, c.rank or 0, -(c.score or 0), c.email),
    )
    members = {t.name: [e for e, n in assignment.items() if n == t.name] for t in teams}
    navigators_of = {t.name: [n.email for n in t.navigators] for t in teams}

    def load(navigator: str) -> int:
        return sum(len(members[name]) for name, navs in navigators_of.items() if navigator in navs)

    def fits(person, team) -> bool:
        if (
            person.project_preferences
            and team.project
            and team.project.lower() not in {p.lower() for p in person.project_preferences}
        ):
            return False
        if len(members[team.name]) + 1 > rules.max_team_size:
            return False
        if (
            team.captain is not None
            and _site_hours(team.captain.availability & person.availability) < rules.captain_hours
        ):
            return False
        if any(load(n) + 1 > rules.max_per_navigator for n in navigators_of[team.name]):
            return False
        common = set(person.availability)
        for navigator in team.navigators:
            common &= navigator.availability
        for email in members[team.name]:
            if email in by_email:
                common &= by_email[email].availability
        return _site_hours(common) >= rules.navigator_meeting_hours

    def complete() -> bool:
        return all(not m or len(m) >= rules.min_team_size for m in members.values())

    nodes = 0
    first_leaf: dict[str, str | None] | None = None

    def search(i: int) -> bool:
        nonlocal nodes, first_leaf
        nodes += 1
        if nodes > node_limit:
            raise _Budget
        if i == len(order):
            if first_leaf is None:
                first_leaf = dict(assignment)
            return complete()
        person = order[i]
        for team in teams:
            if fits(person, team):
                assignment[person.email] = team.name
                members[team.name].append(person.email)
                if search(i + 1):
                    return True
                members[team.name].pop()
                assignment[person.email] = None
        return search(i + 1)

    try:
        if search(0):
            return Baseline(dict(assignment), True, nodes)
        finished = True
    except _Budget:
        finished = False
    result = dict(first_leaf or assignment)
    for team in teams:  # out of budget: dissolve the teams that stayed too small
        placed = [e for e, n in result.items() if n == team.name]
        if len(placed) < rules.min_team_size:
            for email in placed:
                if email not in fixed:
                    result[email] = None
    return Baseline(result, finished, min(nodes, node_limit))
