"""The hard team rules as plain functions, and every rule an allocation breaks (``validate_teams``).

Hard rules: team size between min and max (an empty team is allowed), the team and its
Navigators share at least ``navigator_meeting_hours`` common hours, the Captain shares at least
``captain_hours`` with each member (hours counted from half-hour slots as Djangonaut Space's
site counts them: dashboard.availability.count_hours), a person joins only a project they chose
(no choice = any), a Navigator mentors at most ``max_per_navigator`` people, and Selection Rank 4
or above is never placed. The first fit, the CP-SAT model, the explanations and the Selection
page's placeability all ask these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from dashboard.availability import all_slots, count_hours
from dashboard.exports import WAITLISTED_TIER
from dashboard.teams.instance import Candidate, Instance, Rules, TeamSpec

RULE_NAMES = {
    "size": "team size",
    "meeting_hours": "common hours with the Navigators",
    "captain_hours": "Captain overlap",
    "project": "project preference",
    "navigator_load": "Navigator load",
    "unknown_team": "team name",
}


def project_ok(candidate: Candidate, team: TeamSpec) -> bool:
    """A person joins only a project they chose; no choice (or a team without project) = any."""
    if not candidate.project_preferences or not team.project:
        return True
    return team.project.strip().lower() in {p.lower() for p in candidate.project_preferences}


def tier_placeable(candidate: Candidate) -> bool:
    """Selection Rank 4 or above (the site's rejected) is never placed."""
    return candidate.tier is None or candidate.tier <= WAITLISTED_TIER


def may_join(rules: Rules, candidate: Candidate, team: TeamSpec, base: set[float]) -> bool:
    """Whether a person fits a team whose Navigators and placed members share the slots `base`, on their own."""
    return (
        tier_placeable(candidate)
        and project_ok(candidate, team)
        and (team.captain is None or captain_overlap_hours(team, candidate) >= rules.captain_hours)
        and count_hours(base & candidate.availability) >= rules.navigator_meeting_hours
    )


def _availability(instance: Instance, email: str) -> frozenset[float] | None:
    found = instance.candidate(email)
    return found.availability if found else None


def team_common_slots(instance: Instance, team: TeamSpec, members: Iterable[str]) -> set[float]:
    """Half-hour slots the team's Navigators and every member (with known availability) share."""
    sets = [n.availability for n in team.navigators]
    sets += [a for a in (_availability(instance, m) for m in members) if a is not None]
    if not sets:
        return all_slots()
    return set.intersection(*map(set, sets))


def team_common_hours(instance: Instance, team: TeamSpec, members: Iterable[str]) -> int:
    """Hours the team's Navigators and members share, counted as the site counts them."""
    return count_hours(team_common_slots(instance, team, members))


def captain_overlap_hours(team: TeamSpec, person: Candidate) -> int | None:
    """Hours the team's Captain shares with a person (None without a Captain)."""
    return None if team.captain is None else count_hours(team.captain.availability & person.availability)


def captain_overlaps(instance: Instance, team: TeamSpec, members: Iterable[str]) -> dict[str, int]:
    """Hours the Captain shares with each member (members without availability are left out)."""
    if team.captain is None:
        return {}
    result = {}
    for member in members:
        slots = _availability(instance, member)
        if slots is not None:
            result[member] = count_hours(team.captain.availability & slots)
    return result


def navigator_loads(instance: Instance, assignments: Mapping[str, str | None]) -> dict[str, int]:
    """How many Djangonauts each Navigator mentors under these assignments."""
    sizes: dict[str, int] = {}
    for team_name in assignments.values():
        if team_name:
            sizes[team_name] = sizes.get(team_name, 0) + 1
    loads: dict[str, int] = {}
    for team in instance.teams:
        for navigator in team.navigators:
            loads[navigator.email] = loads.get(navigator.email, 0) + sizes.get(team.name, 0)
    return loads


@dataclass(frozen=True)
class Violation:
    """One broken hard rule of a (proposed or hand-edited) allocation, and the teams it concerns."""

    teams: tuple[str, ...]  # one team, or every team of an overloaded Navigator
    rule: str
    message: str
    email: str | None = None


def validate_teams(instance: Instance, assignments: Mapping[str, str | None] | None = None) -> list[Violation]:
    """Every hard rule the given assignments (default: the teams' current members) break."""
    assignments = dict(instance.current_assignments() if assignments is None else assignments)
    rules = instance.rules
    problems: list[Violation] = []
    known = {t.name for t in instance.teams}
    for email, team_name in assignments.items():
        if team_name and team_name not in known:
            problems.append(
                Violation((team_name,), "unknown_team", f"{email} is in {team_name}, which is not a team.", email)
            )
    for team in instance.teams:
        members = [e for e, name in assignments.items() if name == team.name]
        problems += _team_violations(instance, team, members)
    for navigator, load in navigator_loads(instance, assignments).items():
        if load > rules.max_per_navigator:
            teams = tuple(t.name for t in instance.teams if any(n.email == navigator for n in t.navigators))
            problems.append(
                Violation(
                    teams,
                    "navigator_load",
                    f"Navigator {navigator} would mentor {load} Djangonauts; the maximum is {rules.max_per_navigator}.",
                )
            )
    return problems


def _team_violations(instance: Instance, team: TeamSpec, members: list[str]) -> list[Violation]:
    """The rules one team with these members breaks on its own (size, hours, Captain overlap, projects)."""
    rules, size, here = instance.rules, len(members), (team.name,)
    problems = []
    if size and size < rules.min_team_size:
        problems.append(
            Violation(
                here,
                "size",
                f"{team.name} has {size} member{'s' if size != 1 else ''}; "
                f"a team needs at least {rules.min_team_size}.",
            )
        )
    if size > rules.max_team_size:
        problems.append(
            Violation(here, "size", f"{team.name} has {size} members; a team has at most {rules.max_team_size}.")
        )
    if not size:
        return problems
    common = team_common_hours(instance, team, members)
    if common < rules.navigator_meeting_hours:
        problems.append(
            Violation(
                here,
                "meeting_hours",
                f"{team.name} and its Navigators share {common} common hour{'s' if common != 1 else ''}; "
                f"they need {rules.navigator_meeting_hours}.",
            )
        )
    for email, hours in captain_overlaps(instance, team, members).items():
        if hours < rules.captain_hours:
            problems.append(
                Violation(
                    here,
                    "captain_hours",
                    f"{team.name}'s Captain shares {hours} hour{'s' if hours != 1 else ''} with {email}; "
                    f"the minimum is {rules.captain_hours}.",
                    email,
                )
            )
    for email in members:
        person = instance.candidate(email)
        if person is not None and not project_ok(person, team):
            problems.append(
                Violation(
                    here,
                    "project",
                    f"{email} did not choose {team.project} (chose {', '.join(person.project_preferences)}).",
                    email,
                )
            )
    return problems
