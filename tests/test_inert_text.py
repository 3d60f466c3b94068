"""Outside text stays inert: names and error text show as written, spreadsheet formulas stay text.

Session, team and tab names, a spreadsheet's title and sync errors come from people outside the
app (anyone who can edit the sheet). On screen they are shown exactly as written, never run as
Markdown (a link, an image, Streamlit's :red[...]); in a CSV a formula, however it is dressed
(a leading space, a full-width ＝), stays text.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from dashboard import audit, reads
from dashboard.exports import safe_csv
from tests.apptest_support import run_app, shown
from tests.test_sync_panel import app_for, fake, workbook  # noqa: F401  (fixtures)

LINK = "[Claim your prize](https://evil.example/x)"
SESSION = f"2027 {LINK} :red[Session] 7"
TEAM = f"Team ![pixel](https://evil.example/p.png) {LINK}"
MARKDOWN_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")


def markdown_values(at) -> list[str]:
    return [str(el.value) for kind in MARKDOWN_KINDS for el in getattr(at, kind)]


def assert_inert(at, *hostile: str) -> None:
    """Each hostile string is on screen as written, and never as Markdown that would run."""
    values = markdown_values(at)
    for text in hostile:
        assert any(text in shown(v) for v in values), f"{text!r} is not shown at all"
        for markup in ("](https://evil.example", ":red[", "![pixel]"):
            assert not [v for v in values if markup in v], f"{markup!r} reached Markdown unescaped"


def test_session_and_team_names_show_as_written_on_every_page(
    monkeypatch, empty_url, tmp_path, local_mode, mission_control
):
    (tmp_path / "people.csv").write_text(
        "email,name,role,team\n"
        + "".join(f'dj{i}@example.org,Dj {i},djangonaut,"{TEAM}"\n' for i in range(3))
        + "cap@example.org,Cap,captain,\n"
    )
    (tmp_path / "teams.csv").write_text(
        f'name,project,navigators,captain\n"{TEAM}",Django,nav@example.org,cap@example.org\n'
    )
    (tmp_path / "checkins.csv").write_text("email,week,hours\n" + "".join(f"dj{i}@example.org,1,4\n" for i in range(3)))
    for table in ("people", "teams", "checkins"):
        mission_control(empty_url, "import", str(tmp_path / f"{table}.csv"), "--table", table, "--session", SESSION)
    for page in ("app_pages/overview.py", "app_pages/data.py", "app_pages/talk.py"):
        assert_inert(run_app(monkeypatch, empty_url, page=page, session=SESSION), SESSION)
    for page in ("app_pages/wellbeing.py", "app_pages/engagement.py"):
        at = run_app(monkeypatch, empty_url, page=page, session=SESSION)
        assert not at.exception
        assert_inert(at, SESSION)
    captain = reads.load_table(empty_url, int(reads.sessions_frame(empty_url).iloc[-1]["id"]), "teams")
    assert list(captain["name"]) == [TEAM]  # stored exactly as written


def test_tab_names_and_sync_errors_show_as_written(demo_url, fake):  # noqa: F811
    tab = f"Check-ins {LINK}"
    at = app_for(demo_url, fake, tabs={"checkins": tab}).run()
    assert_inert(at, tab)  # "Tabs read: ..." names it
    at.button(key="sync_now").click().run()
    assert not at.exception
    assert any("not found" in shown(e.value) for e in at.error)
    assert_inert(at, tab)  # the error names the missing tab
    at.run()  # the last failed attempt, as stored
    assert_inert(at, tab)


def test_formulas_in_exports_stay_text_however_they_are_dressed(empty_url):
    # Every CSV Mission Control writes goes through safe_csv (the site's decisions file holds only integers).
    dressed = ['\uff1dHYPERLINK("https://evil.example")', "\uff0bcmd", " =1+1", "\t@SUM(A1)", "Ada"]
    rows = list(csv.DictReader(io.StringIO(safe_csv(pd.DataFrame({"Name": dressed})))))
    assert [row["Name"] for row in rows] == ["'" + text for text in dressed[:4]] + ["Ada"]
    # The Audit log page's CSV keeps details verbatim, leading spaces included.
    for detail in (' =HYPERLINK("https://evil.example")', "\t=1+1", "\u3000@SUM(A1)", "\uff20cmd", "\uff0d1+1"):
        audit.record(empty_url, "organiser1@example.org", "wellbeing_viewed", "dj@example.org", detail)
    rows = list(
        csv.DictReader(io.StringIO(safe_csv(audit.readable(audit.entries(empty_url, action="wellbeing_viewed")))))
    )
    assert rows and all(row["Detail"].startswith("'") for row in rows), [row["Detail"] for row in rows]
