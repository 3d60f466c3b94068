"""A team's score: what the solver makes as good as possible once the most people are placed.

It rewards common meeting hours above the minimum, a mix of experience levels and not leaving one
under-represented person alone in a team, and penalises a wide time-zone spread. ``team_score``
computes it for a team as given; dashboard.teams.cpsat states the same score as model
expressions, with these weights.
"""

from __future__ import annotations

from dashboard.availability import utc_offset_hours
from dashboard.teams.instance import Candidate, Instance, TeamSpec
from dashboard.teams.rules import team_common_hours

# 2 points per common hour above the minimum (counted up to HOURS_CAP), 6 for mixed experience,
# 6 for not leaving an under-represented person alone, minus one per hour of time-zone span
# beyond SPAN_FREE_HOURS.
W_HOURS, HOURS_CAP, W_MIX, W_UR, W_SPAN, SPAN_FREE_HOURS = 2, 10, 6, 6, 1, 4


def utc_offset(candidate: Candidate) -> int | None:
    """The person's UTC offset in whole hours (None without a known time zone)."""
    hours = utc_offset_hours(candidate.timezone)
    return None if hours is None else int(round(hours))


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
    offsets = [o for o in (utc_offset(p) for p in people) if o is not None]
    span = (max(offsets) - min(offsets)) if offsets else 0
    return W_HOURS * extra + W_MIX * mixed + W_UR * (not lonely) - W_SPAN * max(0, span - SPAN_FREE_HOURS)
