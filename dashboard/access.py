"""Who may see what: the one place that decides, used by every loader and page.

Organisers see everything. Reviewers see the review queue and their own reviews. Captains
see the wellbeing and check-ins of their own teams' Djangonauts (with notes), never the
applications' sensitive answers. Navigators see their own team's check-ins without notes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard import fields

ORGANISER, REVIEWER, CAPTAIN, NAVIGATOR = "organiser", "reviewer", "captain", "navigator"
ROLE_ORDER = (ORGANISER, REVIEWER, CAPTAIN, NAVIGATOR)


@dataclass(frozen=True)
class Viewer:
    """A signed-in person (or a demo persona) and what their roles cover."""

    email: str
    roles: frozenset[str] = frozenset()
    captain_of: frozenset[str] = frozenset()  # team names
    navigator_of: frozenset[str] = frozenset()
    name: str = ""
    demo: bool = False

    @property
    def is_organiser(self) -> bool:
        return ORGANISER in self.roles

    @property
    def teams(self) -> frozenset[str]:
        return self.captain_of | self.navigator_of


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    roles: frozenset[str] = field(default_factory=frozenset)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/overview.py", "Overview", ":material/rocket_launch:", frozenset({ORGANISER})),
    PageSpec("data", "pages/data.py", "Data", ":material/database:", frozenset({ORGANISER})),
    PageSpec("review", "pages/review.py", "Review", ":material/rate_review:", frozenset({REVIEWER, ORGANISER})),
    PageSpec("selection", "pages/selection.py", "Selection", ":material/how_to_reg:", frozenset({ORGANISER})),
    PageSpec("teams", "pages/teams.py", "Teams", ":material/groups:", frozenset({ORGANISER})),
    PageSpec("talk", "pages/talk.py", "Talk", ":material/slideshow:", frozenset({ORGANISER})),
)


def pages_for(viewer: Viewer) -> list[PageSpec]:
    """The pages this viewer may open, in navigation order."""
    return [page for page in PAGES if page.roles & viewer.roles]


def may_open(viewer: Viewer, page_key: str) -> bool:
    """True when the page is in this viewer's navigation."""
    return any(page.key == page_key for page in pages_for(viewer))


def _as_set(values) -> set[str]:
    return {str(v).strip().lower() for v in (values or []) if str(v).strip()}


def roles_for(email: str, role_lists: dict, people: pd.DataFrame, teams: pd.DataFrame) -> Viewer:
    """Roles of an e-mail: organiser/reviewer from the role lists, Captain/Navigator from the teams.

    role_lists is {"organisers": [...], "reviewers": [...]} from secrets or dashboard.toml [roles].
    """
    email = (email or "").strip().lower()
    roles: set[str] = set()
    if email in _as_set(role_lists.get("organisers")):
        roles.add(ORGANISER)
    if email in _as_set(role_lists.get("reviewers")):
        roles.add(REVIEWER)
    captain_of = frozenset(teams.loc[teams["captain"].fillna("").str.lower() == email, "name"]) if len(teams) else frozenset()
    navigator_of = frozenset(
        teams.loc[teams["navigators"].apply(lambda navs: email in _as_set(navs)), "name"]
    ) if len(teams) else frozenset()
    if captain_of:
        roles.add(CAPTAIN)
    if navigator_of:
        roles.add(NAVIGATOR)
    name = ""
    if len(people):
        match = people.loc[people["email"] == email, "name"]
        name = str(match.iloc[0]) if len(match) and isinstance(match.iloc[0], str) else ""
    return Viewer(email=email, roles=frozenset(roles), captain_of=captain_of, navigator_of=navigator_of, name=name)


def djangonauts_visible_to(viewer: Viewer, people: pd.DataFrame) -> set[str]:
    """E-mails of the Djangonauts whose check-ins this viewer may see."""
    djangonauts = people[people["role"] == "djangonaut"]
    if viewer.is_organiser:
        return set(djangonauts["email"])
    return set(djangonauts.loc[djangonauts["team"].isin(viewer.teams), "email"])


def may_read_notes(viewer: Viewer, team: str | None) -> bool:
    """Free-text notes: organisers, and the Captain of that person's team."""
    return viewer.is_organiser or (team is not None and team in viewer.captain_of)


def visible_checkins(viewer: Viewer, checkins: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Check-ins of the viewer's Djangonauts; notes blanked where the viewer may not read them."""
    if not (viewer.is_organiser or viewer.teams):
        return checkins.iloc[0:0]
    rows = checkins[checkins["email"].isin(djangonauts_visible_to(viewer, people))].copy()
    if "notes" in rows and not viewer.is_organiser:
        team_of = people.set_index("email")["team"].to_dict()
        allowed = rows["email"].map(lambda e: may_read_notes(viewer, team_of.get(e)))
        rows["notes"] = rows["notes"].where(allowed, None)
    return rows


def visible_applications(viewer: Viewer, applications: pd.DataFrame, *, blind: bool) -> pd.DataFrame:
    """Applications for organisers and reviewers; blind review drops who the applicant is."""
    if not (viewer.roles & {ORGANISER, REVIEWER}):
        return applications.iloc[0:0]
    spec = fields.table("applications")
    hidden: set[str] = set()
    if blind:
        hidden |= set(spec.personal_fields) | set(spec.sensitive_fields)
    if not viewer.is_organiser:
        hidden |= set(spec.sensitive_fields) | {"extra"}
    return applications.drop(columns=[c for c in hidden if c in applications.columns])
