"""Team allocation: place accepted Djangonauts into teams that meet the program's rules.

Hard rules (every proposed team meets them): team size between min and max (an empty team is
allowed), the team and its Navigators share at least ``navigator_meeting_hours`` common hours,
the Captain shares at least ``captain_hours`` with each member (hours counted from half-hour
slots as Djangonaut Space's site counts them: dashboard.availability.count_hours), a person
joins only a project they chose (no choice = any), a Navigator mentors at most
``max_per_navigator`` people, and people already placed stay where they are.

The optimiser is OR-Tools CP-SAT, solved lexicographically: (1) place the most people,
(2) prefer better ranks, (3) make the worst team's score as good as possible, (4) then the
teams' total score. A team's score rewards common meeting hours above the minimum, a mix of
experience levels and not leaving one under-represented person alone in a team, and
penalises a wide time-zone spread. Each stage's optimum becomes a constraint of the next.

``[teams] preset = "djangonaut-space"`` gives Djangonaut Space's own rules (PRESETS): teams of at
most 3, and decisions read as the site's Selection Rank tiers: accepted (0-2) are placed first,
waitlisted (3) only into the room left, rejected (4+) never.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from dashboard.availability import (
    AvailabilityError, all_slots, as_slots, count_hours, from_hour_blocks, ranges_label, stored_slots, utc_offset_hours,
)
from dashboard.exports import WAITLISTED_TIER

# Team score weights: 2 points per common hour above the minimum (counted up to HOURS_CAP),
# 6 for mixed experience, 6 for not leaving an under-represented person alone, minus one per
# hour of time-zone span beyond SPAN_FREE_HOURS.
W_HOURS, HOURS_CAP, W_MIX, W_UR, W_SPAN, SPAN_FREE_HOURS = 2, 10, 6, 6, 1, 4
RULE_NAMES = {
    "size": "team size",
    "meeting_hours": "common hours with the Navigators",
    "captain_hours": "Captain overlap",
    "project": "project preference",
    "navigator_load": "Navigator load",
    "unknown_team": "team name",
}


class InstanceError(ValueError):
    """An allocation input that cannot be used, phrased for the person who wrote it."""


@dataclass(frozen=True)
class Rules:
    """The program's team rules (dashboard.toml [teams])."""

    min_team_size: int = 3
    max_team_size: int = 4
    navigator_meeting_hours: int = 5
    captain_hours: int = 3
    max_per_navigator: int = 4
    selection_rank_tiers: int = 0  # 1: waitlisted applicants are Selection Rank 3, placed only into room left

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "Rules":
        """Rules from a dict (config section or JSON): a preset's values, then the keys given, defaults for the rest."""
        data = dict(data or {})
        preset = data.pop("preset", None)
        if preset:
            if preset not in PRESETS:
                raise InstanceError(f"Unknown [teams] preset {preset!r}; use one of: {', '.join(PRESETS)} "
                                    "(or leave preset out and set the rules one by one).")
            data = PRESETS[preset] | {k: v for k, v in data.items() if v is not None}
        values = {}
        for name in cls.__dataclass_fields__:
            if data.get(name) is None:
                continue
            try:
                values[name] = int(data[name])
            except (TypeError, ValueError):
                raise InstanceError(f"Rule {name} must be a whole number, not {data[name]!r}.") from None
        rules = cls(**values)
        if not 1 <= rules.min_team_size <= rules.max_team_size:
            raise InstanceError("min_team_size must be at least 1 and at most max_team_size.")
        if min(rules.navigator_meeting_hours, rules.captain_hours, rules.max_per_navigator) < 0:
            raise InstanceError("Hours and max_per_navigator cannot be negative.")
        return rules

    def as_dict(self) -> dict[str, int]:
        """The rules as a plain dict (the JSON contract's "rules")."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# Djangonaut Space's own allocator (wagtail-indymeet home/team_allocation.py): at most 3 Djangonauts
# a team and no minimum, 5 common hours for the Navigators and every Djangonaut together, 3 hours
# Captain-to-each, project preference respected, Selection Rank 0-2 first, 3 only into room left,
# 4+ never. It does not limit how many Djangonauts a Navigator mentors across teams.
PRESETS: dict[str, dict[str, int]] = {
    "djangonaut-space": {"min_team_size": 1, "max_team_size": 3, "navigator_meeting_hours": 5, "captain_hours": 3,
                         "max_per_navigator": 99, "selection_rank_tiers": 1},
}


@dataclass(frozen=True)
class Staff:
    """A Navigator or Captain: an e-mail and weekly UTC half-hour slots."""

    email: str
    availability: frozenset[float] = frozenset()


@dataclass
class TeamSpec:
    """A team to fill: its project, Navigators, Captain and the members already placed."""

    name: str
    project: str | None = None
    navigators: list[Staff] = field(default_factory=list)
    captain: Staff | None = None
    members: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    """An accepted Djangonaut who may be placed."""

    email: str
    rank: float | None = None
    score: float | None = None
    project_preferences: list[str] = field(default_factory=list)
    availability: frozenset[float] = frozenset()
    experience_level: str | None = None
    underrepresented: bool = False
    timezone: str | None = None
    name: str | None = None
    response_id: str | None = None
    tier: int | None = None  # the site's Selection Rank: 0-2 first, 3 only into room left, 4+ never (None: first)


@dataclass
class Instance:
    """Everything the allocator needs: rules, teams and candidates."""

    rules: Rules
    teams: list[TeamSpec]
    candidates: list[Candidate]

    def candidate(self, email: str) -> Candidate | None:
        """The candidate with this e-mail (None when unknown)."""
        return self._by_email().get(email.lower())

    def team(self, name: str) -> TeamSpec | None:
        """The team with this name (None when unknown)."""
        return next((t for t in self.teams if t.name == name), None)

    def _by_email(self) -> dict[str, Candidate]:
        # Built once per candidate list, not on every lookup (charts look up every member of every team).
        key = (id(self.candidates), len(self.candidates))
        cached = self.__dict__.get("_email_index")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_email_index"] = (key, {c.email.lower(): c for c in self.candidates})
        return cached[1]

    def current_assignments(self) -> dict[str, str | None]:
        """Every candidate's current team (None when not placed), plus hand-placed non-candidates."""
        placed = {m.lower(): t.name for t in self.teams for m in t.members}
        result = {c.email: placed.pop(c.email.lower(), None) for c in self.candidates}
        result.update(placed)
        return result

    def with_assignments(self, assignments: Mapping[str, str | None]) -> "Instance":
        """A copy whose teams' members are exactly the given assignments."""
        teams = [TeamSpec(t.name, t.project, list(t.navigators), t.captain,
                          [e for e, name in assignments.items() if name == t.name]) for t in self.teams]
        return Instance(self.rules, teams, list(self.candidates))

    def without_placements(self) -> "Instance":
        """A copy where nobody is placed yet (propose teams from scratch)."""
        return self.with_assignments({})


# --- reading inputs -------------------------------------------------------------------------

def _slots(data: Mapping[str, Any], who: str) -> frozenset[float]:
    """A person's weekly slots from the JSON contract: "slots" (the site's half-hour slots) or "availability" (hour blocks)."""
    blocks, slots = data.get("availability"), data.get("slots")
    if blocks is not None and slots is not None:
        raise InstanceError(f"{who} has both \"availability\" (whole UTC hour blocks) and \"slots\" (half-hour slots); "
                            "give one of them.")
    try:
        return frozenset(as_slots(slots) if slots is not None else from_hour_blocks(blocks or []))
    except AvailabilityError as exc:
        hint = "" if slots is not None else (" (give Djangonaut Space's half-hour slots such as [18.0, 18.5] as "
                                             "\"slots\" instead of \"availability\")")
        raise InstanceError(f"{'Slots' if slots is not None else 'Availability'} of {who}: {exc}{hint}.") from None


def _staff(data, what: str) -> Staff | None:
    if data is None:
        return None
    if isinstance(data, str):
        return Staff(data.strip().lower())
    if not isinstance(data, Mapping) or not data.get("email"):
        raise InstanceError(f"{what} needs an \"email\" (and \"slots\" or \"availability\").")
    email = str(data["email"]).strip().lower()
    return Staff(email, _slots(data, f"{email} ({what})"))


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1", "y")
    return bool(value) and value == value  # NaN is not True


def _preferences(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(p).strip() for p in value if str(p).strip()]


def instance_from_dict(data: Mapping[str, Any]) -> Instance:
    """An Instance from the JSON contract of `python -m dashboard teams allocate --input`."""
    if not isinstance(data, Mapping):
        raise InstanceError("The input must be a JSON object with \"rules\", \"teams\" and \"candidates\".")
    rules = Rules.from_mapping(data.get("rules"))
    teams, seen_teams = [], set()
    for i, raw in enumerate(data.get("teams") or []):
        if not isinstance(raw, Mapping) or not raw.get("name"):
            raise InstanceError(f"Team number {i + 1} needs a \"name\".")
        name = str(raw["name"])
        if name in seen_teams:
            raise InstanceError(f"Two teams are called {name!r}; team names must be unique.")
        seen_teams.add(name)
        teams.append(TeamSpec(
            name=name, project=(str(raw["project"]).strip() or None) if raw.get("project") else None,
            navigators=[_staff(n, f"a Navigator of {name}") for n in raw.get("navigators") or []],
            captain=_staff(raw.get("captain"), f"the Captain of {name}"),
            members=[str(m).strip().lower() for m in raw.get("members") or []],
        ))
    candidates, seen = [], set()
    for i, raw in enumerate(data.get("candidates") or []):
        if not isinstance(raw, Mapping) or not raw.get("email"):
            raise InstanceError(f"Candidate number {i + 1} needs an \"email\".")
        email = str(raw["email"]).strip().lower()
        if email in seen:
            raise InstanceError(f"{email} is listed twice among the candidates.")
        seen.add(email)
        candidates.append(Candidate(
            email=email, rank=_number(raw.get("rank")), score=_number(raw.get("score")),
            project_preferences=_preferences(raw.get("project_preferences")),
            availability=_slots(raw, email),
            experience_level=(str(raw["experience_level"]).strip() or None) if raw.get("experience_level") else None,
            underrepresented=_as_bool(raw.get("underrepresented")),
            timezone=raw.get("timezone") or None, name=raw.get("name") or None, tier=_tier(raw.get("tier"), email),
        ))
    placed: dict[str, str] = {}
    for team in teams:
        for member in team.members:
            if member in placed:
                raise InstanceError(f"{member} is placed in both {placed[member]} and {team.name}.")
            placed[member] = team.name
    return Instance(rules, teams, candidates)


def _tier(value, email: str) -> int | None:
    number = _number(value)
    if value is not None and value != "" and (number is None or number != int(number) or number < 0):
        raise InstanceError(f"The tier of {email} must be the site's Selection Rank, a whole number from 0, not {value!r}.")
    return None if number is None else int(number)


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


# --- the rules, as plain functions ------------------------------------------------------------

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
    return (tier_placeable(candidate) and project_ok(candidate, team)
            and (team.captain is None or captain_overlap_hours(team, candidate) >= rules.captain_hours)
            and count_hours(base & candidate.availability) >= rules.navigator_meeting_hours)


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
    """One broken hard rule of a (proposed or hand-edited) allocation."""

    team: str
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
            problems.append(Violation(team_name, "unknown_team", f"{email} is in {team_name}, which is not a team.", email))
    for team in instance.teams:
        members = [e for e, name in assignments.items() if name == team.name]
        size = len(members)
        if size and size < rules.min_team_size:
            problems.append(Violation(team.name, "size", f"{team.name} has {size} member{'s' if size != 1 else ''}; "
                                                         f"a team needs at least {rules.min_team_size}."))
        if size > rules.max_team_size:
            problems.append(Violation(team.name, "size", f"{team.name} has {size} members; "
                                                         f"a team has at most {rules.max_team_size}."))
        if not size:
            continue
        common = team_common_hours(instance, team, members)
        if common < rules.navigator_meeting_hours:
            problems.append(Violation(team.name, "meeting_hours",
                                      f"{team.name} and its Navigators share {common} common hour{'s' if common != 1 else ''}; "
                                      f"they need {rules.navigator_meeting_hours}."))
        for email, hours in captain_overlaps(instance, team, members).items():
            if hours < rules.captain_hours:
                problems.append(Violation(team.name, "captain_hours",
                                          f"{team.name}'s Captain shares {hours} hour{'s' if hours != 1 else ''} with {email}; "
                                          f"the minimum is {rules.captain_hours}.", email))
        for email in members:
            person = instance.candidate(email)
            if person is not None and not project_ok(person, team):
                problems.append(Violation(team.name, "project",
                                          f"{email} did not choose {team.project} (chose {', '.join(person.project_preferences)}).",
                                          email))
    for navigator, load in navigator_loads(instance, assignments).items():
        if load > rules.max_per_navigator:
            teams = [t.name for t in instance.teams if any(n.email == navigator for n in t.navigators)]
            problems.append(Violation(", ".join(teams), "navigator_load",
                                      f"Navigator {navigator} would mentor {load} Djangonauts; the maximum is "
                                      f"{rules.max_per_navigator}."))
    return problems


# --- results ---------------------------------------------------------------------------------

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
        text = (f"{self.name} ({self.project or 'any project'}): {len(self.members)} members, "
                f"{self.meeting_hours} common hours with the Navigators ({ranges_label(self.meeting_slots)}). "
                f"Captain overlap: {captain}. ")
        text += ("Tight: " + "; ".join(self.tight) + ".") if self.tight else "No rule is tight."
        if self.broken:
            text += " Broken: " + " ".join(self.broken)
        return text

    def contract(self) -> dict[str, Any]:
        """The team as in the JSON contract."""
        return {"name": self.name, "members": self.members, "meeting_hours": self.meeting_hours,
                "captain_hours": self.captain_hours}


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
        teams = [t.contract() | ({"explanation": t.explanation, "tight": t.tight, "broken": t.broken} if explain else {})
                 for t in self.teams]
        data = {"assignments": self.assignments, "teams": teams, "unplaced": self.unplaced,
                "optimal": self.optimal, "seconds": round(self.seconds, 3)}
        if explain:
            data["stages"] = self.stages
        return data


def _rank_order(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: Selection Rank 3 after everyone else, then lower rank, higher score, e-mail (unranked people last)."""
    return sorted(candidates, key=lambda c: ((c.tier or 0) >= WAITLISTED_TIER, c.rank is None,
                                             c.rank if c.rank is not None else 0, -(c.score or 0.0), c.email))


def describe(instance: Instance, assignments: Mapping[str, str | None], scores: Mapping[str, int] | None = None) -> list[TeamResult]:
    """Each team's members, common hours, Captain overlaps, tight and broken rules."""
    rules = instance.rules
    order = {c.email: i for i, c in enumerate(_rank_order(instance.candidates))}
    violations = validate_teams(instance, assignments)
    loads = navigator_loads(instance, assignments)
    results = []
    for team in instance.teams:
        members = sorted((e for e, name in assignments.items() if name == team.name), key=lambda e: (order.get(e, 1e9), e))
        slots = sorted(team_common_slots(instance, team, members)) if members else []
        hours = count_hours(slots)
        overlaps = captain_overlaps(instance, team, members)
        tight = []
        if members:
            if hours == rules.navigator_meeting_hours:
                tight.append(f"common hours are exactly the minimum ({rules.navigator_meeting_hours})")
            tight += [f"Captain overlap with {e} is exactly {rules.captain_hours} h" for e, h in overlaps.items()
                      if h == rules.captain_hours]
            if len(members) == rules.max_team_size:
                tight.append(f"the team is full ({rules.max_team_size})")
            elif len(members) == rules.min_team_size:
                tight.append(f"one fewer member would make it too small (minimum {rules.min_team_size})")
            tight += [f"Navigator {n.email} mentors {loads.get(n.email, 0)} of {rules.max_per_navigator}"
                      for n in team.navigators if loads.get(n.email, 0) == rules.max_per_navigator]
        broken = [v.message for v in violations if team.name in v.team.split(", ")]
        results.append(TeamResult(team.name, team.project, [n.email for n in team.navigators],
                                  team.captain.email if team.captain else None, members, hours,
                                  slots, overlaps, tight, broken, (scores or {}).get(team.name)))
    return results


def _projects_phrase(candidate: Candidate) -> str:
    prefs = candidate.project_preferences
    if not prefs:
        return "No team"
    return "No team on " + (prefs[0] if len(prefs) == 1 else ", ".join(prefs[:-1]) + " or " + prefs[-1])


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
    where = _projects_phrase(person)
    captain_ok = [t for t in compatible if t.captain is None or captain_overlap_hours(t, person) >= rules.captain_hours]
    if not captain_ok:
        best = max(compatible, key=lambda t: captain_overlap_hours(t, person))
        hours = captain_overlap_hours(best, person)
        return (f"{where.replace('No team', 'No Captain', 1)} shares {rules.captain_hours} hours with them: "
                f"best is {best.name}'s Captain with {hours}.")
    members_of = {t.name: [e for e, n in assignments.items() if n == t.name] for t in instance.teams}
    hours_with = {t.name: team_common_hours(instance, t, members_of[t.name] + [email]) for t in captain_ok}
    hours_ok = [t for t in captain_ok if hours_with[t.name] >= rules.navigator_meeting_hours]
    if not hours_ok:
        best = max(captain_ok, key=lambda t: hours_with[t.name])
        return (f"{where} has {rules.navigator_meeting_hours} common hours with them: "
                f"best is {best.name} with {hours_with[best.name]}.")
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
        return (f"Only empty teams have room for them ({names}), and not enough other people fit "
                f"to make a team of {rules.min_team_size}.")
    return ("They fit a team with room, but placing them would mean leaving out a better-ranked person "
            "or breaking another team's rules.")


# --- the optimiser ---------------------------------------------------------------------------

def _offset(candidate: Candidate) -> int | None:
    hours = utc_offset_hours(candidate.timezone)
    return None if hours is None else int(round(hours))


def greedy_assignments(instance: Instance, limit: int | None = None) -> dict[str, str | None]:
    """A quick feasible start: rank order, first team that still meets every rule (at most `limit` newly placed)."""
    rules = instance.rules
    assignments = instance.current_assignments()
    fixed = {e for e, t in assignments.items() if t}
    members = {t.name: [e for e, n in assignments.items() if n == t.name] for t in instance.teams}
    loads = navigator_loads(instance, assignments)  # kept up to date below: n people x m teams stays fast at 10x
    placed = 0
    for person in _rank_order(instance.candidates):
        if person.email in fixed or not tier_placeable(person):
            continue
        if limit is not None and placed >= limit:
            break
        for team in instance.teams:
            if (project_ok(person, team) and len(members[team.name]) < rules.max_team_size
                    and (team.captain is None or captain_overlap_hours(team, person) >= rules.captain_hours)
                    and all(loads.get(n.email, 0) < rules.max_per_navigator for n in team.navigators)
                    and team_common_hours(instance, team, members[team.name] + [person.email]) >= rules.navigator_meeting_hours):
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


def allocate(instance: Instance, time_limit: float = 10.0, workers: int = 2, seed: int = 0) -> Allocation:
    """Propose teams: most people placed, best ranks, then the best worst team (CP-SAT)."""
    started = time.perf_counter()
    hint = greedy_assignments(instance)
    placed_before = {e for e, t in instance.current_assignments().items() if t}
    model = _TeamModel(instance, relax_min=False)
    outcome = model.solve(hint, time_limit, workers, seed, started)
    relaxed = False
    if outcome is None:
        # Hand-placed people make some team impossible to fill: keep them and let that team stay small.
        relaxed = True
        model = _TeamModel(instance, relax_min=True)
        outcome = model.solve(hint, max(0.1, time_limit - (time.perf_counter() - started)), workers, seed, started)
    solution, stages, optimal, status = outcome if outcome else (None, [], False, "INFEASIBLE")
    if solution is not None and sum(solution.values()) < sum(1 for e, t in hint.items() if t and e not in placed_before):
        solution, optimal = None, False  # out of time below the first-fit start: the start is the better answer
    return _finish(instance, solution, hint, stages, optimal, status, started, relaxed)


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


class _TeamModel:
    """The CP-SAT model of one allocation problem, solved stage by stage."""

    def __init__(self, instance: Instance, relax_min: bool):
        from ortools.sat.python import cp_model

        self.cp_model = cp_model
        self.instance = instance
        rules = instance.rules
        teams = instance.teams
        people = _rank_order(instance.candidates)
        self.position = {c.email: i + 1 for i, c in enumerate(people)}
        current = instance.current_assignments()
        fixed_of = {e: t for e, t in current.items() if t}
        fixed_members = {t.name: [e for e, n in fixed_of.items() if n == t.name] for t in teams}
        free = [c for c in people if c.email not in fixed_of]
        # Teams whose hand-placed members already break a rule (other than being too small) stay as they are.
        closed = {t.name for t in teams if len(fixed_members[t.name]) > rules.max_team_size}
        closed |= {name for v in validate_teams(instance, current) if v.rule in ("meeting_hours", "captain_hours", "project")
                   for name in v.team.split(", ")}
        base = {t.name: team_common_slots(instance, t, fixed_members[t.name]) for t in teams}
        fixed_load = navigator_loads(instance, fixed_of)

        def eligible(c: Candidate, t: TeamSpec) -> bool:
            return t.name not in closed and may_join(rules, c, t, base[t.name])

        levels = sorted({(c.experience_level or "").lower() for c in people if c.experience_level})
        offsets = {c.email: _offset(c) for c in people}
        use_span = any(o is not None for o in offsets.values())
        by_email = {c.email: c for c in people}

        model = cp_model.CpModel()
        x = {(c.email, t.name): model.new_bool_var(f"x[{c.email},{t.name}]") for c in free for t in teams if eligible(c, t)}
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
                    model.add(h <= sum(v for e, v in by_team[t.name] if (by_email[e].experience_level or "").lower() == level))
                has.append(h)
            mixed = model.new_bool_var(f"mixed[{t.name}]")
            model.add(2 * mixed <= sum(has))  # mixed only with at least two levels present
            ur = sum(1 for p in fixed_people if p.underrepresented) + sum(v for e, v in by_team[t.name] if by_email[e].underrepresented)
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
            placing = [("accepted people placed (Selection Rank 0-2)", sum(v for (e, _), v in x.items() if e not in waitlisted), True),
                       ("waitlisted people placed into room left (Selection Rank 3)",
                        sum(v for (e, _), v in x.items() if e in waitlisted), True)]
        self.objectives = placing + [
            ("sum of rank positions of placed people", sum(self.position[e] * v for (e, _), v in x.items()), False),
            ("worst team's score", worst, True),
            ("total team score", sum(parts), True),
        ]
        self.presolve_first_stage = True  # a model far bigger than a cohort's teams (cohort.py) may skip it
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
            stages.append({"stage": label, "value": value, "optimal": proven, "bound": int(round(solver.best_objective_bound))})
            solution = {key: int(solver.value(var)) for key, var in x.items()}
            full = list(solver.response_proto.solution)
            if proven:
                model.add(expr == value)
            else:
                model.add(expr >= value) if maximise else model.add(expr <= value)
        # No solution in time: _finish falls back on the greedy start.
        return solution, stages, all_optimal, status_name


def _finish(instance: Instance, solution, fallback: Mapping[str, str | None], stages, optimal: bool, status: str,
            started: float, relaxed: bool) -> Allocation:
    if solution is not None:
        assignments = {e: t for e, t in instance.current_assignments().items() if t}
        for (email, name), value in solution.items():
            if value:
                assignments[email] = name
    else:
        assignments = {e: t for e, t in fallback.items() if t}
        optimal = False
    full = {c.email: assignments.get(c.email) for c in _rank_order(instance.candidates)}
    full.update({e: t for e, t in assignments.items() if e not in full})
    scores = {t.name: team_score(instance, t, [e for e, n in full.items() if n == t.name]) for t in instance.teams}
    results = describe(instance, full, scores)
    unplaced = [{"email": e, "reason": unplaced_reason(instance, e, full)} for e, t in full.items() if not t]
    return Allocation(full, results, unplaced, bool(optimal), time.perf_counter() - started, status, stages, relaxed)


def team_score(instance: Instance, team: TeamSpec, members: list[str]) -> int:
    """The score the optimiser gives a team (for display and tests)."""
    rules = instance.rules
    if not members:
        return 0
    hours = team_common_hours(instance, team, members)
    extra = min(hours - rules.navigator_meeting_hours, HOURS_CAP)
    people = [instance.candidate(e) for e in members if instance.candidate(e)]
    mixed = len({(p.experience_level or "").lower() for p in people if p.experience_level}) >= 2
    lonely = sum(1 for p in people if p.underrepresented) == 1
    offsets = [o for o in (_offset(p) for p in people) if o is not None]
    span = (max(offsets) - min(offsets)) if offsets else 0
    return W_HOURS * extra + W_MIX * mixed + W_UR * (not lonely) - W_SPAN * max(0, span - SPAN_FREE_HOURS)


# --- the database: the accepted cohort in, the teams out ------------------------------------

def _text(value) -> str | None:
    """A stripped string, or None for missing values (None, NaN, empty)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def rules_from_settings(settings) -> Rules:
    """The [teams] rules of dashboard.toml (defaults where missing)."""
    return Rules.from_mapping(settings.section("teams"))


def _review_scores(reviews) -> dict[str, float]:
    """Mean review score per response (mean of each review's criteria, then of the reviews)."""
    means: dict[str, list[float]] = {}
    for row in reviews.itertuples(index=False):
        values = [float(v) for v in (row.scores or {}).values() if isinstance(v, (int, float))] if isinstance(row.scores, dict) else []
        overall = row.overall if row.overall is not None and row.overall == row.overall else None
        value = overall if overall is not None else (sum(values) / len(values) if values else None)
        if value is not None and not row.conflict_of_interest:
            means.setdefault(row.response_id, []).append(float(value))
    return {rid: sum(v) / len(v) for rid, v in means.items()}


def people_slots(people) -> Callable[..., frozenset[float]]:
    """slots_of(email, fallback): a person's slots from the people table, else the fallback (their application's)."""
    by_email = {str(p["email"]).lower(): p.get("availability") for p in people.to_dict("records")}

    def slots_of(email: str, fallback=None) -> frozenset[float]:
        return stored_slots(by_email.get(email)) or stored_slots(fallback)
    return slots_of


def application_candidate(application: Mapping[str, Any], key: str, person: Mapping[str, Any], slots_of, **fields) -> Candidate:
    """A Candidate from an applications row, known by `key`; the person's people row fills in time zone and name."""
    email = str(application.get("email") or "").strip().lower()
    return Candidate(
        email=key, project_preferences=_preferences(application.get("project_preferences")),
        availability=slots_of(email, application.get("availability")),
        experience_level=_text(application.get("experience_level")),
        underrepresented=_as_bool(application.get("underrepresented")),
        timezone=_text(application.get("timezone")) or _text(person.get("timezone")),
        name=_text(application.get("name")) or _text(person.get("name")), response_id=application["response_id"], **fields,
    )


def team_specs(teams_frame, slots_of, placed: Mapping[str, str] | None = None) -> list[TeamSpec]:
    """The teams table as TeamSpecs with their staff's slots; `placed` maps members to their team."""
    teams = []
    for row in teams_frame.to_dict("records"):
        navigators = row.get("navigators")
        navigators = [] if navigators is None or (isinstance(navigators, float) and navigators != navigators) else navigators
        if isinstance(navigators, str):
            navigators = [n for n in navigators.split(",")]
        navigators = [str(n).strip().lower() for n in navigators if str(n).strip()]
        captain = (_text(row.get("captain")) or "").lower()
        teams.append(TeamSpec(
            name=row["name"], project=_text(row.get("project")),
            navigators=[Staff(n, slots_of(n)) for n in navigators],
            captain=Staff(captain, slots_of(captain)) if captain else None,
            members=[e for e, t in (placed or {}).items() if t == row["name"]],
        ))
    return teams


def instance_from_db(url: str, session_id: int, rules: Rules, keep_placed: bool = True) -> Instance:
    """The session's accepted cohort (with the waitlisted as Selection Rank 3 under tier rules), teams and rules."""
    from dashboard import store

    decisions = store.load_table(url, session_id, "decisions")
    applications = store.load_table(url, session_id, "applications")
    people = store.load_table(url, session_id, "people")
    teams_frame = store.load_table(url, session_id, "teams")
    scores = _review_scores(store.load_table(url, session_id, "reviews"))
    person_by_email = {str(p["email"]).lower(): p for p in people.to_dict("records")}
    application_by_id = {a["response_id"]: a for a in applications.to_dict("records")}
    slots_of = people_slots(people)

    team_names = set(teams_frame["name"]) if len(teams_frame) else set()
    candidates, placed = [], {}
    statuses = {"accepted": None} | ({"waitlisted": WAITLISTED_TIER} if rules.selection_rank_tiers else {})
    for decision in decisions[decisions["status"].isin(list(statuses))].to_dict("records"):
        application = application_by_id.get(decision["response_id"])
        if application is None:
            continue
        email = str(application["email"]).strip().lower()
        person = person_by_email.get(email, {})
        candidates.append(application_candidate(application, email, person, slots_of, rank=_number(decision.get("rank")),
                                                score=scores.get(decision["response_id"]), tier=statuses[decision["status"]]))
        team = _text(decision.get("team")) or _text(person.get("team"))
        if keep_placed and team in team_names:
            placed[email] = team
    return Instance(rules, team_specs(teams_frame, slots_of, placed), candidates)


def save_assignments(url: str, session_id: int, instance: Instance, assignments: Mapping[str, str | None],
                     actor: str) -> int:
    """Write people.team and decisions.team in one transaction (with an audit entry); returns changes."""
    from sqlalchemy import select

    from dashboard import db as dbmod, models

    known = {t.name: t for t in instance.teams}
    unknown = sorted({t for t in assignments.values() if t and t not in known})
    if unknown:
        raise InstanceError(f"Unknown team {unknown[0]!r}; create it in the teams table first.")
    changed = 0
    with dbmod.write(url, actor=actor, action="save_teams", session_id=session_id, subject="teams") as change:
        db = change.db
        people = {p.email.lower(): p for p in db.scalars(select(models.Person).where(models.Person.session_id == session_id))}
        decisions = {d.response_id: d for d in db.scalars(select(models.Decision).where(models.Decision.session_id == session_id))}
        for candidate in instance.candidates:
            team_name = assignments.get(candidate.email) or None
            project = known[team_name].project if team_name else None
            person = people.get(candidate.email)
            if person is None and team_name:
                person = models.Person(session_id=session_id, email=candidate.email, name=candidate.name,
                                       timezone=candidate.timezone, role="djangonaut",
                                       availability=sorted(candidate.availability))
                db.add(person)
            if person is not None and (person.team or None) != team_name:
                person.team, person.project = team_name, project
                person.role = person.role or "djangonaut"
                changed += 1
            decision = decisions.get(candidate.response_id) if candidate.response_id else None
            if decision is not None and (decision.team or None) != team_name:
                decision.team = team_name
                changed += 1
        placed = sum(1 for c in instance.candidates if assignments.get(c.email))
        change.detail = f"{placed} of {len(instance.candidates)} accepted Djangonauts placed; {changed} rows changed"
    return changed
