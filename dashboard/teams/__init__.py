"""Team allocation: place accepted Djangonauts into teams that meet the program's rules.

Every proposed team meets the hard rules (rules.py): its size, common hours with its
Navigators, the Captain's overlap with each member, the projects people chose, how many people a
Navigator mentors; people already placed stay where they are. The optimiser is OR-Tools CP-SAT,
solved goal by goal: place the most people, prefer better ranks, make the worst team's score as
good as possible, then the teams' total score. ``[teams] preset = "djangonaut-space"`` gives
Djangonaut Space's own rules (instance.PRESETS).

The modules, in the order a problem passes through them:

- instance.py: Rules, Staff, TeamSpec, Candidate, Instance, and ``rank_order`` (who comes first)
- json_input.py: the ``teams allocate --input`` JSON contract into an Instance
- database.py: the session's accepted cohort into an Instance (in the Selection page's order), teams saved back
- rules.py: the hard rules as functions, and ``validate_teams`` (every rule an allocation breaks)
- score.py: a team's score (hours above the minimum, experience mix, time-zone span)
- greedy.py: the first fit in rank order, the solver's start
- cpsat.py: the CP-SAT model and its lexicographic stages
- allocator.py: ``allocate``: first fit, solver, explained result
- explain.py: TeamResult, Allocation, ``describe`` and ``unplaced_reason``

``from dashboard import teams; teams.allocate(...)`` works as it did: the names below are the
package's public face. OR-Tools is imported only when a model is built.
"""

from dashboard.teams.allocator import allocate
from dashboard.teams.cpsat import TeamModel, common_hours_expr
from dashboard.teams.database import (
    application_candidate,
    instance_from_db,
    load_session_tables,
    people_slots,
    rules_from_settings,
    save_assignments,
    selection_ranking,
    team_specs,
)
from dashboard.teams.explain import Allocation, TeamResult, describe, unplaced_reason
from dashboard.teams.greedy import greedy_assignments
from dashboard.teams.instance import (
    NO_NAVIGATOR_LIMIT,
    PRESETS,
    Candidate,
    Instance,
    InstanceError,
    Rules,
    Staff,
    TeamSpec,
    rank_order,
)
from dashboard.teams.json_input import instance_from_dict
from dashboard.teams.rules import (
    RULE_NAMES,
    Violation,
    captain_overlap_hours,
    captain_overlaps,
    may_join,
    navigator_loads,
    project_ok,
    team_common_hours,
    team_common_slots,
    tier_placeable,
    validate_teams,
)
from dashboard.teams.score import team_score

__all__ = [
    "NO_NAVIGATOR_LIMIT",
    "PRESETS",
    "RULE_NAMES",
    "Allocation",
    "Candidate",
    "Instance",
    "InstanceError",
    "Rules",
    "Staff",
    "TeamModel",
    "TeamResult",
    "TeamSpec",
    "Violation",
    "allocate",
    "application_candidate",
    "captain_overlap_hours",
    "captain_overlaps",
    "common_hours_expr",
    "describe",
    "greedy_assignments",
    "instance_from_db",
    "instance_from_dict",
    "load_session_tables",
    "may_join",
    "navigator_loads",
    "people_slots",
    "project_ok",
    "rank_order",
    "rules_from_settings",
    "save_assignments",
    "selection_ranking",
    "team_common_hours",
    "team_common_slots",
    "team_score",
    "team_specs",
    "tier_placeable",
    "unplaced_reason",
    "validate_teams",
]
