"""Safe by default: without sign-in, only the bundled synthetic demo is ever shown.

A careless deployer imports their program's real people and check-ins into a copy of the demo
database with the command line, then starts the app without configuring sign-in. Nobody may
see that data: not in the session picker, not on any page, not through the audit log or the
talk history. Local mode shows it to the one person on the computer the app runs on, and says
so on every page; it refuses when Streamlit listens beyond 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access, reads
from tests.apptest_support import app_with_secrets_files, listening_on, run_app, shown, texts

REAL_SESSION = "2027 Session 7"
REAL_PEOPLE = (
    "email,name,role,team\n"
    "ana.quintero@realmail.test,Ana Quintero,djangonaut,Team Real\n"
    "bo.lindqvist@realmail.test,Bo Lindqvist,djangonaut,Team Real\n"
    "cy.okafor@realmail.test,Cy Okafor,djangonaut,Team Real\n"
)
REAL_CHECKINS = (
    "email,week,hours,energy,burnout,notes\n"
    "ana.quintero@realmail.test,1,14,1,5,Panic attacks again this week\n"
    "bo.lindqvist@realmail.test,1,3,4,1,Fine\n"
)
SECRETS = ("ana.quintero", "Ana Quintero", "Bo Lindqvist", "Panic attacks", "realmail", REAL_SESSION, "Team Real")


@pytest.fixture
def import_real_data(mission_control):
    """The program's own people and check-ins, imported with the command line as an organiser would."""

    def run(url: str, folder: Path, session: str = REAL_SESSION) -> None:
        (folder / "people.csv").write_text(REAL_PEOPLE)
        (folder / "checkins.csv").write_text(REAL_CHECKINS)
        for table in ("people", "checkins"):
            mission_control(url, "import", str(folder / f"{table}.csv"), "--table", table, "--session", session)

    return run


def everything_shown(at: AppTest) -> str:
    """Every text, widget option and table cell of a run."""
    parts = [texts(at)]
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(at, kind):
            parts += [str(widget.label), *map(str, widget.options)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def assert_nothing_real(at: AppTest) -> None:
    shown = everything_shown(at)
    leaked = [secret for secret in SECRETS if secret in shown]
    assert not leaked, f"real data on screen without sign-in: {leaked}"


@pytest.fixture
def mixed_url(demo_url, tmp_path, import_real_data) -> str:
    """The demo database plus a real session imported next to it."""
    import_real_data(demo_url, tmp_path)
    return demo_url


def test_without_sign_in_real_data_is_never_offered_on_any_page(monkeypatch, mixed_url):
    at = run_app(monkeypatch, mixed_url)
    assert not at.exception
    assert REAL_SESSION not in at.selectbox(key="_session_name").options
    assert "2026 Session 6" in at.selectbox(key="_session_name").options  # the demo works as before
    assert "Viewing as (demo mode)" in [s.label for s in at.selectbox]
    assert "This database holds other data too" in texts(at)
    assert_nothing_real(at)
    for spec in access.PAGES:
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, spec.path
        assert_nothing_real(at)
    at.session_state["session_name"] = REAL_SESSION  # a stale or forged choice is not honoured either
    at.switch_page("app_pages/overview.py")
    at.run()
    assert_nothing_real(at)


def test_the_audit_log_and_talk_history_of_demo_mode_leave_real_sessions_out(monkeypatch, mixed_url):
    real_id = int(reads.sessions_frame(mixed_url).set_index("name").at[REAL_SESSION, "id"])
    at = run_app(monkeypatch, mixed_url, page="app_pages/audit.py")
    at.toggle[0].set_value(True).run()  # "All sessions"
    assert not at.exception
    assert_nothing_real(at)
    table = at.dataframe[0].value
    assert "people.csv" not in set(table["About"])  # the CLI import into the real session is audited...
    from dashboard import audit

    assert "people.csv" in set(audit.entries(mixed_url, real_id)["subject"])  # ...but not shown here
    talk = run_app(monkeypatch, mixed_url, page="app_pages/talk.py")
    assert not talk.exception
    specs = " ".join(chart.proto.spec for chart in talk.get("vega_lite_chart"))
    assert "2026 Session 6" in specs and REAL_SESSION not in specs


def test_only_real_data_and_no_sign_in_shows_nothing_but_what_to_do(monkeypatch, empty_url, tmp_path, import_real_data):
    import_real_data(empty_url, tmp_path)
    at = run_app(monkeypatch, empty_url)
    assert not at.exception
    assert_nothing_real(at)
    assert not at.metric and not at.dataframe and not at.selectbox and not at.button
    shown = texts(at)
    assert "set up sign-in" in shown and "DASHBOARD_LOCAL_MODE=1 make run" in shown
    at.switch_page("app_pages/data.py")  # a typed URL: not even the import form, which would write as nobody
    at.run()
    assert not at.exception and "Import a file" not in texts(at) and not at.button
    assert_nothing_real(at)


def test_a_real_import_into_a_demo_session_takes_it_out_of_demo_mode(monkeypatch, demo_url, tmp_path, import_real_data):
    import_real_data(demo_url, tmp_path, session="2026 Session 6")
    at = run_app(monkeypatch, demo_url)
    assert not at.exception
    assert "2026 Session 6" not in at.selectbox(key="_session_name").options
    assert_nothing_real(at)


def test_local_mode_shows_the_real_data_to_the_person_at_this_computer_and_says_so(monkeypatch, mixed_url, local_mode):
    at = run_app(monkeypatch, mixed_url, session=REAL_SESSION)
    assert not at.exception
    assert REAL_SESSION in at.selectbox(key="_session_name").options
    assert "Viewing as (demo mode)" not in [s.label for s in at.selectbox]
    for spec in access.PAGES:
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, spec.path
        assert "Local mode" in texts(at) and "only this computer" in texts(at), spec.path
    at.switch_page("app_pages/wellbeing.py")
    at.run()
    assert "Ana Quintero" in everything_shown(at)


def test_local_mode_refuses_when_streamlit_listens_on_every_interface(monkeypatch, mixed_url):
    monkeypatch.setenv("DASHBOARD_LOCAL_MODE", "1")
    with listening_on(""):  # `streamlit run` without --server.address: the whole network
        at = run_app(monkeypatch, mixed_url)
    assert not at.exception
    assert "Local mode (DASHBOARD_LOCAL_MODE) is off" in texts(at) and "every network interface" in texts(at)
    assert REAL_SESSION not in at.selectbox(key="_session_name").options
    assert_nothing_real(at)


def test_a_secrets_file_named_in_config_but_missing_never_opens_demo_mode(monkeypatch, demo_url, tmp_path):
    missing = tmp_path / "not-mounted" / "secrets.toml"  # --secrets.files /run/secrets/..., volume not mounted
    at = app_with_secrets_files(monkeypatch, demo_url, [missing])
    assert not at.exception
    assert str(missing) in shown(at.error[0].value) and "no such file" in shown(at.error[0].value)
    assert not at.selectbox and not at.metric and not at.dataframe
