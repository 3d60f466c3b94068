"""Allocations in words: each team as proposed (``describe``), why someone has no team, and the result.

``TeamResult`` and ``Allocation`` are what the Teams page, the CLI's JSON contract and the
Selection page's cohort proposal show; ``unplaced_reason`` judges a person against the teams as
allocated, rule by rule, in the order the rules rule them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from dashboard.availability import count_hours, ranges_label
from dashboard.exports import WAITLISTED_TIER
from dashboard.teams.instance import Candidate, Instance, TeamSpec, rank_order
from dashboard.teams.rules import (
    Violation,
    captain_overlap_hours,
    captain_overlaps,
    navigator_loads,
    project_ok,
    team_common_hours,
    team_common_slots,
    tier_placeable,
    validate_teams,
)


@dataclass
class TeamResult:
    """One team as proposed: members, common hours, Captain overlaps and why it is so."""

    name: str
    project: str | None
    navigators: list[str]
    captain: str | None
    members: list[str]
    meeting_hours: int
    meeting_slots: list[float]
    captain_hours: dict[str, int]
    tight: list[str]
    broken: list[str]
    score: int | None = None

    @property
    def explanation(self) -> str:
        """Why the team is as it is, in one paragraph."""
        if not self.members:
            return f"{self.name} is empty: not enough people fit it to form a team."
        captain = "; ".join(f"{email} {hours} h" for email, hours in self.captain_hours.items()) or "no Captain"
        text = (
            f"{self.name} ({self.project or 'any project'}): {len(self.members)} members, "
            f"{self.meeting_hours} common hours with the Navigators ({ranges_label(self.meeting_slots)}). "
            f"Captain overlap: {captain}. "
        )
        text += ("Tight: " + "; ".join(self.tight) + ".") if self.tight else "No rule is tight."
        if self.broken:
            text += " Broken: " + " ".join(self.broken)
        return text

    def contract(self) -> dict[str, Any]:
        """The team as in the JSON contract."""
        return {
            "name": self.name,
            "members": self.members,
            "meeting_hours": self.meeting_hours,
            "captain_hours": self.captain_hours,
        }


@dataclass
class Allocation:
    """A proposed allocation with its explanations and how sure the solver is."""

    assignments: dict[str, str | None]
    teams: list[TeamResult]
    unplaced: list[dict[str, str]]
    optimal: bool
    seconds: float
    status: str = ""
    stages: list[dict[str, Any]] = field(default_factory=list)
    relaxed: bool = False

    @property
    def placed(self) -> int:
        """How many people have a team."""
        return sum(1 for team in self.assignments.values() if team)

    @property
    def worst_meeting_hours(self) -> int | None:
        """The fewest common hours of any non-empty team."""
        hours = [t.meeting_hours for t in self.teams if t.members]
        return min(hours) if hours else None

    def to_json(self, explain: bool = False) -> dict[str, Any]:
        """The JSON contract (with explanations and stages when explain is true)."""
        teams = [
            t.contract() | ({"explanation": t.explanation, "tight": t.tight, "broken": t.broken} if explain else {})
            for t in self.teams
        ]
        data = {
            "assignments": self.assignments,
            "teams": teams,
            "unplaced": self.unplaced,
            "optimal": self.optimal,
            "seconds": round(self.seconds, 3),
        }
        if explain:
            data["stages"] = self.stages
        return data


def describe(
    instance: Instance,
    assignments: Mapping[str, str | None],
    scores: Mapping[str, int] | None = None,
    violations: list[Violation] | None = None,
) -> list[TeamResult]:
    """Each team's members, common hours, Captain overlaps, tight and broken rules (violations: validate_teams'
    answer for these assignments, when the caller has it already)."""
    rules = instance.rules
    order = {c.email: i for i, c in enumerate(rank_order(instance.candidates))}
    if violations is None:
        violations = validate_teams(instance, assignments)
    loads = navigator_loads(instance, assignments)
    results = []
    for team in instance.teams:
        members = sorted(
            (e for e, name in assignments.items() if name == team.name), key=lambda e: (order.get(e, 1e9), e)
        )
        slots = sorted(team_common_slots(instance, team, members)) if members else []
        hours = count_hours(slots)
        overlaps = captain_overlaps(instance, team, members)
        tight = []
        if members:
            if hours == rules.navigator_meeting_hours:
                tight.append(f"common hours are exactly the minimum ({rules.navigator_meeting_hours})")
            tight += [
                f"Captain overlap with {e} is exactly {rules.captain_hours} h"
                for e, h in overlaps.items()
                if h == rules.captain_hours
            ]
            if len(members) == rules.max_team_size:
                tight.append(f"the team is full ({rules.max_team_size})")
            elif len(members) == rules.min_team_size:
                tight.append(f"one fewer member would make it too small (minimum {rules.min_team_size})")
            tight += [
                f"Navigator {n.email} mentors {loads.get(n.email, 0)} of {rules.max_per_navigator}"
                for n in team.navigators
                if loads.get(n.email, 0) == rules.max_per_navigator
            ]
        broken = [v.message for v in violations if team.name in v.teams]
        results.append(
            TeamResult(
                team.name,
                team.project,
                [n.email for n in team.navigators],
                team.captain.email if team.captain else None,
                members,
                hours,
                slots,
                overlaps,
                tight,
                broken,
                (scores or {}).get(team.name),
            )
        )
    return results


def _projects_phrase(candidate: Candidate) -> str:
    prefs = candidate.project_preferences
    if not prefs:
        return "No team"
    return "No team on " + (prefs[0] if len(prefs) == 1 else ", ".join(prefs[:-1]) + " or " + prefs[-1])


def _could_join(instance: Instance, team: TeamSpec, assignments: Mapping[str, str | None]) -> list[str]:
    """Unplaced people the team could take one by one (project, tier, hours with its Captain and Navigators)."""
    rules = instance.rules
    return [
        c.email
        for c in instance.candidates
        if assignments.get(c.email) is None
        and tier_placeable(c)
        and project_ok(c, team)
        and (team.captain is None or captain_overlap_hours(team, c) >= rules.captain_hours)
        and team_common_hours(instance, team, [c.email]) >= rules.navigator_meeting_hours
    ]


def unplaced_reason(instance: Instance, email: str, assignments: Mapping[str, str | None]) -> str:
    """Why a person has no team, in words, judged against the teams as allocated."""
    rules = instance.rules
    person = instance.candidate(email)
    if person is None:
        return "They are not among the candidates."
    if not instance.teams:
        return "There are no teams to place anyone in."
    if not tier_placeable(person):
        return f"Selection Rank {person.tier}: the site's rules never place rank {WAITLISTED_TIER + 1} or above."
    compatible = [t for t in instance.teams if project_ok(person, t)]
    if not compatible:
        return f"No team works on {' or '.join(person.project_preferences)}, the projects they chose."
    if not person.availability:  # no common hours with anyone: say so rather than "best is ... with 0"
        return (
            f"They gave no availability, so no team can share the {rules.captain_hours} hours with a Captain and "
            f"{rules.navigator_meeting_hours} with the Navigators that the rules ask: add their weekly times."
        )
    where = _projects_phrase(person)
    captain_ok = [t for t in compatible if t.captain is None or captain_overlap_hours(t, person) >= rules.captain_hours]
    if not captain_ok:
        best = max(compatible, key=lambda t: captain_overlap_hours(t, person))
        hours = captain_overlap_hours(best, person)
        unknown = " (that Captain gave no availability)" if not best.captain.availability else ""
        return (
            f"{where.replace('No team', 'No Captain', 1)} shares {rules.captain_hours} hours with them: "
            f"best is {best.name}'s Captain with {hours}{unknown}."
        )
    members_of = {t.name: [e for e, n in assignments.items() if n == t.name] for t in instance.teams}
    hours_with = {t.name: team_common_hours(instance, t, members_of[t.name] + [email]) for t in captain_ok}
    hours_ok = [t for t in captain_ok if hours_with[t.name] >= rules.navigator_meeting_hours]
    if not hours_ok:
        best = max(captain_ok, key=lambda t: hours_with[t.name])
        return (
            f"{where} has {rules.navigator_meeting_hours} common hours with them: "
            f"best is {best.name} with {hours_with[best.name]}."
        )
    loads = navigator_loads(instance, assignments)
    full, navigators_full, room = [], [], []
    for t in hours_ok:
        if len(members_of[t.name]) >= rules.max_team_size:
            full.append(t.name)
        elif any(loads.get(n.email, 0) >= rules.max_per_navigator for n in t.navigators):
            navigators_full.append(t.name)
        else:
            room.append(t)
    if not room:
        parts = []
        if full:
            parts.append(f"{', '.join(full)} {'is' if len(full) == 1 else 'are'} full ({rules.max_team_size} members)")
        if navigators_full:
            parts.append(f"the Navigators of {', '.join(navigators_full)} already mentor {rules.max_per_navigator}")
        return f"Every team that fits them is at its limit: {'; '.join(parts)}."
    if all(not members_of[t.name] for t in room):
        names = ", ".join(t.name for t in room)
        if any(len(_could_join(instance, t, assignments)) >= rules.min_team_size for t in room):
            # Nobody was placed yet (a draft before any proposal), not a team nobody fits.
            return (
                f"Nobody is placed in {names} yet, and enough unplaced people fit it for a team of "
                f"{rules.min_team_size}: propose teams, or move them there."
            )
        return (
            f"Only empty teams have room for them ({names}), and not enough other people fit "
            f"to make a team of {rules.min_team_size}."
        )
    return (
        "They fit a team with room, but placing them would mean leaving out a better-ranked person "
        "or breaking another team's rules."
    )
