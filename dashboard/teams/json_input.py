"""The JSON input of `python -m dashboard teams allocate --input`: reading it into an Instance.

Every refusal is an InstanceError whose message names the team or person and says what to
give instead (docs/teams.md, "Command line", has the contract).
"""

from __future__ import annotations

from typing import Any, Mapping

from dashboard.availability import AvailabilityError, as_slots, from_hour_blocks
from dashboard.teams.instance import (
    Candidate,
    Instance,
    InstanceError,
    Rules,
    Staff,
    TeamSpec,
    preference_list,
)
from dashboard.values import as_bool, number


def instance_from_dict(data: Mapping[str, Any]) -> Instance:
    """An Instance from the JSON contract of `python -m dashboard teams allocate --input`."""
    if not isinstance(data, Mapping):
        raise InstanceError('The input must be a JSON object with "rules", "teams" and "candidates".')
    rules = Rules.from_mapping(data.get("rules"))
    teams, seen_teams = [], set()
    for i, raw in enumerate(data.get("teams") or []):
        if not isinstance(raw, Mapping) or not raw.get("name"):
            raise InstanceError(f'Team number {i + 1} needs a "name".')
        name = str(raw["name"])
        if name in seen_teams:
            raise InstanceError(f"Two teams are called {name!r}; team names must be unique.")
        seen_teams.add(name)
        teams.append(
            TeamSpec(
                name=name,
                project=(str(raw["project"]).strip() or None) if raw.get("project") else None,
                navigators=[_staff(n, f"a Navigator of {name}") for n in raw.get("navigators") or []],
                captain=_staff(raw.get("captain"), f"the Captain of {name}"),
                members=[str(m).strip().lower() for m in raw.get("members") or []],
            )
        )
    candidates, seen = [], set()
    for i, raw in enumerate(data.get("candidates") or []):
        if not isinstance(raw, Mapping) or not raw.get("email"):
            raise InstanceError(f'Candidate number {i + 1} needs an "email".')
        email = str(raw["email"]).strip().lower()
        if email in seen:
            raise InstanceError(f"{email} is listed twice among the candidates.")
        seen.add(email)
        candidates.append(
            Candidate(
                email=email,
                rank=number(raw.get("rank")),
                score=number(raw.get("score")),
                project_preferences=preference_list(raw.get("project_preferences")),
                availability=_slots(raw, email),
                experience_level=(str(raw["experience_level"]).strip() or None)
                if raw.get("experience_level")
                else None,
                underrepresented=as_bool(raw.get("underrepresented")),
                timezone=raw.get("timezone") or None,
                name=raw.get("name") or None,
                tier=_tier(raw.get("tier"), email),
            )
        )
    placed: dict[str, str] = {}
    for team in teams:
        for member in team.members:
            if member in placed:
                raise InstanceError(f"{member} is placed in both {placed[member]} and {team.name}.")
            placed[member] = team.name
    return Instance(rules, teams, candidates)


def _slots(data: Mapping[str, Any], who: str) -> frozenset[float]:
    """A person's weekly slots: "slots" (the site's half-hour slots) or "availability" (hour blocks)."""
    blocks, slots = data.get("availability"), data.get("slots")
    if blocks is not None and slots is not None:
        raise InstanceError(
            f'{who} has both "availability" (whole UTC hour blocks) and "slots" (half-hour slots); give one of them.'
        )
    try:
        return frozenset(as_slots(slots) if slots is not None else from_hour_blocks(blocks or []))
    except AvailabilityError as exc:
        hint = (
            ""
            if slots is not None
            else (
                ' (give Djangonaut Space\'s half-hour slots such as [18.0, 18.5] as "slots" instead of "availability")'
            )
        )
        raise InstanceError(f"{'Slots' if slots is not None else 'Availability'} of {who}: {exc}{hint}.") from None


def _staff(data, what: str) -> Staff | None:
    """A Navigator or Captain: an e-mail alone, or an object with "email" and slots."""
    if data is None:
        return None
    if isinstance(data, str):
        return Staff(data.strip().lower())
    if not isinstance(data, Mapping) or not data.get("email"):
        raise InstanceError(f'{what} needs an "email" (and "slots" or "availability").')
    email = str(data["email"]).strip().lower()
    return Staff(email, _slots(data, f"{email} ({what})"))


def _tier(value, email: str) -> int | None:
    """The site's Selection Rank given as "tier": a whole number from 0, or None."""
    tier = number(value)
    if value is not None and value != "" and (tier is None or tier != int(tier) or tier < 0):
        raise InstanceError(
            f"The tier of {email} must be the site's Selection Rank, a whole number from 0, not {value!r}."
        )
    return None if tier is None else int(tier)
