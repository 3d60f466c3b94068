"""Benchmark: the cohort chosen with its teams in one CP-SAT model, beside select-then-allocate on the same data.

    .venv/bin/python -m benchmarks.bench_cohort [--scale 1 10] [--time-limits 10 30] [--workers 2]

The demo session at 1x (90 applicants, 6 teams, 24 places) and 10x (900 applicants, 60 teams,
240 places), from benchmarks/demo_dbs.py. For each scale: how long placeability takes (who could
be placed in a team, with whom they compete), then for each time limit the joint proposal
(dashboard.cohort.propose: the seconds until it answered, and whether the answer is proven
optimal, has a stated gap to the solver's bound, or ran out of time) beside score order then
teams (the best-ranked accepted up to the places, then dashboard.teams.allocate with the same
limit): people placed and their total normalised score. Every answer is checked with
validate_teams. Limits are wall-clock: on a busy machine less is proven, so the load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone

from benchmarks.demo_dbs import ensure_demo

from dashboard import cohort, demo, placeability, reads
from dashboard.config import EXAMPLE_CONFIG_PATH, load_settings
from dashboard.teams import validate_teams


def _answer(proposal) -> str:
    if proposal.timed_out:
        return "out of time (first fit)"
    if proposal.proven:
        return "proven optimal"
    return f"gap {100 * proposal.gap:.2f}%" if proposal.gap is not None else "no bound"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--time-limits", type=float, nargs="+", default=[10.0, 30.0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = load_settings(EXAMPLE_CONFIG_PATH)
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1/5/15 min), {args.workers} solver workers"
    )
    header = (
        f"{'scale':>5} {'apps':>5} {'teams':>5} {'places':>6} {'limit s':>7} | {'joint s':>7} {'answer':>24} "
        f"{'placed':>6} {'total':>8} | {'STA s':>6} {'STA placed':>10} {'STA total':>9} {'STA proven':>10}"
    )
    rows = []
    for scale in args.scale:
        url = ensure_demo(scale)
        sessions = reads.sessions_frame(url)
        session_id = int(sessions.loc[sessions["name"] == demo.CURRENT_SESSION[0], "id"].iloc[0])
        started = time.perf_counter()
        _, instance, places = cohort.load(url, session_id, settings)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        fits = placeability.placeability(instance)
        fit_seconds = time.perf_counter() - started
        room = cohort.capacity(places, instance)
        print(
            f"{scale}x: loaded in {loaded:.1f} s; placeability of {len(fits)} applications in {fit_seconds:.1f} s "
            f"({sum(f.placeable for f in fits.values())} could be placed)",
            flush=True,
        )
        for limit in args.time_limits:
            proposal = cohort.propose(instance, fits, room, time_limit=limit, workers=args.workers)
            assert not validate_teams(instance, proposal.assignments), "the proposal broke a team rule"
            order = proposal.score_order
            rows.append(
                f"{scale:>4}x {len(instance.candidates):>5} {len(instance.teams):>5} {room:>6} {limit:>7g} | "
                f"{proposal.seconds:>7.1f} {_answer(proposal):>24} {len(proposal.cohort):>6} {proposal.total:>8.2f} | "
                f"{order.seconds:>6.1f} {f'{len(order.placed)} of {len(order.accepted)}':>10} "
                f"{proposal.total_of(order.placed):>9.2f} {'yes' if order.proven else 'no':>10}"
            )
            print(rows[-1], flush=True)
    print()
    print(header)
    print("-" * len(header))
    print("\n".join(rows))
    print(
        f"STA = select-then-allocate (score order, then teams). Load average after: "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
