"""Who fits a team: for every application, which of the session's teams (Navigators, Captain, project) could take
the applicant under the team rules of dashboard.teams, who else competes for those places, and why not when none
can. The Selection page shows it beside the ranking; dashboard.cohort proposes a cohort that all fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from dashboard import teams as teams_mod
from dashboard.availability import count_hours
from dashboard.teams import Candidate, Instance, Rules

GROUP_SEARCH_BUDGET = 20_000  # nodes per (person, team) when looking for team-mates; beyond it, assume they exist


@dataclass(frozen=True)
class Fit:
    """Whether one applicant could be placed in a team, where, and with whom they compete."""

    key: str
    teams: tuple[str, ...]
    reason: str | None = None
    rivals: tuple[str, ...] = ()
    ahead: int | None = 0  # rivals with a better Selection-page place (None when their own place is hidden)
    places: int = 0

    @property
    def placeable(self) -> bool:
        """True when some team could take them under every rule."""
        return bool(self.teams)

    @property
    def competition(self) -> str:
        """'12 others (5 ranked higher) for 8 places', or '' when they fit no team."""
        if not self.teams:
            return ""
        higher = "" if self.ahead is None else f" ({self.ahead} ranked higher)"
        return (
            f"{len(self.rivals)} other{'s' if len(self.rivals) != 1 else ''}{higher} "
            f"for {self.places} place{'s' if self.places != 1 else ''}"
        )


def _group(
    rules: Rules, common: frozenset[float], others: list[Candidate], skip: str, need: int, budget: list[int]
) -> list[str] | None:
    """`need` of `others` (but `skip`) who share the meeting hours with `common`, found depth-first within the budget.

    [] when none are needed, or when the budget runs out first: not proven impossible, so they may
    fit rather than be turned away on a guess. None when no such group exists.
    """
    if need <= 0:
        return []
    enough = 2 * rules.navigator_meeting_hours  # an hour is two half-hours: fewer common slots cannot be enough
    for i, other in enumerate(others):
        if other.email == skip:
            continue
        budget[0] -= 1
        if budget[0] < 0:
            return []
        shared = common & other.availability
        if len(shared) >= enough and count_hours(shared) >= rules.navigator_meeting_hours:
            rest = _group(rules, shared, others[i + 1 :], skip, need - 1, budget)
            if rest is not None:
                return [other.email, *rest]
    return None


@dataclass(frozen=True)
class TeamFits:
    """Which teams could take whom, and why not for those no team can take: what placeability costs to work out."""

    takes: dict[str, frozenset[str]]  # team -> who could be placed in it
    reasons: dict[str, str]  # who no team can take -> why


def team_fits(instance: Instance) -> TeamFits:
    """For every team, who could be placed in it under every rule; for everyone else, why not.

    A team could take someone when they fit it on their own (project, Captain overlap, common hours
    with its Navigators) and enough others who also fit it share the meeting hours with them to make
    a team of the minimum size. It does not depend on the ranking, so a page may keep it while only
    decisions and reviews change.
    """
    rules = instance.rules
    takes: dict[str, frozenset[str]] = {}
    alone_in: dict[str, list[str]] = {c.email: [] for c in instance.candidates}
    for team in instance.teams:
        base = frozenset(teams_mod.team_common_slots(instance, team, []))
        fitting = [c for c in instance.candidates if teams_mod.may_join(rules, c, team, base)]
        # A Navigator who may mentor fewer than a whole team can never lead one.
        possible = not team.navigators or rules.min_team_size <= rules.max_per_navigator
        taken: set[str] = set()
        for person in fitting:
            alone_in[person.email].append(team.name)
            if not possible or person.email in taken:
                continue  # already in a team found for someone else: that team is legal, so they fit it
            group = _group(
                rules, base & person.availability, fitting, person.email, rules.min_team_size - 1, [GROUP_SEARCH_BUDGET]
            )
            if group is not None:
                taken.update([person.email, *group])
        takes[team.name] = frozenset(taken)
    placed = set().union(*takes.values())
    return TeamFits(
        takes, {c.email: _why_not(instance, c, alone_in[c.email]) for c in instance.candidates if c.email not in placed}
    )


def placeability(instance: Instance, fits: TeamFits | None = None) -> dict[str, Fit]:
    """Every candidate's Fit: the teams that could take them (team_fits), their rivals there, or why not.

    Rivals are the others who could be placed in one of the same teams; `ahead` counts those with a
    better Selection-page place.
    """
    fits = fits or team_fits(instance)
    position = {c.email: c.rank for c in instance.candidates}
    result = {}
    for person in instance.candidates:
        names = tuple(t.name for t in instance.teams if person.email in fits.takes[t.name])
        if not names:
            result[person.email] = Fit(person.email, (), fits.reasons[person.email])
            continue
        rivals = sorted(
            set().union(*(fits.takes[n] for n in names)) - {person.email},
            key=lambda e: (position[e] is None, position[e] or 0, e),
        )
        mine = position[person.email]
        ahead = None if mine is None else sum(1 for e in rivals if position[e] is not None and position[e] < mine)
        result[person.email] = Fit(
            person.email, names, None, tuple(rivals), ahead, instance.rules.max_team_size * len(names)
        )
    return result


def _why_not(instance: Instance, person: Candidate, alone_in: list[str]) -> str:
    if not alone_in:  # the teams' own rules already rule them out: the allocator's words for it
        return teams_mod.unplaced_reason(instance, person.email, {})
    rules = instance.rules
    others = rules.min_team_size - 1
    teams = ", ".join(alone_in)
    return (
        f"{teams} {'fits' if len(alone_in) == 1 else 'fit'} them on their own, but no {others} other applicant"
        f"{'s' if others != 1 else ''} who fit {'it' if len(alone_in) == 1 else 'them'} share "
        f"{rules.navigator_meeting_hours} hours with them and the Navigators (a team needs {rules.min_team_size})."
    )


def with_placeability(ranked: pd.DataFrame, fits: Mapping[str, Fit]) -> pd.DataFrame:
    """The ranked table with 'fit_teams' (how many teams could take them) and 'placement' (rivals, or why not)."""
    table = ranked.copy()
    found = [fits.get(str(rid)) for rid in table["response_id"]]
    table["fit_teams"] = [len(f.teams) if f else 0 for f in found]
    table["placement"] = [(f.competition if f.placeable else f.reason) if f else "" for f in found]
    return table


def rivals_table(ranked: pd.DataFrame, fits: Mapping[str, Fit], key: str) -> pd.DataFrame:
    """Who competes with one applicant: each rival's place, id, name, status and the teams they share, best first."""
    fit = fits[key]
    rows = ranked.set_index(ranked["response_id"].astype(str)).reindex(list(fit.rivals))
    return pd.DataFrame(
        {
            "#": rows["position"].values,
            "Response ID": list(fit.rivals),
            "Name": rows["name"].values,
            "Status": rows["status"].values,
            "Same teams": [", ".join(t for t in fits[r].teams if t in fit.teams) for r in fit.rivals],
        }
    )
