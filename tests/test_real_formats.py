"""Files shaped exactly like what Google Forms, Google Sheets and Djangonaut Space's site really write.

tests/files/ holds them: Google Forms' own "Download responses (.csv)" (every field quoted, timestamps
like '2026/09/05 6:31:58 PM GMT+2', checkbox answers joined with ';', grids as 'Question [Row]'), a
Form's responses tab downloaded from Google Sheets (locale timestamps, checkbox answers joined with
', '), and the site's Full CSV and Single Scorer CSV as home/forms.py writes them (UTF-8 with a BOM,
CRLF, choice answers stored as keys), plus the Full CSV after the organisers scored it in their sheet.
Every import here must account for every row: read = stored + rejected.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard import selection, reads
from dashboard.availability import utc_offset_hours
from dashboard.config import EXAMPLE_CONFIG_PATH, with_overrides
from dashboard.importer import ImportResult, TableInput, import_tables
from dashboard.parsing import parse_datetime
from data_sources.files import read_sheets

FILES = Path(__file__).parent / "files"
FORMS_CSV = FILES / "google_forms_applications.csv"
SHEETS_CSV = FILES / "google_sheets_applications.csv"
SITE_CSV = FILES / "survey_application-2026-session-6_responses.csv"
SCORED_CSV = FILES / "organisers_scored_full_export.csv"
SINGLE_SCORER_CSV = FILES / "survey_application-2026-session-6_single_scorer.csv"
TZ_QUESTION = "Which time zone are you in?"

# The organiser's dashboard.toml for the site's application form (its questions are worded its own way).
SITE_CONFIG = """
[session]
name = "2026 Session 6"
start_date = "2026-09-28"

[mapping.applications]
"What are your pronouns?" = "pronouns"
"Which time zone are you in?" = "timezone"
"How would you describe your experience with Django?" = "experience_level"
"Have you contributed to open source before?" = "contributed_before"
"Have you completed the Djangonaut Space contribution tutorial?" = "tutorial_completed"
"Which projects would you like to work on?" = "project_preferences"
"How many hours per week can you commit?" = "hours_available"
"Why do you want to join Djangonaut Space?" = "motivation"
"Tell us about a time you were stuck and how you got unstuck." = "resilience"
"Do you identify as part of a group under-represented in tech?" = "underrepresented"
"""


def accounted_for(result: ImportResult) -> ImportResult:
    """Every non-blank row read was stored or rejected: nothing silently dropped."""
    assert result.rows_read == result.rows_stored + result.rows_rejected, result
    return result


def import_file(url: str, settings, path: Path, table: str = "applications") -> ImportResult:
    raw = read_sheets(path)[0]
    return accounted_for(
        import_tables(
            url, settings, [TableInput(table, raw.frame, raw.name, raw.row_numbers)], source=f"file:{path.name}"
        )[0]
    )


def session_table(url: str, table: str) -> pd.DataFrame:
    return reads.load_table(url, 1, table)


@pytest.fixture
def run_cli(command_line):
    """`python -m dashboard ARGS` (in-process) on the database at url: exit code, stdout, stderr."""

    def run(url: str, *args: str) -> tuple[int, str, str]:
        done = command_line(*args, env={"DASHBOARD_DATABASE_URL": url})
        return done.returncode, done.stdout, done.stderr

    return run


@pytest.fixture
def site_config(tmp_path) -> Path:
    path = tmp_path / "dashboard.toml"
    path.write_text(SITE_CONFIG, encoding="utf-8")
    return path


# --- 1. Timestamps as Google Forms, Google Sheets and the Forms API write them -------------------

FORMS_STAMPS_UTC = {  # the fixture's timestamps, as UTC
    "ana.costa@example.org": datetime(2026, 9, 5, 16, 31, 58),  # 2026/09/05 6:31:58 PM GMT+2
    "ravi.k@example.org": datetime(2026, 9, 5, 5, 32, 7),  # 11:02:07 AM GMT+5:30
    "sam.lee@example.org": datetime(2026, 10, 17, 23, 31, 58),  # 2026/10/17 6:31:58 PM EST
    "tom.b@example.org": datetime(2026, 9, 7, 0, 5, 41),  # 12:05:41 AM GMT: just after midnight
    "maria.s@example.org": datetime(2026, 9, 7, 16, 45, 10),  # 12:45:10 PM GMT-4: just after noon
    "priya.n@example.org": datetime(2026, 9, 8, 10, 32, 26),  # 4:02:26 pm GMT+5:30 (en_IN writes pm)
}


@pytest.mark.parametrize("date_order", ["MDY", "DMY", "YMD"])
def test_google_forms_download_timestamps_are_read_in_every_date_order(empty_url, settings, date_order):
    """Today every one of these rows was rejected ('is not a date and time like ...')."""
    options = {**settings.section("import"), "date_order": date_order}
    result = import_file(empty_url, with_overrides(settings, **{"import": options}), FORMS_CSV)
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (7, 6, 1)  # jules(at)example.org
    assert not [w for w in result.warnings if w.column == "Timestamp"]
    stored = session_table(empty_url, "applications").set_index("email")["submitted_at"]
    assert {email: stored[email].to_pydatetime() for email in FORMS_STAMPS_UTC} == FORMS_STAMPS_UTC


@pytest.mark.parametrize(
    "raw, order, tz, utc",
    [
        # Google Sheets' formatted values, in the spreadsheet's locale and time zone
        ("10/5/2026 18:31:58", "MDY", "America/New_York", datetime(2026, 10, 5, 22, 31, 58)),  # en_US
        ("05/10/2026 18:31:58", "DMY", "Europe/London", datetime(2026, 10, 5, 17, 31, 58)),  # en_GB
        ("05.10.2026 18:31:58", "DMY", "Europe/Berlin", datetime(2026, 10, 5, 16, 31, 58)),  # de_DE
        ("5-10-2026 18:31:58", "DMY", "Europe/Amsterdam", datetime(2026, 10, 5, 16, 31, 58)),  # nl_NL
        ("2026/10/05 18:31:58", "YMD", "Asia/Tokyo", datetime(2026, 10, 5, 9, 31, 58)),  # ja_JP
        ("2026. 10. 05. 18:31:58", "YMD", "Europe/Budapest", datetime(2026, 10, 5, 16, 31, 58)),  # hu_HU
        ("2026. 10. 5 오후 6:31:58", "YMD", "Asia/Seoul", datetime(2026, 10, 5, 9, 31, 58)),  # ko_KR
        ("2026-10-05 6:31:58 p.m.", "YMD", "America/Toronto", datetime(2026, 10, 5, 22, 31, 58)),  # en_CA
        ("05/10/2026, 18:31:58", "DMY", "Asia/Kolkata", datetime(2026, 10, 5, 13, 1, 58)),
        ("10/5/2026 6:31 PM", "MDY", "UTC", datetime(2026, 10, 5, 18, 31)),
        # Google Forms' CSV download, whatever the configured order
        ("2022/10/17 6:31:58 PM EST", "DMY", "UTC", datetime(2022, 10, 17, 23, 31, 58)),
        ("2026/10/05 6:31:58 PM GMT+5:30", "MDY", "UTC", datetime(2026, 10, 5, 13, 1, 58)),
        ("2026/10/05 12:00:00 AM GMT-3", "YMD", "UTC", datetime(2026, 10, 5, 3, 0, 0)),
        # The Forms API: RFC 3339 in UTC with up to nine fractional digits, or with an offset
        ("2026-10-05T16:31:58.123456789Z", "DMY", "Europe/Paris", datetime(2026, 10, 5, 16, 31, 58, 123456)),
        ("2026-10-05T18:31:58+02:00", "MDY", "UTC", datetime(2026, 10, 5, 16, 31, 58)),
    ],
)
def test_timestamps_as_sheets_forms_and_the_forms_api_write_them(raw, order, tz, utc):
    assert parse_datetime(raw, order, tz) == utc


def test_a_day_first_timestamp_in_a_month_first_sheet_says_which_setting_to_change():
    with pytest.raises(ValueError, match='date_order = "DMY"'):
        parse_datetime("23/10/2026 18:31:58", "MDY")


# --- 2. One odd optional answer never rejects a whole application ---------------------------------


def test_odd_optional_answers_are_stored_empty_with_a_warning_and_offsets_are_time_zones(empty_url, settings):
    result = import_file(empty_url, settings, FORMS_CSV)
    apps = session_table(empty_url, "applications").set_index("email")
    # Fixed offsets are time zones the rest of the code can use (availability, team charts, bands).
    assert apps.loc["ravi.k@example.org", "timezone"] == "UTC+05:30"
    assert apps.loc["maria.s@example.org", "timezone"] == "Etc/GMT+4"  # IANA's own name for UTC-04:00
    assert apps.loc["sam.lee@example.org", "timezone"] == "Etc/GMT+5"  # EST, read as UTC-05:00
    assert utc_offset_hours("UTC+05:30") == 5.5 and utc_offset_hours("Etc/GMT+4") == -4
    assert selection.timezone_band("UTC+05:30") == selection.timezone_band("Asia/Kolkata")
    assert apps.loc["ravi.k@example.org", "availability"]  # his evening grid in UTC+05:30 was converted
    assert apps.loc["maria.s@example.org", "hours_available"] == 4  # 'four'
    # 'Paris time' and 'lots' could not be read: Priya's application is stored all the same.
    priya = apps.loc["priya.n@example.org"]
    assert pd.isna(priya["timezone"]) and pd.isna(priya["hours_available"]) and priya["name"] == "Priya Nair"
    warnings = {(w.row_number, w.column): w for w in result.warnings}
    assert set(warnings) == {(4, TZ_QUESTION), (7, TZ_QUESTION), (7, "How many hours a week can you commit?")}
    paris = warnings[(7, TZ_QUESTION)]
    assert (paris.value, paris.code) == ("Paris time", "bad_timezone")
    assert paris.message.startswith(
        f"Sheet 'google_forms_applications', row 7, column '{TZ_QUESTION}': 'Paris time' "
        "is not a time zone; write a place such as Europe/Paris"
    )
    assert "stored with timezone empty" in paris.message and "import again" in paris.message
    est = warnings[(4, TZ_QUESTION)]
    assert (
        est.code == "check_timezone" and "ignores daylight saving" in est.message and "America/New_York" in est.message
    )
    # Only the unreadable required e-mail rejects a row.
    [rejection] = result.rejections
    assert (rejection.row_number, rejection.column, rejection.code) == (8, "Email Address", "bad_email")
    stored = reads.import_warnings_frame(empty_url, 1)
    assert sorted(zip(stored["row_number"], stored["column"])) == sorted(warnings)


def test_the_command_line_lists_warnings_beside_rejects_and_says_so_in_json(empty_url, run_cli):
    config = str(EXAMPLE_CONFIG_PATH)
    code, out, _ = run_cli(empty_url, "--config", config, "import", str(FORMS_CSV), "--table", "applications")
    assert code == 3  # stored, with a rejected row
    assert "7 read, 6 stored (6 new, 0 changed, 0 unchanged), 1 rejected, 2 with warnings." in out
    assert "Rejected: Sheet 'google_forms_applications', row 8, column 'Email Address': 'jules(at)example.org'" in out
    assert f"Warning: Sheet 'google_forms_applications', row 7, column '{TZ_QUESTION}': 'Paris time'" in out
    code, out, _ = run_cli(empty_url, "--config", config, "import", str(FORMS_CSV), "--table", "applications", "--json")
    summary = json.loads(out)
    assert code == 3 and summary["status"] == "stored_with_rejects"
    assert summary["rows_read"] == summary["rows_stored"] + summary["rows_rejected"] == 7
    assert [(w["row_number"], w["value"]) for w in summary["warnings"]] == [(4, "EST"), (7, "Paris time"), (7, "lots")]
    assert all("position" not in w for w in summary["warnings"] + summary["rejections"])


def test_a_zipped_forms_download_is_read_as_it_is(empty_url, settings, tmp_path):
    path = tmp_path / "Djangonaut Space application.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FORMS_CSV, "Djangonaut Space application.csv")
    [sheet] = read_sheets(path)
    assert sheet.name == "Djangonaut Space application" and len(sheet.frame) == 7
    assert sheet.frame.equals(read_sheets(FORMS_CSV)[0].frame)


def test_warnings_alone_exit_0_with_their_own_status(empty_url, tmp_path, run_cli):
    frame = read_sheets(FORMS_CSV)[0].frame
    path = tmp_path / "no-rejects.csv"
    frame[frame["Email Address"] != "jules(at)example.org"].to_csv(path, index=False)
    code, out, _ = run_cli(
        empty_url, "--config", str(EXAMPLE_CONFIG_PATH), "import", str(path), "--table", "applications", "--json"
    )
    summary = json.loads(out)
    assert code == 0 and summary["status"] == "stored_with_warnings" and summary["rows_with_warnings"] == 2


# --- 4. Checkbox options that hold a comma --------------------------------------------------------

PROJECTS = "Which projects would you like to work on?"


def test_checkbox_answers_are_split_between_options_not_at_every_comma(empty_url, settings):
    import_file(empty_url, settings, SHEETS_CSV)  # Google Sheets joins checkbox answers with ', '
    chosen = session_table(empty_url, "applications").set_index("email")["project_preferences"]
    assert chosen["ana.costa@example.org"] == ["Django", "Django (docs, translations)"]  # brackets are never cut
    assert chosen["ravi.k@example.org"] == ["Translations, docs and i18n"]  # a whole answer ...
    assert chosen["tom.b@example.org"] == ["Django", "Translations, docs and i18n", "Wagtail"]  # ... is one option
    # Nobody ticked 'Accessibility, testing and CI' alone, so nothing in the answers says it is one option.
    assert chosen["maria.s@example.org"] == ["Wagtail", "Accessibility", "testing and CI"]


def test_checkbox_options_from_the_config_settle_what_the_answers_cannot(empty_url, settings):
    options = {"applications": {"project_preferences": ["Django", "Wagtail", "Accessibility, testing and CI"]}}
    import_file(empty_url, with_overrides(settings, options=options), SHEETS_CSV)
    chosen = session_table(empty_url, "applications").set_index("email")["project_preferences"]
    assert chosen["maria.s@example.org"] == ["Wagtail", "Accessibility, testing and CI"]
    assert chosen["tom.b@example.org"] == ["Django", "Translations, docs and i18n", "Wagtail"]


def test_google_forms_download_joins_checkbox_answers_with_semicolons(empty_url, settings):
    import_file(empty_url, settings, FORMS_CSV)
    chosen = session_table(empty_url, "applications").set_index("email")["project_preferences"]
    assert chosen["ana.costa@example.org"] == ["Django", "Django (docs, translations)"]
    assert chosen["maria.s@example.org"] == ["django CMS", "Wagtail"]


# --- 5. The site's Full CSV and Single Scorer CSV -------------------------------------------------


def test_the_sites_full_csv_reads_choice_keys_as_the_answers_they_stand_for(empty_url, site_config, run_cli):
    assert (
        SITE_CSV.read_bytes().startswith(b"\xef\xbb\xbfResponse ID,Submitter Name,")
        and b"\r\n" in SITE_CSV.read_bytes()
    )
    code, out, _ = run_cli(
        empty_url, "--config", str(site_config), "djangonaut-space", "import", str(SITE_CSV), "--json"
    )
    summary = json.loads(out)
    assert code == 0 and summary["status"] == "stored"
    apps = summary["tables"]["applications"]
    assert (apps["rows_read"], apps["rows_stored"], apps["rows_rejected"]) == (3, 3, 0)  # today: 2 of 3 rejected
    assert summary["notes"] == []  # the e-mail question is used: no placeholder addresses, no wrong notice
    stored = session_table(empty_url, "applications").set_index("response_id")
    assert stored["email"].to_dict() == {
        "101": "ada@example.org",
        "102": "grace@example.org",
        "103": "linus@example.org",
    }
    assert stored.loc["101", "experience_level"] == "Some experience"  # some_experience
    # prefer_not_to_say is unknown (not an error), not_yet is no, yes is yes.
    assert stored["contributed_before"].tolist() == [True, None, False]
    assert stored["tutorial_completed"].tolist() == [True, False, True]
    assert stored["underrepresented"].tolist() == [None, True, False]
    assert stored.loc["101", "project_preferences"] == ["Django", "Django debug toolbar"]
    assert stored.loc["102", "timezone"] == "UTC+05:30" and stored.loc["103", "timezone"] == "Etc/GMT+4"
    assert stored.loc["101", "resilience"].startswith(
        "My first PR failed CI for a week; I asked"
    )  # free text as written
    assert stored.loc["103", "name"] == "linus@example.org"  # the site's Submitter Name falls back to the e-mail


def test_configured_options_turn_the_sites_keys_back_into_their_exact_labels(empty_url, settings):
    from dashboard.commands.djangonaut_space import import_full_export
    from data_sources.djangonaut_space import read_full_export

    mapping = {
        "applications": {
            "Which projects would you like to work on?": "project_preferences",
            "How would you describe your experience with Django?": "experience_level",
        }
    }
    options = {
        "applications": {
            "project_preferences": ["Django", "Django Debug Toolbar", "django CMS", "Wagtail"],
            "experience_level": ["Beginner", "Some experience", "Experienced"],
        }
    }
    import_full_export(
        empty_url,
        with_overrides(settings, mapping=mapping, options=options),
        read_full_export(SITE_CSV),
        source="djangonaut_space:full.csv",
    )
    stored = session_table(empty_url, "applications").set_index("response_id")
    assert stored["project_preferences"].to_dict() == {
        "101": ["Django", "Django Debug Toolbar"],
        "102": ["django CMS"],
        "103": ["Django", "Wagtail"],
    }


def test_without_an_email_question_the_submitter_name_that_is_an_email_is_used(empty_url, settings, tmp_path):
    from data_sources.djangonaut_space import PLACEHOLDER_DOMAIN, read_full_export

    with SITE_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row[:2] + row[3:] for row in csv.reader(handle)]  # the form asked no e-mail question
    path = tmp_path / "no-email.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    export = read_full_export(path)
    assert export.applications.frame["email"].tolist() == [
        f"response-101@{PLACEHOLDER_DOMAIN}",
        f"response-102@{PLACEHOLDER_DOMAIN}",
        "linus@example.org",
    ]
    assert export.notes and "2 application(s) got placeholder addresses" in export.notes[0]


def test_a_rejected_application_takes_its_reviews_and_decision_with_it(empty_url, site_config, run_cli):
    code, out, _ = run_cli(
        empty_url, "--config", str(site_config), "djangonaut-space", "import", str(SCORED_CSV), "--json"
    )
    summary = json.loads(out)
    assert code == 3 and summary["status"] == "stored_with_rejects"
    tables = summary["tables"]
    for table in tables.values():
        assert table["rows_read"] == table["rows_stored"] + table["rows_rejected"]
    # Row 5 (response 104) has an empty e-mail answer: the application, its 3 scores and its rank are all rejected.
    assert [(r["row_number"], r["code"]) for r in tables["applications"]["rejections"]] == [(5, "missing_email")]
    assert [(r["row_number"], r["code"]) for r in tables["reviews"]["rejections"]] == [(5, "application_rejected")] * 3
    [decision] = tables["decisions"]["rejections"]
    assert decision["reason"] == (
        "Sheet 'organisers_scored_full_export (ranks)', row 5: the application in row 5 of sheet "
        "'organisers_scored_full_export' was rejected, so its decision is not stored either; "
        "fix that row (see its reason) and import again."
    )
    assert "104" not in set(session_table(empty_url, "reviews")["response_id"])
    assert "104" not in set(session_table(empty_url, "decisions")["response_id"])
    # The organisers' own Score is kept on the decision; Selection Rank, a tier, sets status and rank.
    decisions = session_table(empty_url, "decisions").set_index("response_id")
    assert decisions[["status", "rank", "score"]].to_dict("index") == {
        "101": {"status": "accepted", "rank": 1, "score": 13.0},
        "102": {"status": "waitlisted", "rank": 4, "score": 10.0},
        "103": {"status": "rejected", "rank": 5, "score": 4.0},
        "105": {"status": "accepted", "rank": 2, "score": 9.0},
    }
    assert any("2 accepted (0-2), 1 waitlisted (3), 1 rejected (4+)" in note for note in summary["notes"])
    reviews = session_table(empty_url, "reviews")
    assert sorted(set(reviews["reviewer"])) == ["Rachel", "Sarah", "Tim Schilling"]


def test_the_single_scorer_csv_is_one_scorers_reviews_not_reviewers_named_after_questions(
    empty_url, site_config, run_cli
):
    config = ["--config", str(site_config), "djangonaut-space", "import"]
    run_cli(empty_url, *config, str(SITE_CSV))
    code, _, err = run_cli(empty_url, *config, str(SINGLE_SCORER_CSV))
    assert code == 1 and "Single Scorer CSV" in err and "--reviewer NAME" in err
    code, out, _ = run_cli(empty_url, *config, str(SINGLE_SCORER_CSV), "--reviewer", "Sarah", "--json")
    summary = json.loads(out)
    reviews = summary["tables"]["reviews"]
    assert code == 3 and summary["scorers"] == ["Sarah"]
    assert (reviews["rows_read"], reviews["rows_stored"], reviews["rows_rejected"]) == (3, 2, 1)  # 103 was not scored
    [orphan] = reviews["rejections"]
    assert (orphan["row_number"], orphan["code"], orphan["value"]) == (5, "no_application", "107")
    assert "there is no application '107' in 2026 Session 6" in orphan["reason"]
    stored = session_table(empty_url, "reviews").set_index("response_id")
    assert set(stored["reviewer"]) == {"Sarah"}  # never 'Why do you want to join Djangonaut Space?'
    assert stored["overall"].to_dict() == {"101": 4.5, "102": 3.0}  # the mean of the answers' scores


def test_a_single_scorer_question_mapped_to_a_criterion_scores_that_criterion(empty_url, settings):
    from dashboard.commands.djangonaut_space import import_full_export, import_single_scorer
    from data_sources.djangonaut_space import read_full_export, read_site_export

    import_full_export(empty_url, settings, read_full_export(SITE_CSV), source="site")
    mapping = {
        **settings.section("mapping"),
        "reviews": {"Why do you want to join Djangonaut Space? Score": "motivation"},
    }
    [result] = import_single_scorer(
        empty_url,
        with_overrides(settings, mapping=mapping),
        read_site_export(SINGLE_SCORER_CSV, "sarah@example.org"),
        source="site-single",
    )
    assert result.columns_not_mapped == []
    stored = session_table(empty_url, "reviews").set_index("response_id")
    assert stored.loc["101", "scores"] == {"motivation": 4} and stored.loc["101", "overall"] == 5.0


# --- 6. Back to the site: what its score import accepts and means -----------------------------------


def site_score_import(text: str) -> list[tuple[int, int, int]]:
    """The checks of the site's SurveyCSVImportForm.clean_csv_file (home/forms.py), which refuses the file on one error."""
    reader = csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig")))
    assert {"Response ID", "Score", "Selection Rank"} <= set(reader.fieldnames or [])
    updates = []
    for row in reader:
        values = [row["Response ID"].strip(), row["Score"].strip(), row["Selection Rank"].strip()]
        assert all(values), f"the site would skip this row: {row}"
        updates.append(tuple(int(v) for v in values))  # ValueError here: the site refuses the whole file
    return updates


def test_the_export_is_what_the_sites_score_import_accepts_and_means(empty_url, site_config, tmp_path, run_cli):
    config = ["--config", str(site_config), "djangonaut-space"]
    run_cli(empty_url, *config, "import", str(SCORED_CSV))
    out_file = tmp_path / "scores.csv"
    code, out, _ = run_cli(empty_url, *config, "export", "-o", str(out_file))
    assert code == 0 and "Left out: 1 pending (the site keeps what it had for them)." in out  # 106 has no decision
    # Tiers as the site means them: accepted 0-2 (here the site's own 0 and 1 come back), waitlisted 3, rejected 4;
    # the organisers' own Score comes back unchanged, as an integer.
    assert site_score_import(out_file.read_text(encoding="utf-8")) == [
        (101, 13, 0),
        (105, 9, 1),
        (102, 10, 3),
        (103, 4, 4),
    ]


def test_scores_and_tiers_from_decisions_made_in_mission_control(empty_url, settings):
    from dashboard.commands.djangonaut_space import export_decisions, import_full_export
    from dashboard.selection import DecisionChange, save_decisions
    from data_sources.djangonaut_space import read_full_export

    import_full_export(empty_url, settings, read_full_export(SITE_CSV), source="site")  # no scores, no ranks yet
    reviews = pd.DataFrame(
        [
            {"response_id": rid, "reviewer": who, "overall": str(score)}
            for rid, scores in {"101": (4, 5, 4), "102": (3, 3, None), "103": (2, 3, 2)}.items()
            for who, score in zip(("Sarah", "Tim", "Rachel"), scores)
            if score is not None
        ]
    )
    import_tables(empty_url, settings, [TableInput("reviews", reviews, "Scores")], source="sheet")
    save_decisions(
        empty_url,
        1,
        [
            DecisionChange("101", "accepted", 1),
            DecisionChange("103", "accepted", 2),
            DecisionChange("102", "rejected", 3),
        ],
        actor="organiser@example.org",
    )
    text, rows, left_out = export_decisions(empty_url, settings)
    # Score on the summed scale of a full panel of 3: 101 = 4+5+4, 102 = mean 3 x 3, 103 = 2+3+2.
    assert site_score_import(text) == [(101, 13, 0), (103, 7, 1), (102, 9, 4)] and rows == 3 and left_out == ""


# --- 7. Files as organisers save them: Excel's CSV, title rows, extra sheets ----------------------

CHECKIN_HEADERS = [
    "Timestamp",
    "Email Address",
    "Which week is this check-in for?",
    "How many hours did you spend on Djangonaut Space this week?",
    "How is your energy this week? (1 = drained, 5 = full of energy)",
    "Is anything blocking you?",
]
CHECKINS = [
    ["10/5/2026 14:05:33", "zoe@example.org", "2", "3h", "4", "No"],
    ["10/6/2026 9:01:02", "Émile.Dubois@example.org", "2", "3-4", "3", "Waiting on review, CI flaky"],
    ["10/7/2026 22:00:00", "ana(at)example.org", "2", "~5", "5", ""],
    ["10/8/2026 8:00:00", "jo@example.org", "2", "3,5", "4", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def stored_checkins(url: str) -> dict[str, float]:
    return session_table(url, "checkins").set_index("email")["hours"].to_dict()


def assert_checkins_stored(url: str, result: ImportResult, bad_row: int) -> None:
    """The three good rows stored with their hours, the bad e-mail rejected at the row the spreadsheet shows."""
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (4, 3, 1)
    assert stored_checkins(url) == {"zoe@example.org": 3.0, "émile.dubois@example.org": 3.5, "jo@example.org": 3.5}
    [rejection] = result.rejections
    assert (rejection.row_number, rejection.column) == (bad_row, "Email Address")
    assert rejection.reason.startswith(f"Sheet '{result.sheet}', row {bad_row}, column 'Email Address':")


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8-sig", ","), ("cp1252", ","), ("utf-8-sig", ";"), ("cp1252", ";")],
    ids=["excel-utf8", "excel-windows", "excel-european", "excel-european-windows"],
)
def test_csv_saved_by_excel_in_any_locale_is_read(empty_url, settings, tmp_path, encoding, delimiter):
    """Excel's 'CSV' on Windows is Windows-1252, and in European locales its cells are separated by ';'."""
    path = write_csv(tmp_path / "checkins.csv", [CHECKIN_HEADERS, *CHECKINS], encoding, delimiter)
    assert_checkins_stored(empty_url, import_file(empty_url, settings, path, "checkins"), bad_row=4)


def test_a_title_row_above_the_headers_is_skipped_and_rows_keep_their_numbers(empty_url, settings, tmp_path):
    title = ["Djangonaut Space check-ins, Session 6"]
    path = write_csv(tmp_path / "checkins.csv", [title, [], CHECKIN_HEADERS, *CHECKINS])
    assert_checkins_stored(empty_url, import_file(empty_url, settings, path, "checkins"), bad_row=6)


def test_an_xlsx_with_a_title_row_real_datetimes_and_extra_sheets(empty_url, settings, tmp_path):
    """Google Sheets' File > Download > XLSX: 'Form Responses 1' with real date cells, beside a pivot and notes."""
    import openpyxl

    book = openpyxl.Workbook()
    responses = book.active
    responses.title = "Form Responses 1"
    responses.append(["Session 6 check-ins"])
    responses.append(CHECKIN_HEADERS)
    for stamp, *rest in CHECKINS:
        responses.append([datetime.strptime(stamp, "%m/%d/%Y %H:%M:%S"), *rest[:1], int(rest[1]), *rest[2:]])
    book.create_sheet("Pivot Table 1").append(["Week", "COUNTA of Email Address"])
    book.create_sheet("Notes").append(["Chase Jo about week 3"])
    path = tmp_path / "Check-ins (Responses).xlsx"
    book.save(path)
    result = import_file(empty_url, settings, path, "checkins")
    assert_checkins_stored(empty_url, result, bad_row=5)
    stamps = session_table(empty_url, "checkins").set_index("email")["submitted_at"]
    assert stamps["zoe@example.org"].to_pydatetime() == datetime(2026, 10, 5, 14, 5, 33)


def test_a_synced_tab_with_a_title_row_is_read_from_its_headers():
    from data_sources.google_sheets import raw_sheet

    values = [["Session 6 check-ins"], [], CHECKIN_HEADERS, CHECKINS[0]]
    sheet = raw_sheet("Check-ins", {"range": "'Check-ins'!A1:F4", "values": values})
    assert list(sheet.frame.columns) == CHECKIN_HEADERS and sheet.row_numbers == [4]


# --- 8. Timestamps a file's locale, a number format or a day-first sheet gives -------------------


def checkins_with_stamps(tmp_path: Path, stamps: list[str]) -> Path:
    """The check-ins with these timestamps and no week: the week is worked out from the timestamp."""
    rows = [[stamp, email, "", hours, energy, ""] for stamp, (_, email, _, hours, energy, _) in zip(stamps, CHECKINS)]
    return write_csv(tmp_path / "checkins.csv", [CHECKIN_HEADERS, *rows])


@pytest.mark.parametrize(
    "raw, utc",
    [
        ("46300.5871875", datetime(2026, 10, 5, 14, 5, 33)),  # a date serial: an XLSX cell without its date format
        ("46300", datetime(2026, 10, 5)),
        ("5.10.2026 14:05:33", datetime(2026, 10, 5, 14, 5, 33)),  # de_DE: dots always put the day first
        ("05.10.26 14:05", datetime(2026, 10, 5, 14, 5)),
    ],
)
def test_serial_numbers_and_dotted_dates_read_the_same_in_every_order(raw, utc):
    assert {parse_datetime(raw, order) for order in ("MDY", "DMY", "YMD")} == {utc}


def test_a_column_whose_dates_are_only_day_first_is_read_day_first_with_a_warning(empty_url, settings, tmp_path):
    """An en_GB sheet imported with the default MDY order: 05/10 was read as 10 May, silently."""
    stamps = ["05/10/2026 14:05:33", "13/10/2026 09:01:02", "07/10/2026 22:00:00", "08/10/2026 08:00:00"]
    result = import_file(empty_url, settings, checkins_with_stamps(tmp_path, stamps), "checkins")
    assert result.rows_stored == 3  # the bad e-mail is still rejected
    stored = session_table(empty_url, "checkins").set_index("email")
    assert stored.loc["zoe@example.org", "submitted_at"].to_pydatetime() == datetime(2026, 10, 5, 14, 5, 33)
    assert stored["week"].to_dict() == {"zoe@example.org": 2, "émile.dubois@example.org": 3, "jo@example.org": 2}
    [warning] = result.warnings
    assert (warning.row_number, warning.column, warning.code) == (3, "Timestamp", "check_datetime")
    assert warning.message.startswith("Sheet 'checkins', row 3, column 'Timestamp': '13/10/2026 09:01:02' is only")
    assert 'set [import] date_order = "DMY"' in warning.message


def test_a_day_first_column_that_reads_either_way_says_which_setting_to_change(empty_url, settings, tmp_path):
    stamps = ["05/10/2026 14:05:33", "06/10/2026 09:01:02", "07/10/2026 22:00:00", "08/10/2026 08:00:00"]
    result = import_file(empty_url, settings, checkins_with_stamps(tmp_path, stamps), "checkins")
    assert result.rows_stored == 0
    reason = result.rejections[0].reason
    assert "submitted on 2026-05-10, before the session started" in reason
    assert 'read month first (MDY): if the sheet writes the day first, set [import] date_order = "DMY"' in reason


# --- 9. A question asked twice, a form sent twice --------------------------------------------------

HOURS_QUESTION = CHECKIN_HEADERS[3]


def test_a_question_edited_mid_form_is_read_from_whichever_column_each_row_answered(empty_url, settings, tmp_path):
    """Deleting and re-adding a question gives a second column with the same text; later rows fill only that."""
    headers = [*CHECKIN_HEADERS[:4], HOURS_QUESTION, *CHECKIN_HEADERS[4:]]
    rows = [row[:3] + ([row[3], ""] if i < 2 else ["", row[3]]) + row[4:] for i, row in enumerate(CHECKINS)]
    rows[3][3] = "4"  # Jo answered both: the first column's answer is used, with a warning
    result = import_file(empty_url, settings, write_csv(tmp_path / "checkins.csv", [headers, *rows]), "checkins")
    assert stored_checkins(empty_url) == {"zoe@example.org": 3.0, "émile.dubois@example.org": 3.5, "jo@example.org": 4}
    assert result.columns_not_mapped == []
    [warning] = result.warnings
    assert (warning.row_number, warning.column, warning.code) == (5, f"{HOURS_QUESTION}.1", "twin_answer")
    assert f"the answer in '{HOURS_QUESTION}' was used" in warning.message


def test_an_email_question_beside_the_collected_email_address(empty_url, settings, tmp_path):
    """Forms' 'Collect email addresses' column and a question 'Email address' the organisers added themselves."""
    headers = ["Timestamp", "Email Address", "Email address", "Which week is this check-in for?"]
    rows = [["10/5/2026 14:05:33", "zoe@example.org", "", "2"], ["10/6/2026 9:01:02", "", "jo@example.org", "2"]]
    result = import_file(empty_url, settings, write_csv(tmp_path / "checkins.csv", [headers, *rows]), "checkins")
    assert (result.rows_stored, result.rows_rejected) == (2, 0)
    assert set(stored_checkins(empty_url)) == {"zoe@example.org", "jo@example.org"}


def test_a_resubmitted_application_is_one_application_and_the_earlier_row_says_so(empty_url, settings, tmp_path):
    headers = ["Timestamp", "Email Address", "How many hours a week can you commit?"]
    rows = [
        ["9/5/2026 18:31:58", "zoe@example.org", "3"],
        ["9/6/2026 10:00:00", "jo@example.org", "4"],
        ["9/7/2026 09:15:00", "Zoe@Example.org", "5"],
    ]
    result = import_file(empty_url, settings, write_csv(tmp_path / "applications.csv", [headers, *rows]))
    apps = session_table(empty_url, "applications")
    assert sorted(apps["email"]) == ["jo@example.org", "zoe@example.org"]
    assert apps.set_index("email").loc["zoe@example.org", "hours_available"] == 5  # the later answer
    [rejection] = result.rejections
    assert (rejection.row_number, rejection.code) == (2, "duplicate")
    assert "row 4 has the same email zoe@example.org; the later answer is kept" in rejection.reason


def test_a_workbook_that_starts_with_a_notes_sheet_imports_its_responses_sheet(empty_url, tmp_path, run_cli):
    import openpyxl

    from dashboard.file_import import read_upload

    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["Responses are in the next tab; do not sort them."])
    responses = book.create_sheet("Form Responses 1")
    for row in [CHECKIN_HEADERS, *CHECKINS]:
        responses.append(row)
    path = tmp_path / "Check-ins.xlsx"
    book.save(path)
    assert read_upload(path.name, path.read_bytes()).name == "Form Responses 1"  # the Data page's upload
    code, out, _ = run_cli(
        empty_url, "--config", str(EXAMPLE_CONFIG_PATH), "import", str(path), "--table", "checkins", "--json"
    )
    summary = json.loads(out)
    assert code == 3 and (summary["sheet"], summary["rows_stored"], summary["rows_rejected"]) == (
        "Form Responses 1",
        3,
        1,
    )


# --- 10. A file for the wrong table ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path, table, belongs", [("checkins", "applications", "checkins"), (FORMS_CSV, "checkins", "applications")]
)
def test_a_file_for_another_table_is_refused_with_a_sentence_saying_which(
    empty_url, tmp_path, run_cli, path, table, belongs
):
    """A check-in export imported as applications was stored as five applications (and the reverse as check-ins)."""
    if path == "checkins":
        path = write_csv(tmp_path / "checkins.csv", [CHECKIN_HEADERS, *CHECKINS])
    config = str(EXAMPLE_CONFIG_PATH)
    code, out, _ = run_cli(empty_url, "--config", config, "import", str(path), "--table", table, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error.startswith(f"Sheet '{Path(path).stem}' looks like {belongs}, not {table}:")
    assert f"Import it as {belongs} (--table {belongs}" in error
    assert session_table(empty_url, table).empty
    code, _, _ = run_cli(empty_url, "--config", config, "import", str(path), "--table", belongs)
    assert code == 3  # each file has one bad e-mail


# --- 11. Each applicant's time zone is theirs, not the next row's sheet time zone -----------------


def test_timestamps_stay_in_the_sheets_time_zone_after_an_applicant_with_an_availability_grid(
    empty_url, settings, tmp_path
):
    """The grid's time zone replaced the sheet's: each later timestamp was read in the previous applicant's zone."""
    grid = "When are you available? (your local time)"
    headers = ["Timestamp", "Email Address", TZ_QUESTION, f"{grid} [Monday]", f"{grid} [Tuesday]"]
    rows = [
        ["9/5/2026 18:31:58", "ana@example.org", "Europe/Madrid", "6:00 PM - 9:00 PM", ""],
        ["9/5/2026 19:31:58", "ravi@example.org", "Asia/Kolkata", "", "6:00 PM - 9:00 PM"],
        ["9/6/2026 7:00:00 AM", "cy@example.org", "UTC-3", "9:00 AM - 12:00 PM", ""],
    ]
    import_file(empty_url, settings, write_csv(tmp_path / "applications.csv", [headers, *rows]))
    apps = session_table(empty_url, "applications").set_index("email")
    assert {email: stamp.to_pydatetime() for email, stamp in apps["submitted_at"].items()} == {
        "ana@example.org": datetime(2026, 9, 5, 18, 31, 58),  # [import] timezone = "UTC"
        "ravi@example.org": datetime(2026, 9, 5, 19, 31, 58),
        "cy@example.org": datetime(2026, 9, 6, 7, 0, 0),
    }
    assert all(len(slots) == 6 for slots in apps["availability"])  # each grid in its own person's zone


# --- 12. Other spreadsheet programs' files ----------------------------------------------------------


def write_ods(path: Path) -> Path:
    """LibreOffice Calc's own format."""
    pd.DataFrame(CHECKINS, columns=CHECKIN_HEADERS).to_excel(path, index=False, engine="odf")
    return path


def write_unicode_text(path: Path) -> Path:
    """Excel's 'Unicode Text': UTF-16 with its byte-order mark, cells between tabs."""
    path.write_bytes("\r\n".join("\t".join(row) for row in [CHECKIN_HEADERS, *CHECKINS]).encode("utf-16"))
    return path


@pytest.mark.parametrize(
    "name, write",
    [
        ("checkins.ods", write_ods),
        ("checkins.txt", write_unicode_text),
        ("checkins.tsv", lambda path: write_csv(path, [CHECKIN_HEADERS, *CHECKINS], delimiter="\t")),  # Sheets' .tsv
    ],
)
def test_libreoffice_ods_excel_unicode_text_and_sheets_tsv_are_read(empty_url, settings, tmp_path, name, write):
    result = import_file(empty_url, settings, write(tmp_path / name), "checkins")
    assert_checkins_stored(empty_url, result, bad_row=4)


def test_an_empty_file_says_so(tmp_path):
    from dashboard.file_import import read_file
    from data_sources.files import FileReadError

    path = tmp_path / "responses.csv"
    path.write_bytes(b"")
    with pytest.raises(
        FileReadError, match=r"^Sheet 'responses' of responses.csv is empty \(no header row\); download"
    ):
        read_file(path)


def scored_as_workbook(path: Path) -> Path:
    """The organisers' scored sheet downloaded as XLSX: a notes sheet first, a title row above the headers."""
    import openpyxl

    rows = list(csv.reader(io.StringIO(SCORED_CSV.read_text(encoding="utf-8-sig"))))
    book = openpyxl.Workbook()
    book.active.title = "How we score"
    book.active.append(["1 = weak, 5 = strong; rank 0-2 accept"])
    scores = book.create_sheet("Scoring")
    for row in [["Session 6 applications, scored"], *rows]:
        scores.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    "write",
    [
        scored_as_workbook,
        lambda path: write_csv(  # re-saved by Excel in a European locale
            path,
            list(csv.reader(io.StringIO(SCORED_CSV.read_text(encoding="utf-8-sig")))),
            encoding="cp1252",
            delimiter=";",
        ),
    ],
    ids=["xlsx-with-notes-and-title", "excel-european-csv"],
)
def test_the_sites_scored_export_after_a_round_through_a_spreadsheet(empty_url, site_config, run_cli, tmp_path, write):
    path = write(tmp_path / ("scored.xlsx" if write is scored_as_workbook else "scored.csv"))
    code, out, _ = run_cli(empty_url, "--config", str(site_config), "djangonaut-space", "import", str(path), "--json")
    tables = json.loads(out)["tables"]
    assert code == 3 and [r["code"] for r in tables["applications"]["rejections"]] == ["missing_email"]
    assert tables["applications"]["rows_stored"] == 5 and tables["reviews"]["rows_stored"] == 8
    decisions = session_table(empty_url, "decisions").set_index("response_id")
    assert decisions.loc["101", "status"] == "accepted" and decisions.loc["102", "score"] == 10.0


def test_a_form_resubmitted_after_an_import_updates_the_stored_application_and_keeps_its_id(
    empty_url, settings, tmp_path
):
    """The next sync stored the resubmission as a second application of the same person."""
    headers = ["Timestamp", "Email Address", "How many hours a week can you commit?"]
    first = [["9/5/2026 18:31:58", "zoe@example.org", "3"], ["9/6/2026 10:00:00", "jo@example.org", "4"]]
    path = tmp_path / "applications.csv"
    import_file(empty_url, settings, write_csv(path, [headers, *first]))
    [zoe_id] = session_table(empty_url, "applications").query("email == 'zoe@example.org'")["response_id"]
    result = import_file(
        empty_url, settings, write_csv(path, [headers, *first, ["9/9/2026 8:00:00", "zoe@example.org", "6"]])
    )
    apps = session_table(empty_url, "applications").set_index("email")
    assert sorted(apps.index) == ["jo@example.org", "zoe@example.org"]
    assert (apps.loc["zoe@example.org", "response_id"], apps.loc["zoe@example.org", "hours_available"]) == (zoe_id, 6)
    assert (result.rows_updated, result.rows_unchanged, [r.code for r in result.rejections]) == (1, 1, ["duplicate"])


def test_the_data_pages_mapping_of_a_question_edited_mid_form_reads_both_columns(empty_url, settings, tmp_path):
    """The suggestion keeps the second column out; saving that must not lose the later rows' answers."""
    from dashboard import mapping
    from dashboard.file_import import import_file as import_upload, read_file

    headers = [*CHECKIN_HEADERS[:4], HOURS_QUESTION, *CHECKIN_HEADERS[4:]]
    rows = [row[:3] + ([row[3], ""] if i < 2 else ["", row[3]]) + row[4:] for i, row in enumerate(CHECKINS)]
    raw = read_file(write_csv(tmp_path / "checkins.csv", [headers, *rows]))
    known = [mapping.Known(q, t, "dashboard.toml") for q, t in settings.section("mapping")["checkins"].items()]
    suggested = {s.column: s for s in mapping.suggest(raw.frame, "checkins", known=known)}
    twin = suggested[f"{HOURS_QUESTION}.1"]
    assert twin.target == "" and twin.reason.startswith(f"a second column of '{HOURS_QUESTION}'")
    confirmed = {key: s.target for key, s in suggested.items()}
    import_upload(empty_url, settings, raw, "checkins", name="checkins.csv", mapping=confirmed)
    assert stored_checkins(empty_url) == {
        "zoe@example.org": 3.0,
        "émile.dubois@example.org": 3.5,
        "jo@example.org": 3.5,
    }
