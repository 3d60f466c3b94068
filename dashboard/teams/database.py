"""The database side of teams: the session's accepted cohort in (``instance_from_db``), the teams out.

Candidates are ordered as the Selection page ranks them (``selection_ranking``: the weighted,
normalised review score of dashboard.review, ties broken by the page's order), after the
organisers' Selection Rank. ``save_assignments`` writes people.team and decisions.team through
the one audited write path (dashboard.db.write). The builders in between (people_slots,
application_candidate, team_specs) are shared with dashboard.cohort.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import pandas as pd

from dashboard.availability import stored_slots
from dashboard.config import Settings
from dashboard.exports import WAITLISTED_TIER
from dashboard.teams.instance import (
    Candidate,
    Instance,
    InstanceError,
    Rules,
    Staff,
    TeamSpec,
    preference_list,
    text_or_none,
)
from dashboard.values import as_bool, email_list, number

SESSION_TABLES = ("applications", "reviews", "decisions", "people", "teams")


def rules_from_settings(settings: Settings) -> Rules:
    """The [teams] rules of dashboard.toml (defaults where missing)."""
    return Rules.from_mapping(settings.section("teams"))


def load_session_tables(url: str, session_id: int) -> dict[str, pd.DataFrame]:
    """The tables that selection and team formation read, of one session."""
    from dashboard import reads

    return {name: reads.load_table(url, session_id, name) for name in SESSION_TABLES}


def selection_ranking(tables: Mapping[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """The Selection page's ranked table (position, normalised score, decision) with nothing hidden (no viewer)."""
    from dashboard import review, selection
    from dashboard.criteria import load_criteria

    applications = tables["applications"]
    stats = review.review_stats(tables["reviews"], load_criteria(settings), settings, applications["response_id"])
    return selection.ranked_table(applications, stats, tables["decisions"])


def people_slots(people: pd.DataFrame) -> Callable[..., frozenset[float]]:
    """slots_of(email, fallback): a person's slots from the people table, else the fallback (their application's)."""
    by_email = {str(p["email"]).lower(): p.get("availability") for p in people.to_dict("records")}

    def slots_of(email: str, fallback=None) -> frozenset[float]:
        return stored_slots(by_email.get(email)) or stored_slots(fallback)

    return slots_of


def application_candidate(
    application: Mapping[str, Any], key: str, person: Mapping[str, Any], slots_of, **fields
) -> Candidate:
    """A Candidate from an applications row, known by `key`; the person's people row fills in time zone and name."""
    email = str(application.get("email") or "").strip().lower()
    return Candidate(
        email=key,
        project_preferences=preference_list(application.get("project_preferences")),
        availability=slots_of(email, application.get("availability")),
        experience_level=text_or_none(application.get("experience_level")),
        underrepresented=as_bool(application.get("underrepresented")),
        timezone=text_or_none(application.get("timezone")) or text_or_none(person.get("timezone")),
        name=text_or_none(application.get("name")) or text_or_none(person.get("name")),
        response_id=application["response_id"],
        **fields,
    )


def team_specs(teams_frame: pd.DataFrame, slots_of, placed: Mapping[str, str] | None = None) -> list[TeamSpec]:
    """The teams table as TeamSpecs with their staff's slots; `placed` maps members to their team."""
    teams = []
    for row in teams_frame.to_dict("records"):
        navigators = email_list(row.get("navigators"))
        captain = (text_or_none(row.get("captain")) or "").lower()
        teams.append(
            TeamSpec(
                name=row["name"],
                project=text_or_none(row.get("project")),
                navigators=[Staff(n, slots_of(n)) for n in navigators],
                captain=Staff(captain, slots_of(captain)) if captain else None,
                members=[e for e, t in (placed or {}).items() if t == row["name"]],
            )
        )
    return teams


def instance_from_db(
    url: str, session_id: int, rules: Rules, *, settings: Settings, keep_placed: bool = True
) -> Instance:
    """The session's accepted cohort (with the waitlisted as Selection Rank 3 under tier rules), teams and rules.

    Each candidate's score and place are the Selection page's under these settings' review criteria
    and [selection], so that both pages rank people alike.
    """
    tables = load_session_tables(url, session_id)
    decisions, people, teams_frame = tables["decisions"], tables["people"], tables["teams"]
    ranked = selection_ranking(tables, settings).set_index("response_id")
    person_by_email = {str(p["email"]).lower(): p for p in people.to_dict("records")}
    application_by_id = {a["response_id"]: a for a in tables["applications"].to_dict("records")}
    slots_of = people_slots(people)

    team_names = set(teams_frame["name"]) if len(teams_frame) else set()
    candidates, placed = [], {}
    statuses = {"accepted": None} | ({"waitlisted": WAITLISTED_TIER} if rules.selection_rank_tiers else {})
    chosen = decisions[decisions["status"].isin(list(statuses))]
    # Best Selection-page place first: someone who applied twice is one candidate, on their better application.
    chosen = chosen.assign(_place=chosen["response_id"].astype(str).map(ranked["position"])).sort_values("_place")
    seen: set[str] = set()
    for decision in chosen.to_dict("records"):
        application = application_by_id.get(decision["response_id"])
        if application is None:
            continue
        email = str(application["email"]).strip().lower()
        if email in seen:
            continue
        seen.add(email)
        person = person_by_email.get(email, {})
        place = ranked.loc[str(decision["response_id"])]
        candidates.append(
            application_candidate(
                application,
                email,
                person,
                slots_of,
                rank=number(decision.get("rank")),
                score=number(place["normalised"]),
                position=int(place["position"]),
                tier=statuses[decision["status"]],
            )
        )
        team = text_or_none(decision.get("team")) or text_or_none(person.get("team"))
        if keep_placed and team in team_names:
            placed[email] = team
    return Instance(rules, team_specs(teams_frame, slots_of, placed), candidates)


def save_assignments(
    url: str, session_id: int, instance: Instance, assignments: Mapping[str, str | None], actor: str
) -> int:
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
        people = {
            p.email.lower(): p for p in db.scalars(select(models.Person).where(models.Person.session_id == session_id))
        }
        decisions = {
            d.response_id: d
            for d in db.scalars(select(models.Decision).where(models.Decision.session_id == session_id))
        }
        for candidate in instance.candidates:
            team_name = assignments.get(candidate.email) or None
            project = known[team_name].project if team_name else None
            person = people.get(candidate.email)
            if person is None and team_name:
                person = models.Person(
                    session_id=session_id,
                    email=candidate.email,
                    name=candidate.name,
                    timezone=candidate.timezone,
                    role="djangonaut",
                    availability=sorted(candidate.availability),
                )
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
