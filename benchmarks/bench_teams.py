"""Benchmark: the CP-SAT team allocator beside the rank-order depth-first search baseline.

    .venv/bin/python -m benchmarks.bench_teams [--time-limit 20] [--workers 2]

Scenarios: the demo cohort (18 accepted, 6 teams, proposed from scratch), ten copies of it
(180 people, 60 teams, anyone may join any copy's team) and 100 random candidates into 20
teams. Prints seconds, people placed, the worst team's common hours and whether the answer is
proven optimal, for both methods. The DFS stops at a first fit, so "proven optimal" does not apply
to it; "DFS done" says whether it finished or ran out of its node budget (then its figures are
its fallback: the first leaf it reached, small teams dissolved).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from dashboard import demo, reads
from dashboard.availability import from_local_grid
from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings
from dashboard.teams import (
    Candidate,
    Instance,
    Rules,
    Staff,
    TeamSpec,
    allocate,
    instance_from_db,
    team_common_hours,
    validate_teams,
)
from tests.teams_baseline import NODE_LIMIT, dfs_allocate


def demo_instance() -> Instance:
    """The demo session's accepted cohort and teams, nobody placed yet."""
    settings = load_settings(EXAMPLE_CONFIG_PATH)
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    demo.build(url, settings, seed=42, scale=1)
    sessions = reads.sessions_frame(url)
    session_id = int(sessions.loc[sessions["name"] == demo.CURRENT_SESSION[0], "id"].iloc[0])
    return instance_from_db(url, session_id, Rules(), settings=settings).without_placements()


def copies(instance: Instance, n: int) -> Instance:
    """n copies of an instance (people and teams renamed per copy), ranks interleaved."""
    teams, candidates = [], []
    for k in range(n):
        suffix = f"+{k}"
        teams += [
            TeamSpec(
                f"{t.name} {k + 1}",
                t.project,
                [Staff(s.email + suffix, s.availability) for s in t.navigators],
                Staff(t.captain.email + suffix, t.captain.availability) if t.captain else None,
                [],
            )
            for t in instance.teams
        ]
        candidates += [replace(c, email=c.email + suffix, rank=(c.rank or 0) * n + k) for c in instance.candidates]
    return Instance(instance.rules, teams, candidates)


def random_instance(n_candidates: int = 100, n_teams: int = 20, seed: int = 7) -> Instance:
    """Random candidates and teams whose availability looks like the demo's (evenings, weekends, many zones)."""
    rng = random.Random(seed)
    zones = [r[0] for r in demo.REGIONS]
    weights = [r[3] for r in demo.REGIONS]

    def slots(zone: str) -> frozenset[float]:
        evening = rng.choice([(17, 21), (18, 22), (19, 23), (7, 9)])
        grid = {}
        for day in demo.DAY_NAMES:
            if day in ("Saturday", "Sunday"):
                grid[day] = [h for h in range(10, 17) if rng.random() < 0.7]
            else:
                grid[day] = [h for h in range(*evening) if rng.random() < 0.85] + (
                    [12, 13] if rng.random() < 0.25 else []
                )
        return frozenset(from_local_grid(grid, zone))

    teams = []
    for t in range(n_teams):
        zone = rng.choices(zones, weights)[0]
        teams.append(
            TeamSpec(
                f"Team {t + 1}",
                demo.PROJECTS[t % 3],
                [Staff(f"nav{t}@example.org", slots(zone))],
                Staff(f"cap{t}@example.org", slots(zone)),
            )
        )
    candidates = []
    for i in range(n_candidates):
        zone = rng.choices(zones, weights)[0]
        candidates.append(
            Candidate(
                f"p{i}@example.org",
                rank=i + 1,
                score=None,
                project_preferences=[p for p in demo.PROJECTS if rng.random() < 0.45],
                availability=slots(zone),
                experience_level=rng.choice(demo.EXPERIENCE),
                underrepresented=rng.random() < 0.35,
                timezone=zone,
            )
        )
    return Instance(Rules(), teams, candidates)


def worst_hours(instance: Instance, assignments: dict) -> int | None:
    """The fewest common hours of any non-empty team."""
    hours = []
    for team in instance.teams:
        members = [e for e, n in assignments.items() if n == team.name]
        if members:
            hours.append(team_common_hours(instance, team, members))
    return min(hours) if hours else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    base = demo_instance()
    scenarios = [
        ("demo cohort", base),
        ("10x demo cohort", copies(base, 10)),
        ("100 candidates, 20 teams", random_instance()),
    ]
    header = (
        f"{'scenario':<26} {'people':>6} {'teams':>5} | {'CP-SAT s':>8} {'placed':>6} {'worst h':>7} {'optimal':>7} "
        f"| {'DFS s':>6} {'placed':>6} {'worst h':>7} {'DFS done':>14} {'DFS optimal':>16}"
    )
    print(
        f"time limit {args.time_limit:g} s, {args.workers} solver workers, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} (wall-clock limits: busy machines prove less); "
        f"DFS budget {NODE_LIMIT:,} nodes"
    )
    print(header)
    print("-" * len(header))
    for name, instance in scenarios:
        result = allocate(instance, time_limit=args.time_limit, workers=args.workers)
        assert not validate_teams(instance, result.assignments), "the allocator broke a hard rule"
        started = time.perf_counter()
        baseline = dfs_allocate(instance)
        dfs_seconds = time.perf_counter() - started
        placed = sum(1 for t in baseline.assignments.values() if t)
        done = "yes" if baseline.finished else "no (budget)"
        print(
            f"{name:<26} {len(instance.candidates):>6} {len(instance.teams):>5} | {result.seconds:>8.2f} {result.placed:>6} "
            f"{_fmt(result.worst_meeting_hours):>7} {str(result.optimal):>7} | {dfs_seconds:>6.2f} {placed:>6} "
            f"{_fmt(worst_hours(instance, baseline.assignments)):>7} {done:>14} {'n/a (first fit)':>16}"
        )
        stages = ", ".join(f"{s['stage']}={s['value']}{'' if s['optimal'] else ' (not proven)'}" for s in result.stages)
        print(f"{'':<26}   stages: {stages}")


def _fmt(value) -> str:
    return "-" if value is None else str(value)


if __name__ == "__main__":
    main()
