"""Who may see what: the one place that decides, used by every loader and page.

Organisers see everything. Reviewers see the review queue and their own reviews (others'
scores and comments only once they have reviewed that application), never wellbeing.
Captains see the wellbeing and check-ins of their own teams' Djangonauts (with notes), never
the applications' sensitive answers. Navigators see their own team's check-ins and
engagement figures without notes or survey free text, and no one's individual wellbeing: a
Captain of one team who navigates another sees the second team's figures only
(``wellbeing_teams``). ``visible_table`` applies these rules to any
canonical table; dashboard/ui/loaders.py calls it for every frame a page loads.
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
    demo: bool = False  # a persona of the demo switcher (demo sessions only)
    local: bool = False  # the one person of local mode (DASHBOARD_LOCAL_MODE)

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
    PageSpec("overview", "app_pages/overview.py", "Overview", ":material/rocket_launch:", frozenset({ORGANISER})),
    PageSpec("data", "app_pages/data.py", "Data", ":material/database:", frozenset({ORGANISER})),
    PageSpec("review", "app_pages/review.py", "Review", ":material/rate_review:", frozenset({REVIEWER, ORGANISER})),
    PageSpec("selection", "app_pages/selection.py", "Selection", ":material/how_to_reg:", frozenset({ORGANISER})),
    PageSpec("teams", "app_pages/teams.py", "Teams", ":material/groups:", frozenset({ORGANISER})),
    PageSpec(
        "wellbeing", "app_pages/wellbeing.py", "Wellbeing", ":material/favorite:", frozenset({ORGANISER, CAPTAIN})
    ),
    PageSpec(
        "engagement",
        "app_pages/engagement.py",
        "Engagement",
        ":material/monitoring:",
        frozenset({ORGANISER, NAVIGATOR}),
    ),
    PageSpec("talk", "app_pages/talk.py", "Talk", ":material/slideshow:", frozenset({ORGANISER})),
    PageSpec("audit", "app_pages/audit.py", "Audit log", ":material/policy:", frozenset({ORGANISER})),
)


def pages_for(viewer: Viewer) -> list[PageSpec]:
    """The pages this viewer may open, in navigation order."""
    return [page for page in PAGES if page.roles & viewer.roles]


def may_open(viewer: Viewer, page_key: str) -> bool:
    """True when the page is in this viewer's navigation."""
    return any(page.key == page_key for page in pages_for(viewer))


def require_organiser(viewer: Viewer, what: str) -> None:
    """Whole-program data (the allocator's input, talk figures, the audit log, table counts) is for organisers only."""
    if not viewer.is_organiser:
        raise PermissionError(f"Only organisers may load {what}.")


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
    captain_of = (
        frozenset(teams.loc[teams["captain"].fillna("").str.lower() == email, "name"]) if len(teams) else frozenset()
    )
    navigator_of = (
        frozenset(teams.loc[teams["navigators"].apply(lambda navs: email in _as_set(navs)), "name"])
        if len(teams)
        else frozenset()
    )
    if captain_of:
        roles.add(CAPTAIN)
    if navigator_of:
        roles.add(NAVIGATOR)
    name = ""
    if len(people):
        match = people.loc[people["email"] == email, "name"]
        name = str(match.iloc[0]) if len(match) and isinstance(match.iloc[0], str) else ""
    return Viewer(email=email, roles=frozenset(roles), captain_of=captain_of, navigator_of=navigator_of, name=name)


def wellbeing_teams(viewer: Viewer, *, individual: bool = True) -> frozenset[str] | None:
    """Teams whose Djangonauts' wellbeing this viewer may see: every team (None) for organisers; otherwise, for
    individual data (cards, burnout answers, blockers, one person's weeks) the teams they captain, and for team
    figures (the Engagement page) every team they are on. A Navigator sees team figures only."""
    if viewer.is_organiser:
        return None
    return viewer.captain_of if individual else viewer.teams


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


def visible_people(viewer: Viewer, people: pd.DataFrame) -> pd.DataFrame:
    """Everyone for organisers; for Captains and Navigators the members of their own teams; else nobody."""
    if viewer.is_organiser:
        return people
    if not viewer.teams:
        return people.iloc[0:0]
    mine = people["team"].isin(viewer.teams) | (people["email"].str.lower() == viewer.email)
    rows = people[mine].copy()
    hidden = [c for c in fields.table("people").sensitive_fields if c in rows.columns]
    if hidden:  # pronouns are shown to the person's own Captain only
        own_team = rows["team"].isin(viewer.captain_of) | (rows["email"].str.lower() == viewer.email)
        for column in hidden:
            rows[column] = rows[column].where(own_team, None)
    return rows


def visible_teams(viewer: Viewer, teams: pd.DataFrame) -> pd.DataFrame:
    """All teams for organisers; a Captain's or Navigator's own teams; none for reviewers."""
    if viewer.is_organiser:
        return teams
    return teams[teams["name"].isin(viewer.teams)]


def visible_reviews(viewer: Viewer, reviews: pd.DataFrame) -> pd.DataFrame:
    """Organisers: every review but others' scores on applications they declared a conflict on.
    Reviewers: their own, and others' scores only where they reviewed too (without a conflict).

    Hidden rows stay (without scores, comment or name) so the queue can still serve the
    application with the fewest reviews first; statistics and exports never see those scores.
    """
    if not viewer.is_organiser and REVIEWER not in viewer.roles:
        return reviews.iloc[0:0]
    if reviews.empty:
        return reviews
    rows = reviews.copy()
    reviewer = rows["reviewer"].astype(str).str.strip().str.lower()
    mine = reviewer == viewer.email
    conflict = rows["conflict_of_interest"].fillna(False).astype(bool)
    response = rows["response_id"].astype(str)
    if viewer.is_organiser:
        closed = ~mine & response.isin(set(response[mine & conflict]))
    else:
        closed = ~mine & ~response.isin(set(response[mine & ~conflict]))
    if not closed.any():
        return reviews
    for column in ("scores", "overall", "comment"):
        if column in rows:
            rows[column] = rows[column].astype(object).where(~closed, None)
    rows["reviewer"] = rows["reviewer"].where(~closed, "another reviewer")
    return rows


def visible_decisions(viewer: Viewer, decisions: pd.DataFrame) -> pd.DataFrame:
    """Selection decisions are for organisers only."""
    return decisions if viewer.is_organiser else decisions.iloc[0:0]


def visible_surveys(viewer: Viewer, surveys: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Surveys of the viewer's Djangonauts; free text only for organisers and the person's Captain."""
    if viewer.is_organiser:
        return surveys
    if not viewer.teams:
        return surveys.iloc[0:0]
    rows = surveys[surveys["email"].isin(djangonauts_visible_to(viewer, people))].copy()
    team_of = people.set_index("email")["team"].to_dict()
    allowed = rows["email"].map(lambda e: may_read_notes(viewer, team_of.get(e)))
    for column in fields.table("surveys").sensitive_fields:
        if column in rows:
            rows[column] = rows[column].where(allowed, None)
    return rows


def visible_one_to_ones(viewer: Viewer, meetings: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One-to-ones of the viewer's Djangonauts; the Captain's note only for organisers and that Captain."""
    if viewer.is_organiser:
        return meetings
    rows = meetings[meetings["email"].isin(djangonauts_visible_to(viewer, people))].copy()
    if "note" in rows:
        team_of = people.set_index("email")["team"].to_dict()
        allowed = rows["email"].map(lambda e: may_read_notes(viewer, team_of.get(e)))
        rows["note"] = rows["note"].where(allowed, None)
    return rows


def visible_team_applications(viewer: Viewer, applications: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """For Captains: their own Djangonauts' applications without sensitive or extra answers."""
    if not viewer.captain_of:
        return applications.iloc[0:0]
    spec = fields.table("applications")
    emails = set(people.loc[people["team"].isin(viewer.captain_of) & (people["role"] == "djangonaut"), "email"])
    rows = applications[applications["email"].isin(emails)]
    return rows.drop(columns=[c for c in set(spec.sensitive_fields) | {"extra"} if c in rows.columns])


def visible_table(
    viewer: Viewer, table: str, frame: pd.DataFrame, people: pd.DataFrame, *, blind: bool = True
) -> pd.DataFrame:
    """Any canonical table as this viewer may see it (rows and columns); unknown tables: organisers only."""
    if viewer.is_organiser:
        return frame
    if table == "people":
        return visible_people(viewer, frame)
    if table == "teams":
        return visible_teams(viewer, frame)
    if table == "checkins":
        return visible_checkins(viewer, frame, people)
    if table == "surveys":
        return visible_surveys(viewer, frame, people)
    if table == "one_to_ones":
        return visible_one_to_ones(viewer, frame, people)
    if table == "reviews":
        return visible_reviews(viewer, frame)
    if table == "decisions":
        return visible_decisions(viewer, frame)
    if table == "applications":
        if viewer.roles & {REVIEWER}:
            return visible_applications(viewer, frame, blind=blind)
        return visible_team_applications(viewer, frame, people)
    return frame.iloc[0:0]
