"""The allocation problem as data: the rules, the teams to fill, the candidates, and their order.

``Instance`` is what every other part of dashboard.teams reads: the JSON input
(dashboard.teams.json_input) and the database (dashboard.teams.database) both build one.
``rank_order`` is the one order of candidates (best first) that the first fit, the solver's
rank goal and the explanations share. The small value cleaners at the end are the package's
one copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from dashboard.exports import WAITLISTED_TIER
from dashboard.values import is_missing


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
                raise InstanceError(
                    f"Unknown [teams] preset {preset!r}; use one of: {', '.join(PRESETS)} "
                    "(or leave preset out and set the rules one by one)."
                )
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
NO_NAVIGATOR_LIMIT = 99  # max_per_navigator when a Navigator may mentor any number of Djangonauts
PRESETS: dict[str, dict[str, int]] = {
    "djangonaut-space": {
        "min_team_size": 1,
        "max_team_size": 3,
        "navigator_meeting_hours": 5,
        "captain_hours": 3,
        "max_per_navigator": NO_NAVIGATOR_LIMIT,
        "selection_rank_tiers": 1,
    },
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
    score: float | None = None  # higher is better; from the database, the Selection page's normalised review score
    project_preferences: list[str] = field(default_factory=list)
    availability: frozenset[float] = frozenset()
    experience_level: str | None = None
    underrepresented: bool = False
    timezone: str | None = None
    name: str | None = None
    response_id: str | None = None
    tier: int | None = None  # the site's Selection Rank: 0-2 first, 3 only into room left, 4+ never (None: first)
    position: int | None = None  # the place in the Selection page's ranking (1 = best), its tie-break after score


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
        teams = [
            TeamSpec(
                t.name,
                t.project,
                list(t.navigators),
                t.captain,
                [e for e, name in assignments.items() if name == t.name],
            )
            for t in self.teams
        ]
        return Instance(self.rules, teams, list(self.candidates))

    def without_placements(self) -> "Instance":
        """A copy where nobody is placed yet (propose teams from scratch)."""
        return self.with_assignments({})


def rank_order(candidates: list[Candidate]) -> list[Candidate]:
    """Best first: Selection Rank 3 after everyone else, then lower rank, higher score, better Selection-page
    place, e-mail (unranked people last)."""
    return sorted(
        candidates,
        key=lambda c: (
            (c.tier or 0) >= WAITLISTED_TIER,
            c.rank is None,
            c.rank if c.rank is not None else 0,
            -(c.score or 0.0),
            c.position is None,
            c.position or 0,
            c.email,
        ),
    )


# --- cleaning answers (JSON and database rows alike; single values: dashboard.values) ---------


def preference_list(value) -> list[str]:
    """Project preferences as a list: a list as given, or text split on commas; missing is []."""
    if is_missing(value):
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(p).strip() for p in value if str(p).strip()]


def text_or_none(value) -> str | None:
    """A stripped string, or None for missing values (None, NaN, empty)."""
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None
