"""AppTest runs of the whole app with sign-in configured: what each signed-in role is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import reads
from tests.apptest_support import (
    AUTH,
    CLIENT_SECRET,
    COOKIE_SECRET,
    MISSING,
    ROOT,
    app_with_secrets_files,
    shown,
    signed_in,
    texts,
)


def _aurora(url: str) -> dict:
    sid = int(reads.sessions_frame(url).iloc[-1]["id"])
    return reads.load_table(url, sid, "teams").set_index("name").loc["Team Aurora"].to_dict()


def navigation(at: AppTest) -> set[str]:
    """The page files registered with st.navigation in the last entrypoint run (the root's redirect
    to the first page is a function, not a file, and opens nothing by itself)."""
    names = {Path(str(info.get("script_path"))).name for info in at._registered_pages.values()}
    return {name for name in names if name.endswith(".py")}


def cannot_switch(at: AppTest, page: str) -> bool:
    """True when the page is not registered, so neither a link nor its URL can open it."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    return True


def labels(at: AppTest) -> set[str]:
    return {w.label for kind in ("selectbox", "button") for w in getattr(at, kind)}


def test_signed_out_visitor_sees_only_the_sign_in_button(monkeypatch, demo_url):
    at = signed_in(monkeypatch, demo_url, None, demo_viewer="Organiser")
    assert [b.label for b in at.button] == ["Sign in with Google"]
    assert "Session" not in labels(at) and "Viewing as (demo mode)" not in labels(at)
    assert not at.metric and not at.dataframe
    assert "2026 Session 6" not in texts(at)


def test_incomplete_auth_names_the_missing_keys_and_never_a_secret(monkeypatch, demo_url):
    broken = {"redirect_uri": AUTH["redirect_uri"], "google": {"client_id": "x", "client_secret": CLIENT_SECRET}}
    at = signed_in(monkeypatch, demo_url, None, auth=broken)
    shown = texts(at)
    assert "cookie_secret" in shown and "google.server_metadata_url" in shown
    assert CLIENT_SECRET not in shown
    assert not at.button  # no sign-in button that would fail


def test_signed_in_stranger_gets_a_polite_page_and_no_data(monkeypatch, demo_url):
    at = signed_in(monkeypatch, demo_url, "stranger@example.com", demo_viewer="Organiser")
    shown = texts(at)
    assert "signed in as `stranger@example.com`" in shown  # a code span: an e-mail is never Markdown
    assert "Ask the organisers at hello@example.org" in shown
    assert not at.metric and not at.dataframe
    assert labels(at) == {"Sign out"}
    assert "2026 Session 6" not in shown


@pytest.mark.parametrize(
    "verified",
    [False, MISSING, "false", "False", None, "", "yes please"],
    ids=["false", "missing", "string-false", "string-False", "null", "empty", "other-string"],
)
def test_a_sign_in_without_a_verified_email_gets_no_role(monkeypatch, demo_url, verified):
    at = signed_in(monkeypatch, demo_url, "organiser1@example.org", verified=verified)
    assert "verified e-mail" in texts(at)
    assert not at.metric and "Session" not in labels(at)
    assert "2026 Session 6" not in texts(at)


@pytest.mark.parametrize(
    "verified, claims",
    [(True, {}), ("true", {}), ("TRUE", {}), (MISSING, {"xms_edov": True})],
    ids=["true", "string-true", "string-TRUE", "microsoft-xms_edov"],
)
def test_a_verified_email_in_any_spelling_gets_its_role(monkeypatch, demo_url, verified, claims):
    at = signed_in(monkeypatch, demo_url, "organiser1@example.org", verified=verified, claims=claims)
    assert {m.label: m.value for m in at.metric}["Applicants"] == "90"


def test_organiser_sees_everything_and_no_demo_switcher(monkeypatch, demo_url):
    at = signed_in(monkeypatch, demo_url, "Organiser1@example.org", demo_viewer="Reviewer")
    assert {m.label: m.value for m in at.metric}["Applicants"] == "90"
    assert "Viewing as (demo mode)" not in labels(at)
    assert {"Session", "Sign out"} <= labels(at)
    assert "Signed in as `organiser1@example.org` · Organiser" in texts(at)
    at.switch_page("app_pages/audit.py")
    at.run()
    assert not at.exception and "Audit log" in texts(at)


def test_reviewer_lands_on_review_and_cannot_open_organiser_pages(monkeypatch, demo_url):
    at = signed_in(monkeypatch, demo_url, "reviewer1@example.org")
    assert at.title[0].value == "Review"
    assert navigation(at) == {"review.py"}
    assert "Viewing as (demo mode)" not in labels(at)
    for page in (
        "app_pages/data.py",
        "app_pages/selection.py",
        "app_pages/audit.py",
        "app_pages/overview.py",
        "app_pages/teams.py",
    ):
        assert cannot_switch(at, page)


def test_organiser_navigation_holds_every_organiser_page(monkeypatch, demo_url):
    from dashboard import access

    at = signed_in(monkeypatch, demo_url, "organiser1@example.org")
    organiser = access.Viewer("o@example.org", frozenset({access.ORGANISER}))
    assert navigation(at) == {Path(spec.path).name for spec in access.pages_for(organiser)}


def test_captain_and_navigator_see_no_organiser_or_review_pages(monkeypatch, demo_url):
    from dashboard import access

    team = _aurora(demo_url)
    for email, role in ((team["captain"], access.CAPTAIN), (team["navigators"][0], access.NAVIGATOR)):
        at = signed_in(monkeypatch, demo_url, email)
        assert "Signed in as" in texts(at) and role.title() in texts(at)
        assert "Applicants" not in {m.label for m in at.metric}
        expected = {Path(spec.path).name for spec in access.PAGES if role in spec.roles}
        assert navigation(at) == (expected or {"streamlit_app.py"})  # a welcome page when the role has none yet
        for page in (
            "app_pages/data.py",
            "app_pages/review.py",
            "app_pages/selection.py",
            "app_pages/audit.py",
            "app_pages/overview.py",
        ):
            assert cannot_switch(at, page)


def test_signed_in_captain_and_navigator_see_only_their_own_team(monkeypatch, demo_url):
    team = _aurora(demo_url)
    sid = int(reads.sessions_frame(demo_url).iloc[-1]["id"])
    people = reads.load_table(demo_url, sid, "people")
    djangonauts = people[people["role"] == "djangonaut"]
    others = djangonauts.loc[djangonauts["team"] != "Team Aurora", "name"]

    captain = signed_in(monkeypatch, demo_url, team["captain"])
    assert captain.title[0].value == "Wellbeing"  # a Captain's first (and only) page
    assert "3 Djangonauts (Team Aurora)" in texts(captain)
    options = captain.selectbox(key="wellbeing_person").options
    assert len(options) == 3
    assert not [name for name in others if name in texts(captain) + " ".join(options)]

    navigator = signed_in(monkeypatch, demo_url, team["navigators"][0])
    assert navigator.title[0].value == "Engagement"
    assert "3 Djangonauts (Team Aurora)" in texts(navigator)
    frames = [df.value for df in navigator.dataframe]
    assert set().union(*[set(f["team"]) for f in frames if "team" in f.columns]) == {"Team Aurora"}
    assert not [name for name in others if name in texts(navigator)]


def test_a_captain_who_navigates_another_team_sees_only_that_teams_figures(monkeypatch, demo_url, edit_db):
    """Individual wellbeing (cards, burnout answers, blockers, one person's weeks) follows captain_of."""
    from dashboard import models

    team = _aurora(demo_url)
    sid = int(reads.sessions_frame(demo_url).iloc[-1]["id"])
    with edit_db(demo_url) as db:  # Aurora's Captain also navigates another team
        other = (
            db.query(models.Team)
            .filter(
                models.Team.session_id == sid, models.Team.name != "Team Aurora", models.Team.captain != team["captain"]
            )
            .order_by(models.Team.name)
            .first()
        )
        other.navigators = [*other.navigators, team["captain"]]
        db.get(models.Session, sid).data_version += 1
    people = reads.load_table(demo_url, sid, "people")
    theirs = people[(people["role"] == "djangonaut") & (people["team"] == other.name)]
    secrets = [*theirs["name"], *theirs["email"]]
    checkins = reads.load_table(demo_url, sid, "checkins")
    secrets += [
        b for b in checkins.loc[checkins["email"].isin(theirs["email"]), "blockers"].dropna() if len(str(b)) > 6
    ]

    at = signed_in(monkeypatch, demo_url, team["captain"])
    assert "Captain" in texts(at) and "Navigator" in texts(at)
    at.switch_page("app_pages/wellbeing.py").run()
    shown = texts(at)
    assert "3 Djangonauts (Team Aurora)" in shown and other.name not in shown
    options = at.selectbox(key="wellbeing_person").options
    assert len(options) == 3
    charts = " ".join(chart.proto.spec for chart in at.get("vega_lite_chart")) + " ".join(
        str(chart.proto.spec) for chart in at.get("arrow_vega_lite_chart")
    )
    tables = " ".join(df.value.to_csv() for df in at.dataframe)
    leaked = [s for s in secrets if s in shown + " ".join(options) + charts + tables]
    assert not leaked, f"another team's individual wellbeing on the Wellbeing page: {leaked[:3]}"

    at.switch_page("app_pages/engagement.py").run()  # the navigated team's figures, still without names
    assert f"6 Djangonauts ({', '.join(sorted([other.name, 'Team Aurora']))})" in texts(at)  # teams in name order
    assert not [s for s in theirs["name"] if s in texts(at)]


def test_captain_only_gets_sessions_they_have_a_role_in(monkeypatch, demo_url):
    team = _aurora(demo_url)
    at = signed_in(monkeypatch, demo_url, team["captain"])
    sessions = at.selectbox(key="_session_name")
    assert "2026 Session 6" in sessions.options
    assert len(sessions.options) < len(reads.sessions_frame(demo_url))


def test_demo_switcher_only_without_auth(monkeypatch, demo_url):
    from tests.apptest_support import run_app

    at = run_app(monkeypatch, demo_url, persona="Reviewer")
    assert "Viewing as (demo mode)" in labels(at)
    assert "Demo mode: sign-in is not configured" in texts(at)
    signed = signed_in(monkeypatch, demo_url, "reviewer1@example.org", demo_viewer="Organiser")
    assert "Viewing as (demo mode)" not in labels(signed)
    assert "Demo mode" not in texts(signed)


def test_an_unreadable_secrets_file_shows_nothing_and_never_demo_mode(monkeypatch, demo_url, tmp_path):
    broken = tmp_path / "secrets.toml"  # [auth] is meant, but a value lost its quotes
    broken.write_text(
        f'[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = {COOKIE_SECRET}\n'
    )
    at = app_with_secrets_files(monkeypatch, demo_url, [broken])
    assert not at.exception
    assert "cannot read its secrets file" in shown(at.error[0].value) and str(broken) in shown(at.error[0].value)
    assert "Viewing as (demo mode)" not in labels(at)
    assert not at.metric and not at.sidebar.selectbox
    assert COOKIE_SECRET not in texts(at)


def test_the_example_secrets_turn_sign_in_on_only_when_uncommented(monkeypatch, demo_url):
    import tomllib

    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text()
    assert "auth" not in tomllib.loads(text)  # copying the example keeps demo mode until [auth] is filled in
    uncommented = "\n".join(
        line[2:]
        if line.startswith(("# [auth", "# redirect_uri", "# cookie_secret", "# client_", "# server_metadata_url"))
        else line
        for line in text.splitlines()
    )
    example = tomllib.loads(uncommented)
    at = signed_in(monkeypatch, demo_url, None, auth=example["auth"], roles=example["roles"])
    assert [b.label for b in at.button] == ["Sign in with Google", "Sign in with Microsoft"]
    assert not at.error


def test_audit_page_lists_entries_for_organisers_only(monkeypatch, demo_url):
    from dashboard import audit
    from tests.apptest_support import run_app

    sid = int(reads.sessions_frame(demo_url).iloc[-1]["id"])
    audit.record(
        demo_url,
        "organiser1@example.org",
        "wellbeing_viewed",
        "dj@example.org",
        '=HYPERLINK("https://example.com/phish","x")',
        sid,
    )
    at = signed_in(monkeypatch, demo_url, "organiser1@example.org", page="app_pages/audit.py")
    table = at.dataframe[0].value
    row = table[table["About"] == "dj@example.org"].iloc[0]
    assert row["What"] == "Opened wellbeing details" and row["Who"] == "organiser1@example.org"
    assert row["Detail"].startswith("=HYPERLINK")  # on screen as written (st.dataframe shows text)
    exported = audit.readable(audit.entries(demo_url, sid))
    from dashboard.exports import safe_csv

    assert "'=HYPERLINK" in safe_csv(exported)

    demo_reviewer = run_app(monkeypatch, demo_url, persona="Reviewer", page="app_pages/audit.py")
    # not a reviewer's page, so the app opens their own first page instead
    assert [t.value for t in demo_reviewer.title] == ["Review"] and "Audit log" not in texts(demo_reviewer)
    assert not any("About" in df.value.columns for df in demo_reviewer.dataframe)


def test_an_unreachable_database_is_one_sentence_without_the_password(monkeypatch, tmp_path):
    url = "postgresql+psycopg://mission:very-secret-password@127.0.0.1:1/nothing"
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("DASHBOARD_CONFIG", raising=False)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "cannot open its database" in at.error[0].value
    assert "very-secret-password" not in texts(at)
