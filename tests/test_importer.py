"""Importing form exports: messy cells, mapping by question text, rejects with reasons, idempotence."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from dashboard import db as dbmod, models, reads
from dashboard.demo import CHECKIN_QUESTIONS
from dashboard.importer import ImportFailed, TableInput, import_frame, import_tables, map_columns
from dashboard.sessions import find_session
from data_sources.files import read_sheets
from tests.browser_support import ROOT

Q = CHECKIN_QUESTIONS


def checkin_rows(n: int, start_week: int = 1) -> list[dict]:
    return [
        {
            Q["submitted_at"]: f"10/{2 + i % 20}/2026 18:05:09",
            Q["email"]: f"person{i}@example.org",
            Q["week"]: f"Week {start_week + i // 50}",
            Q["hours"]: ["4", "3h", "~6", "4-5", "four"][i % 5],
            Q["energy"]: "4",
            Q["attended_standup"]: "TRUE",
        }
        for i in range(n)
    ]


def count(url: str, model) -> int:
    with OrmSession(dbmod.get_engine(url)) as db:
        return db.scalar(select(func.count()).select_from(model))


def test_headers_match_despite_spacing_and_case(settings):
    headers = [
        "  email address",
        "WHICH WEEK IS THIS CHECK-IN FOR?",
        "How many hours did you spend on Djangonaut Space  this week?",
    ]
    colmap = map_columns(headers, "checkins", settings.mapping("checkins"), settings, "Check-ins")
    assert colmap.fields == {"email": headers[0], "week": headers[1], "hours": headers[2]}


def test_canonical_headers_need_no_mapping(settings):
    colmap = map_columns(["email", "week", "hours", "burnout"], "checkins", {}, settings, "x")
    assert set(colmap.fields) == {"email", "week", "hours", "burnout"}


def test_a_missing_required_column_refuses_the_import_and_says_where_to_map_it(settings, empty_url):
    frame = pd.DataFrame([{"Hours": "4"}])
    with pytest.raises(ImportFailed, match=r"not found in sheet 'Check-ins'.*\[mapping.checkins\]"):
        import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins")
    assert count(empty_url, models.Checkin) == 0
    with OrmSession(dbmod.get_engine(empty_url)) as db:
        failed = db.scalars(select(models.SyncRun).where(models.SyncRun.status == "failed")).all()
    assert len(failed) == 1 and "not found in sheet" in failed[0].error


def test_one_bad_row_out_of_100_stores_99_and_says_why(settings, empty_url):
    rows = checkin_rows(100)
    rows[41][Q["email"]] = "person41 at example.org"  # a required field: the row cannot be stored
    rows[60][Q["hours"]] = "lots"  # an optional one: stored empty, with a warning
    result = import_frame(empty_url, settings, "checkins", pd.DataFrame(rows), source="t", sheet="Check-ins")
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (100, 99, 1)
    rejection = result.rejections[0]
    assert rejection.row_number == 43  # header is row 1, so the 42nd data row is row 43
    assert rejection.column == Q["email"] and rejection.value == "person41 at example.org"
    assert rejection.reason.startswith(
        f"Sheet 'Check-ins', row 43, column '{Q['email']}': 'person41 at example.org' is not an e-mail address"
    )
    assert result.rejected_by_reason == {"bad_email": 1}
    [warning] = result.warnings
    assert (warning.row_number, warning.column, warning.value, warning.code) == (62, Q["hours"], "lots", "bad_hours")
    assert warning.message.startswith(
        f"Sheet 'Check-ins', row 62, column '{Q['hours']}': 'lots' is not a number of hours"
    )
    assert "stored with hours empty" in warning.message
    assert count(empty_url, models.Checkin) == 99
    assert count(empty_url, models.RejectedRow) == 1 and count(empty_url, models.ImportWarning) == 1
    assert count(empty_url, models.RawRow) == 100


def test_a_column_that_feeds_no_field_is_named_with_where_to_map_it(settings, empty_url):
    rows = [{**row, "Hours this week": "4"} for row in checkin_rows(3)]  # a question reworded on the form
    for row in rows:
        del row[Q["hours"]]
    result = import_frame(empty_url, settings, "checkins", pd.DataFrame(rows), source="t", sheet="Check-ins")
    assert result.rows_stored == 3 and result.columns_not_mapped == ["Hours this week"]
    assert result.unmapped_notice().startswith("1 column(s) of sheet 'Check-ins' fed no checkins field")
    assert "'Hours this week'" in result.unmapped_notice() and "[mapping.checkins]" in result.unmapped_notice()
    with OrmSession(dbmod.get_engine(empty_url)) as db:  # the answers are still there, in the raw rows
        raw = db.scalars(select(models.RawRow.data)).all()
    assert all(r["Hours this week"] == "4" for r in raw)
    mapped = import_frame(empty_url, settings, "checkins", pd.DataFrame(checkin_rows(3)), source="t", sheet="Check-ins")
    assert mapped.columns_not_mapped == [] and mapped.unmapped_notice() == ""


def test_reimporting_the_same_rows_changes_nothing(settings, empty_url):
    frame = pd.DataFrame(checkin_rows(30))
    import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins")
    before = reads.load_table(empty_url, 1, "checkins").sort_values(["email", "week"]).reset_index(drop=True)
    again = import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins")
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 30)
    after = reads.load_table(empty_url, 1, "checkins").sort_values(["email", "week"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)
    assert count(empty_url, models.RawRow) == 30


def test_blank_rows_and_trailing_empty_cells_are_skipped(settings, empty_url, tmp_path):
    path = tmp_path / "checkins.csv"
    rows = checkin_rows(4)
    frame = pd.DataFrame(rows)
    frame[""] = ""  # an export's trailing empty column
    text = frame.to_csv(index=False).splitlines()
    text.insert(3, "," * (len(frame.columns) - 1))  # a blank row in the middle
    path.write_text("\n".join(text) + "\n")
    raw = read_sheets(path)[0]
    assert "" not in raw.frame.columns and not any(c.startswith("Column") for c in raw.frame.columns)
    result = import_frame(
        empty_url, settings, "checkins", raw.frame, source="file", sheet=raw.name, row_numbers=raw.row_numbers
    )
    assert (result.rows_read, result.rows_stored, result.rows_blank) == (4, 4, 1)


def test_a_later_answer_for_the_same_week_wins_and_the_earlier_is_kept_as_rejected(settings, empty_url):
    rows = checkin_rows(2)
    rows[1][Q["email"]] = rows[0][Q["email"]]
    rows[1][Q["hours"]] = "7"
    result = import_frame(empty_url, settings, "checkins", pd.DataFrame(rows), source="t", sheet="Check-ins")
    assert (result.rows_stored, result.rows_rejected) == (1, 1)
    assert "row 3 has the same email" in result.rejections[0].reason
    assert reads.load_table(empty_url, 1, "checkins")["hours"].tolist() == [7.0]


def test_week_is_derived_from_the_timestamp_when_the_form_has_no_week(settings, empty_url):
    frame = pd.DataFrame(
        [
            {"Timestamp": "10/14/2026 10:00:00", "Email Address": "a@example.org", "hours": "4"},
            {"Timestamp": "1/14/2026 10:00:00", "Email Address": "b@example.org", "hours": "4"},
        ]
    )
    result = import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins")
    assert result.rows_stored == 1  # 2026-10-14 is in week 3 of a session starting 2026-09-28
    assert reads.load_table(empty_url, 1, "checkins")["week"].tolist() == [3]
    assert "before the session started" in result.rejections[0].reason


def test_importing_into_a_new_session_creates_it(settings, empty_url):
    import_frame(
        empty_url,
        settings,
        "checkins",
        pd.DataFrame(checkin_rows(3)),
        source="t",
        sheet="x",
        session_name="2027 Session 7",
    )
    with OrmSession(dbmod.get_engine(empty_url)) as db:
        assert find_session(db, settings, "2027 Session 7").name == "2027 Session 7"


def test_a_crash_mid_import_leaves_the_previous_data_intact(settings, empty_url, monkeypatch):
    import_frame(empty_url, settings, "checkins", pd.DataFrame(checkin_rows(10)), source="t", sheet="x")
    before = reads.load_table(empty_url, 1, "checkins")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("dashboard.importer.store.dedupe", crash)
    changed = checkin_rows(10)
    for row in changed:
        row[Q["hours"]] = "9"
    with pytest.raises(RuntimeError):
        import_tables(
            empty_url,
            settings,
            [
                TableInput("applications", pd.DataFrame([{"Email Address": "z@example.org"}]), "Apps"),
                TableInput("checkins", pd.DataFrame(changed), "x"),
            ],
            source="t",
        )
    pd.testing.assert_frame_equal(before, reads.load_table(empty_url, 1, "checkins"))
    assert count(empty_url, models.Application) == 0


def test_xlsx_exports_import_like_csv(settings, empty_url, tmp_path):
    path = tmp_path / "responses.xlsx"
    pd.DataFrame(checkin_rows(5)).to_excel(path, sheet_name="Form Responses 1", index=False)
    raw = read_sheets(path)[0]
    assert raw.name == "Form Responses 1"
    result = import_frame(
        empty_url, settings, "checkins", raw.frame, source="x", sheet=raw.name, row_numbers=raw.row_numbers
    )
    assert result.rows_stored == 5


def test_applications_keep_unmapped_answers_and_get_a_stable_id(settings, empty_url):
    frame = pd.DataFrame(
        [
            {
                "Timestamp": "8/1/2026 10:00:00",
                "Email Address": "A@Example.org",
                "Favourite pony?": "Yes",
                "Which projects would you like to work on?": "Django core, django CMS",
            }
        ]
    )
    first = import_frame(empty_url, settings, "applications", frame, source="t", sheet="Form Responses 1")
    apps = reads.load_table(empty_url, 1, "applications")
    assert apps.loc[0, "email"] == "a@example.org"
    assert apps.loc[0, "extra"] == {"Favourite pony?": "Yes"}
    assert apps.loc[0, "project_preferences"] == ["Django core", "django CMS"]
    again = import_frame(empty_url, settings, "applications", frame, source="t", sheet="Form Responses 1")
    assert first.rows_inserted == 1 and again.rows_unchanged == 1


def test_availability_grid_becomes_utc_half_hour_slots(settings, empty_url):
    frame = pd.DataFrame(
        [
            {
                "Email Address": "a@example.org",
                "Which time zone are you in?": "Asia/Kolkata",
                "When are you available? (your local time) [Monday]": "09:00, 10:00, 11:00",
            }
        ]
    )
    import_frame(empty_url, settings, "applications", frame, source="t", sheet="Apps")
    # 09:00-12:00 in India is 03:30-06:30 UTC: six half-hours, three hours, none lost.
    assert reads.load_table(empty_url, 1, "applications").loc[0, "availability"] == [24 + h / 2 for h in range(7, 13)]


cells = st.one_of(
    st.text(max_size=12), st.sampled_from(["", " ", "TRUE", "4-5", "Week 3", "x@example.org", "=1+1", "nan"])
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({q: cells for q in list(Q.values())[:8]}), min_size=1, max_size=12))
def test_random_cells_never_crash_and_never_lose_a_row(settings, tmp_path_factory, rows):
    url = f"sqlite:///{tmp_path_factory.mktemp('h') / 'h.db'}"
    dbmod.migrate(url)
    frame = pd.DataFrame(rows)
    try:
        result = import_frame(url, settings, "checkins", frame, source="h", sheet="Check-ins")
    except ImportFailed:
        return
    blank = sum(all(not str(v).strip() for v in row.values()) for row in rows)
    assert result.rows_read == len(rows) - blank == result.rows_stored + result.rows_rejected
    assert count(url, models.RejectedRow) == result.rows_rejected  # every rejected row is kept with its reason
    stored = count(url, models.Checkin)  # rows for the same person and week update one check-in
    assert stored <= result.rows_stored and (stored > 0) == (result.rows_stored > 0)
    assert (
        count(url, models.RawRow) == len({json.dumps(r, sort_keys=True) + str(i) for i, r in enumerate(rows)}) - blank
    )


def test_cli_demo_then_import_prints_a_json_summary(tmp_path):
    env = {"DASHBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin"}
    demo = subprocess.run(
        [sys.executable, "-m", "dashboard", "demo", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert demo.returncode == 0, demo.stderr
    rows = checkin_rows(100, start_week=3)
    rows[10][Q["energy"]] = "eleven"  # optional: stored empty, with a warning
    rows[20][Q["email"]] = ""  # required: the row is rejected
    path = tmp_path / "checkins.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    cmd = [sys.executable, "-m", "dashboard", "import", str(path), "--table", "checkins", "--json"]
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 3, out.stderr  # stored, with rejects: not a clean success for cron
    summary = json.loads(out.stdout)
    assert summary["status"] == "stored_with_rejects"
    assert (summary["rows_read"], summary["rows_stored"], summary["rows_rejected"]) == (100, 99, 1)
    assert summary["rejected_by_reason"] == {"missing_email": 1}
    assert [(w["row_number"], w["code"]) for w in summary["warnings"]] == [(12, "bad_scale")]
    assert summary["session"] == "2026 Session 6"
    again = json.loads(subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True).stdout)
    assert (again["rows_inserted"], again["rows_updated"]) == (0, 0)
    missing = subprocess.run(
        [sys.executable, "-m", "dashboard", "import", str(tmp_path / "nope.csv"), "--table", "checkins"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "not found" in missing.stderr and "Traceback" not in missing.stderr


def test_a_row_fixed_in_the_source_is_no_longer_listed_as_rejected(settings, empty_url, tmp_path):
    path = tmp_path / "checkins.csv"

    def import_file(rows):
        pd.DataFrame(rows).to_csv(path, index=False)
        raw = read_sheets(path)[0]
        return import_frame(
            empty_url,
            settings,
            "checkins",
            raw.frame,
            source=f"file:{path.name}",
            sheet=raw.name,
            row_numbers=raw.row_numbers,
        )

    rows = checkin_rows(100)
    rows[41][Q["email"]] = "nobody"
    rows[50][Q["hours"]] = "lots"
    first = import_file(rows)
    assert (first.rows_rejected, first.rows_with_warnings) == (1, 1)
    rows[41][Q["email"]] = "still nobody"  # changed, still bad: one rejection, describing the new value
    rows[50][Q["hours"]] = "still lots"
    assert import_file(rows).rows_rejected == 1
    listed = reads.rejected_rows_frame(empty_url, 1)
    assert listed[["row_number", "value"]].values.tolist() == [[43, "still nobody"]]
    assert reads.import_warnings_frame(empty_url, 1)[["row_number", "value"]].values.tolist() == [[52, "still lots"]]
    rows[41][Q["email"]] = "somebody@example.org"  # fixed
    rows[50][Q["hours"]] = "4"
    fixed = import_file(rows)
    assert (fixed.rows_stored, fixed.rows_rejected, fixed.warnings) == (100, 0, [])
    assert reads.rejected_rows_frame(empty_url, 1).empty and count(empty_url, models.RejectedRow) == 0
    assert reads.import_warnings_frame(empty_url, 1).empty and count(empty_url, models.ImportWarning) == 0
    assert count(empty_url, models.Checkin) == 100


def test_reimporting_an_unchanged_file_with_rejected_rows_keeps_the_data_version(settings, empty_url):
    rows = checkin_rows(20)
    rows[3][Q["email"]] = "nobody"
    rows[5][Q["hours"]] = "lots"
    frame = pd.DataFrame(rows)
    assert import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins").rows_rejected == 1
    version = dbmod.data_version(empty_url, 1)
    again = import_frame(empty_url, settings, "checkins", frame, source="t", sheet="Check-ins")
    assert dbmod.data_version(empty_url, 1) == version
    assert again.rows_rejected == 1 and len(again.warnings) == 1 and not again.stored_data_changed()
    rows[5][Q["hours"]] = "more"  # only a warning changes (the row stays stored with hours empty): the version does
    changed = import_frame(empty_url, settings, "checkins", pd.DataFrame(rows), source="t", sheet="Check-ins")
    assert dbmod.data_version(empty_url, 1) == version + 1
    assert changed.rows_updated == 0 and changed.stored_data_changed()
    version += 1
    rows[3][Q["email"]] = "somebody"  # only the rejected row changes: its rejection does, and so does the version
    changed = import_frame(empty_url, settings, "checkins", pd.DataFrame(rows), source="t", sheet="Check-ins")
    assert dbmod.data_version(empty_url, 1) == version + 1
    assert changed.rows_updated == 0 and changed.stored_data_changed()


def test_a_teams_navigators_are_stored_as_lower_case_e_mails_and_a_name_among_them_is_pointed_out(settings, empty_url):
    frame = pd.DataFrame(
        {
            "Name": ["Aurora", "Pulsar"],
            "Navigators": ["Ana@Example.org; bo@example.org", "cy@example.org, Dee Smith"],
            "Captain": ["Cap@Example.org", "cap2@example.org"],
        }
    )
    result = import_frame(empty_url, settings, "teams", frame, source="t", sheet="Teams")
    assert (result.rows_stored, result.rows_rejected) == (2, 0)
    stored = reads.load_table(empty_url, 1, "teams").set_index("name")
    assert list(stored.at["Aurora", "navigators"]) == ["ana@example.org", "bo@example.org"]  # one person, one spelling
    [warning] = result.warnings  # a Navigator named, not addressed, matches nobody: said, not stored silently
    assert (warning.row_number, warning.column) == (3, "Navigators")
    assert warning.message.startswith(
        "Sheet 'Teams', row 3, column 'Navigators': 'Dee Smith' is not an e-mail address; list each person by e-mail"
    )
