"""Every change to stored data and every bulk read of wellbeing data leaves an audit entry.

Run the way people do it: the command line (dashboard.cli.main in-process: imports, Djangonaut Space's export,
`signals --json`), the Wellbeing page signed in. Plus the write path's own promises: no actor,
no write; a failed write leaves neither the change nor its entry; nothing changed, nothing noted.
"""

from __future__ import annotations

import ast
import getpass
import json
from pathlib import Path

import pytest

from dashboard import audit, db as dbmod, models, reads, reviewing
from tests.apptest_support import ROOT

ME = f"cli:{getpass.getuser()}"
FULL_CSV = (
    "\ufeffResponse ID,Submitter Name,Email,What is your experience level?,Ada score,Score,Selection Rank\n"
    "101,Sam Real,sam.real@example.com,beginner,4,4,1\n"
    "102,Kim Real,kim.real@example.com,intermediate,3,3,2\n"
)


def session_id(url: str, name: str) -> int:
    return int(reads.sessions_frame(url).set_index("name").at[name, "id"])


def test_command_line_imports_are_audited_as_the_person_who_ran_them(empty_url, tmp_path, mission_control):
    (tmp_path / "checkins.csv").write_text("email,week,hours,energy\nsam.real@example.com,1,4,3\n")
    (tmp_path / "full.csv").write_text(FULL_CSV, encoding="utf-8")
    mission_control(
        empty_url, "import", str(tmp_path / "checkins.csv"), "--table", "checkins", "--session", "Real 2027"
    )
    mission_control(empty_url, "djangonaut-space", "import", str(tmp_path / "full.csv"), "--session", "Real 2027")
    sid = session_id(empty_url, "Real 2027")
    log = audit.entries(empty_url, sid)
    imported = log[log["action"] == "file_imported"]
    assert set(imported["actor"]) == {ME}
    assert set(imported["subject"]) == {"checkins.csv", "djangonaut_space:full.csv"}
    assert imported["detail"].str.contains("into Real 2027").all()


def test_a_failed_command_line_import_is_audited_too(empty_url, tmp_path, mission_control):
    (tmp_path / "checkins.csv").write_text("name,colour\nSam,blue\n")  # no e-mail column: refused
    mission_control(empty_url, "import", str(tmp_path / "checkins.csv"), "--table", "checkins", ok=False)
    failed = audit.entries(empty_url, action="import_failed")
    assert len(failed) == 1 and failed.iloc[0]["actor"] == ME and failed.iloc[0]["subject"] == "checkins.csv"


def test_listing_signals_notes_who_read_them(demo_url, mission_control):
    sid = session_id(demo_url, "2026 Session 6")
    before = len(audit.entries(demo_url, sid, action="signals_read"))
    items = json.loads(mission_control(demo_url, "signals", "--json", "--open").stdout)
    assert items and all("@" in item["email"] for item in items)  # e-mails with their reasons
    log = audit.entries(demo_url, sid, action="signals_read")
    assert len(log) == before + 1
    assert log.iloc[0]["actor"] == ME and log.iloc[0]["detail"] == "open signals"


def test_the_demo_build_is_audited(demo_url):
    built = audit.entries(demo_url, action="demo_built")
    assert len(built) and set(built["actor"]) == {ME}
    assert set(reads.sessions_frame(demo_url)["id"]) <= set(built["session_id"])


def test_who_to_check_on_is_noted_once_per_viewer_week_and_data_version(monkeypatch, demo_url):
    from tests.apptest_support import signed_in

    sid = session_id(demo_url, "2026 Session 6")
    at = signed_in(monkeypatch, demo_url, "organiser1@example.org", page="app_pages/wellbeing.py")
    assert "Djangonauts with open signals" in "\n".join(m.value for m in at.markdown)
    at.run()  # a rerun (any widget change) reads the cached cards: no second entry
    log = audit.entries(demo_url, sid, action="check_on_viewed")
    assert len(log) == 1
    assert (log.iloc[0]["actor"], log.iloc[0]["subject"]) == ("organiser1@example.org", "week 8")
    at.select_slider(key="wellbeing_week").set_value(5).run()
    assert list(audit.entries(demo_url, sid, action="check_on_viewed")["subject"]) == ["week 5", "week 8"]


def test_a_write_without_an_actor_is_refused_and_writes_nothing(demo_url):
    sid = session_id(demo_url, "2026 Session 6")
    version = dbmod.data_version(demo_url, sid)
    with pytest.raises(ValueError, match="needs an actor"):
        reviewing.set_blind_review(demo_url, sid, False, "")
    assert dbmod.data_version(demo_url, sid) == version
    assert bool(reads.sessions_frame(demo_url).set_index("id").at[sid, "blind_review"])


def test_a_failed_write_leaves_neither_the_change_nor_its_entry(demo_url):
    sid = session_id(demo_url, "2026 Session 6")
    entries = len(audit.entries(demo_url))
    with pytest.raises(RuntimeError):
        with dbmod.write(
            demo_url, actor="organiser1@example.org", action="blind_review_changed", session_id=sid
        ) as change:
            change.db.get(models.Session, sid).blind_review = False
            change.db.flush()
            raise RuntimeError("the power went out")
    assert len(audit.entries(demo_url)) == entries
    assert bool(reads.sessions_frame(demo_url).set_index("id").at[sid, "blind_review"])


def test_a_write_that_changes_nothing_notes_nothing(demo_url):
    sid = session_id(demo_url, "2026 Session 6")
    version, entries = dbmod.data_version(demo_url, sid), len(audit.entries(demo_url))
    reviewing.set_blind_review(demo_url, sid, True, "organiser1@example.org")  # already on
    assert (dbmod.data_version(demo_url, sid), len(audit.entries(demo_url))) == (version, entries)
    reviewing.set_blind_review(demo_url, sid, False, "organiser1@example.org")
    assert dbmod.data_version(demo_url, sid) == version + 1
    assert audit.entries(demo_url, sid).iloc[0][["actor", "action", "detail"]].tolist() == [
        "organiser1@example.org",
        "blind_review_changed",
        "off",
    ]


def _calls(path: Path) -> list[str]:
    """Dotted names of every function called in a module ('dbmod.transaction', 'db.commit', ...)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            parts, target = [], node.func
            while isinstance(target, ast.Attribute):
                parts.append(target.attr)
                target = target.value
            if isinstance(target, ast.Name):
                parts.append(target.id)
            names.append(".".join(reversed(parts)))
    return names


def test_dashboard_db_write_is_the_only_way_to_write():
    """No module opens its own write transaction or commits: changes cannot skip the audit entry."""
    offenders = {}
    for path in [ROOT / "streamlit_app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("dashboard/**/*.py")]:
        if path.parent.name == "migrations" or path.parent.name == "versions":
            continue  # Alembic's own transactions change the schema, not the data
        allowed = {"db.py": {"transaction", "begin"}, "audit.py": {"transaction"}}.get(path.name, set())
        bad = [
            name
            for name in _calls(path)
            if name.rsplit(".", 1)[-1] in {"commit", "begin", "_transaction", "transaction", "bump_data_version"}
            and name.rsplit(".", 1)[-1] not in allowed
        ]
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert not offenders, f"write through dashboard.db.write instead: {offenders}"
