"""docs/deploy.md's table of who sees what says what the code does.

Each row is a role as one signs in on the demo program; each cell is checked against
dashboard.access.PAGES and what that person's loaders return (access.visible_table,
wellbeing.for_viewer). Cells start with a keyword: "all", "none", "own teams" (the teams a
person captains or navigates), "captained teams", "to review", "where they reviewed too", or
for Pages the page titles.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import access, fields, models, reads, wellbeing
from tests.apptest_support import ROOT

DOC = ROOT / "docs" / "deploy.md"
ORGANISERS, REVIEWERS = ["organiser1@example.org"], ["reviewer1@example.org"]


def who_sees_what() -> dict[str, dict[str, str]]:
    """The table under "What each role sees" as {role: {column: cell}}."""
    text = DOC.read_text()
    block = text[text.index("What each role sees") :]
    lines = [line for line in block.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(header):
            break
        rows[cells[0]] = dict(zip(header[1:], cells[1:]))
    return rows


def keyword(cell: str) -> str:
    """The rule a cell states, before any explanation in parentheses."""
    return re.split(r"\s*[(,]", cell, maxsplit=1)[0].strip().lower()


def pages_keyword(cell: str) -> str:
    """'all' or 'none' (whatever explanation follows), else the page titles as listed: 'wellbeing, engagement'."""
    first = keyword(cell)
    return first if first in ("all", "none") else cell.split(" (")[0].strip().lower()


@pytest.fixture
def demo(demo_url, edit_db):
    """The demo's current session, where Team Aurora's Captain also navigates another team."""
    sid = int(reads.sessions_frame(demo_url).iloc[-1]["id"])
    teams = reads.load_table(demo_url, sid, "teams")
    aurora = teams.set_index("name").loc["Team Aurora"]
    other = (
        teams[(teams["name"] != "Team Aurora") & (teams["captain"] != aurora["captain"])].sort_values("name").iloc[0]
    )
    both = other["captain"]  # the other team's Captain navigates Aurora too
    with edit_db(demo_url) as db:
        team = db.query(models.Team).filter(models.Team.session_id == sid, models.Team.name == "Team Aurora").one()
        team.navigators = [*team.navigators, both]
    load = {
        name: reads.load_table(demo_url, sid, name)
        for name in ("people", "teams", "applications", "reviews", "decisions", "checkins", "surveys")
    }
    load["one_to_ones"] = reads.load_one_to_ones(demo_url, sid)
    lists = {"organisers": ORGANISERS, "reviewers": REVIEWERS}
    viewer = lambda email: access.roles_for(email, lists, load["people"], load["teams"])  # noqa: E731
    navigator = next(n for n in aurora["navigators"] if n != both)
    load["viewers"] = {
        "Organiser": viewer(ORGANISERS[0]),
        "Reviewer": viewer(REVIEWERS[0]),
        "Captain": viewer(aurora["captain"]),
        "Navigator": viewer(navigator),
        "Captain of one team, Navigator of another": viewer(both),
        "Signed in, no role": viewer("stranger@example.com"),
    }
    assert load["viewers"]["Captain of one team, Navigator of another"].roles == {access.CAPTAIN, access.NAVIGATOR}
    return load


def teams_of(emails, people: pd.DataFrame) -> set[str]:
    team_of = people.set_index("email")["team"].to_dict()
    return {team_of.get(e) for e in emails}


def in_words(teams: set[str], viewer: access.Viewer, everyone: set[str]) -> set[str]:
    """The keywords that describe a set of teams for this viewer."""
    words = set()
    if not teams:
        words.add("none")
    if teams and teams >= everyone:
        words.add("all")
    if teams and teams == set(viewer.teams):
        words.add("own teams")
    if teams and teams == set(viewer.captain_of):
        words.add("captained teams")
    return words


def computed(viewer: access.Viewer, d: dict) -> dict[str, set[str]]:
    """What the code gives this viewer, in the table's words, column by column."""
    people, everyone = d["people"], set(d["people"].loc[d["people"]["role"] == "djangonaut", "team"].dropna())
    table = lambda name, frame=None: access.visible_table(viewer, name, d[name] if frame is None else frame, people)  # noqa: E731
    pages = access.pages_for(viewer)
    out = {
        "Pages": {"all"}
        if len(pages) == len(access.PAGES)
        else ({"none"} if not pages else {", ".join(p.title for p in pages).lower()})
    }
    apps = table("applications")
    sensitive = set(fields.table("applications").sensitive_fields) & set(apps.columns)
    if len(apps) == len(d["applications"]) and sensitive:
        out["Applications"] = {"all"}
    elif len(apps) == len(d["applications"]):
        out["Applications"] = {"to review"}
    else:
        out["Applications"] = in_words(teams_of(apps["email"], people), viewer, everyone)
    reviews = table("reviews")
    others = reviews[reviews["reviewer"].str.lower() != viewer.email]
    scored = others[others["scores"].notna()]
    out["Others' review scores"] = (
        {"all"}
        if len(scored) == len(others) and len(others)
        else {"where they reviewed too"}
        if len(scored)
        else {"none"}
    )
    out["Decisions"] = {"all"} if len(table("decisions")) == len(d["decisions"]) else {"none"}
    checkins = table("checkins")
    out["Check-ins"] = in_words(teams_of(checkins["email"], people), viewer, everyone)
    noted = checkins.loc[checkins["notes"].notna(), "email"]
    meetings = table("one_to_ones")
    out["Notes"] = in_words(
        teams_of(set(noted) | set(meetings.loc[meetings["note"].notna(), "email"]), people), viewer, everyone
    )
    individual = wellbeing.for_viewer(viewer, {}, d["checkins"], people, d["teams"], d["one_to_ones"], d["surveys"])
    out["Individual wellbeing"] = in_words(set(individual.people["team"]), viewer, everyone)
    surveys = table("surveys")
    out["Survey free text"] = in_words(
        teams_of(surveys.loc[surveys["free_text"].notna(), "email"], people), viewer, everyone
    )
    return out


def test_the_deploy_guide_says_what_each_role_is_given(demo):
    doc = who_sees_what()
    assert set(doc) == set(demo["viewers"]), "a role in docs/deploy.md's table without a test viewer, or the reverse"
    for role, viewer in demo["viewers"].items():
        code = computed(viewer, demo)
        assert set(code) == set(doc[role]), f"columns of docs/deploy.md's table changed: {set(doc[role]) ^ set(code)}"
        for column, cell in doc[role].items():
            said = pages_keyword(cell) if column == "Pages" else keyword(cell)
            assert said in code[column], (
                f"docs/deploy.md says {role} gets {cell!r} for {column}; the code gives {code[column]}"
            )


def test_the_table_check_notices_a_wrong_cell(demo):
    """The check can fail: a Navigator who could read notes would not match 'none'."""
    navigator = demo["viewers"]["Navigator"]
    as_captain = access.Viewer(
        navigator.email, navigator.roles | {access.CAPTAIN}, navigator.navigator_of, navigator.navigator_of
    )
    assert "none" not in computed(as_captain, demo)["Notes"]
