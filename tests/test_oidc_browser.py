"""The real sign-in flow in Chromium: st.login against a mock OpenID Connect provider on loopback.

Like Streamlit's own end-to-end suite: the app runs with an [auth] secrets file whose provider
is a loopback server (discovery, authorize, token with an RS256 id_token, JWKS). Each role signs
in, and we check what it is shown, that typed URLs of other pages give nothing, and that
hostile applicant answers stay inert on screen and in exports.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models, reads
from tests.browser_support import assert_no_exception, free_port, screenshot, shown, streamlit_server, wait_for_app
from tests.mock_oidc import CLIENT_SECRET, mock_provider, secrets_toml

ORGANISER, REVIEWER, STRANGER = "organiser1@example.org", "reviewer1@example.org", "stranger@example.com"
SCRIPT_ANSWER = "<script>alert('owned')</script> I want to give back to Django."
HOSTILE = (
    SCRIPT_ANSWER,
    "[Claim your prize](javascript:alert(1)) and I love the community.",
    '=HYPERLINK("https://example.com/phish","Click me")',
)


@pytest.fixture(scope="module")
def oidc_app(_demo_db_template, tmp_path_factory):
    """The app with [auth] pointing at the mock provider, on a demo copy whose <script> answer is first in the queue."""
    from tests.browser_support import chromium_path

    chromium_path()
    folder = tmp_path_factory.mktemp("oidc")
    path = folder / "demo.db"
    shutil.copy(_demo_db_template, path)
    url = f"sqlite:///{path}"
    sid = int(reads.sessions_frame(url).iloc[-1]["id"])
    with (
        OrmSession(dbmod.get_engine(url)) as db,
        db.begin(),
    ):  # no reviews yet for the hostile applications: served first
        a = models.Application
        hostile = list(
            db.scalars(
                select(a.response_id).where(
                    a.session_id == sid, (a.motivation.in_(HOSTILE)) | (a.community.in_(HOSTILE))
                )
            )
        )
        assert len(hostile) == 3
        db.execute(delete(models.Review).where(models.Review.session_id == sid, models.Review.response_id.in_(hostile)))
    dbmod.get_engine(url).dispose()
    team = reads.load_table(url, sid, "teams").set_index("name").loc["Team Aurora"]
    port = free_port()
    with mock_provider() as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            secrets_toml(
                provider,
                port,
                f'organisers = ["{ORGANISER}"]\nreviewers = ["{REVIEWER}"]\n'
                'contact = "the organisers at hello@example.org"',
            )
        )
        with streamlit_server(url, port=port, args=["--secrets.files", str(secrets_file)]) as base:
            yield {
                "base": base,
                "provider": provider,
                "captain": team["captain"],
                "navigator": team["navigators"][0],
                "secrets": secrets_file.read_text(),
            }


@pytest.fixture
def watched(browser):
    """A fresh browser context whose page records any JavaScript dialog (an alert would mean a script ran)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def sign_in(page, app, email: str) -> None:
    """Open the app, press the sign-in button, type the e-mail at the mock provider, come back signed in."""
    page.goto(app["base"], wait_until="domcontentloaded")
    wait_for_app(page)
    assert page.get_by_role("combobox", name="Session").count() == 0  # nothing about the program before sign-in
    assert page.get_by_role("combobox", name="Viewing as (demo mode)").count() == 0
    page.get_by_role("button", name="Sign in with Mock").click()
    page.wait_for_url("**/authorize?**")
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{app['base']}/**")
    wait_for_app(page)
    page.get_by_text(f"signed in as {email}", exact=False).first.wait_for()


def nav_links(page) -> set[str]:
    nav = page.get_by_test_id("stSidebarNav")
    return {text.strip() for text in nav.get_by_role("link").all_inner_texts()} if nav.count() else set()


def no_secret_on(page, app) -> None:
    body = page.content()
    assert CLIENT_SECRET not in body
    for line in app["secrets"].splitlines():
        if line.startswith("cookie_secret"):
            assert line.split('"')[1] not in body


def test_organiser_signs_in_and_sees_every_page(oidc_app, watched):
    page = watched
    sign_in(page, oidc_app, ORGANISER)
    assert_no_exception(page)
    assert shown(page.get_by_text("Applicants").first)
    assert {"Overview", "Data", "Review", "Selection", "Audit log"} <= {
        link.split("\n")[-1] for link in nav_links(page)
    }
    assert page.get_by_role("combobox", name="Viewing as (demo mode)").count() == 0
    no_secret_on(page, oidc_app)
    screenshot(page, "oidc-organiser-overview")
    page.goto(f"{oidc_app['base']}/audit", wait_until="domcontentloaded")
    wait_for_app(page)
    assert shown(page.get_by_role("heading", name="Audit log").first)
    screenshot(page, "oidc-organiser-audit")
    assert oidc_app["provider"].token_requests >= 1


def test_reviewer_sees_review_only_and_hostile_answers_stay_text(oidc_app, watched):
    page = watched
    sign_in(page, oidc_app, REVIEWER)
    page.get_by_role("heading", name="Review").first.wait_for()
    assert_no_exception(page)
    links = {link.split("\n")[-1] for link in nav_links(page)}
    assert not links & {"Overview", "Data", "Selection", "Teams", "Talk", "Audit log"}
    # The first three applications in the queue answer with a <script> tag, a Markdown link to
    # javascript: and a spreadsheet formula: each is shown exactly as written, and nothing runs.
    seen, shown_ids = set(), []
    for step in range(3):
        heading = page.get_by_role("heading", name="Application r-").first
        heading.wait_for()
        wait_for_app(page)
        shown_ids.append(heading.inner_text().strip())
        for answer in HOSTILE:
            if page.get_by_text(answer, exact=True).count():
                seen.add(answer)
        assert page.locator("script", has_text="owned").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        assert page.get_by_role("link", name="Claim your prize").count() == 0
        screenshot(page, f"oidc-reviewer-review-{step + 1}")
        page.get_by_role("button", name="Skip for now").click()
        page.wait_for_function("id => !document.body.innerText.includes(id)", arg=shown_ids[-1])
    assert len(set(shown_ids)) == 3
    assert seen == set(HOSTILE)
    assert page.dialogs == []
    for path in ("data", "selection", "audit", "overview"):
        page.goto(f"{oidc_app['base']}/{path}", wait_until="domcontentloaded")
        wait_for_app(page)
        assert_no_exception(page)
        assert page.get_by_text("Rejected rows").count() == 0
        assert page.get_by_role("heading", name="Audit log").count() == 0
        assert page.get_by_text("Krippendorff").count() == 0
        assert page.get_by_text("Applicants").count() == 0
    screenshot(page, "oidc-reviewer-typed-data-url")
    assert page.dialogs == []


@pytest.mark.parametrize("role", ["captain", "navigator"])
def test_captain_and_navigator_get_no_organiser_or_review_data(oidc_app, watched, role):
    page = watched
    sign_in(page, oidc_app, oidc_app[role])
    assert_no_exception(page)
    assert shown(page.get_by_text(role.title()).first)
    links = {link.split("\n")[-1] for link in nav_links(page)}
    assert not links & {"Overview", "Data", "Review", "Selection", "Teams", "Talk", "Audit log"}
    screenshot(page, f"oidc-{role}-home")
    for path in ("data", "review", "selection", "audit"):
        page.goto(f"{oidc_app['base']}/{path}", wait_until="domcontentloaded")
        wait_for_app(page)
        assert page.get_by_text("Rejected rows").count() == 0
        assert page.get_by_text("Blind review").count() == 0
        assert page.get_by_text("Krippendorff").count() == 0


def test_stranger_gets_the_polite_page_and_can_sign_out(oidc_app, watched):
    page = watched
    sign_in(page, oidc_app, STRANGER)
    assert shown(page.get_by_text("Ask the organisers at hello@example.org").first)
    assert page.get_by_text("Applicants").count() == 0
    assert page.get_by_role("combobox", name="Session").count() == 0
    screenshot(page, "oidc-stranger")
    page.get_by_role("button", name="Sign out").first.click()
    page.get_by_role("button", name="Sign in with Mock").wait_for()
    wait_for_app(page)
    assert page.get_by_text("Ask the organisers").count() == 0


def test_hostile_answers_are_neutralised_in_the_organisers_export(oidc_app, watched):
    page = watched
    sign_in(page, oidc_app, ORGANISER)
    page.goto(f"{oidc_app['base']}/selection", wait_until="domcontentloaded")
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Full CSV for organisers").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert SCRIPT_ANSWER in cells  # the answer travels as plain text, exactly as written
    assert page.dialogs == []
