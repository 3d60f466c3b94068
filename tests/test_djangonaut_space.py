"""Interop with Djangonaut Space's site: its Full CSV export in, decisions CSV out."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import cli, db as dbmod, models, reads
from dashboard.commands.djangonaut_space import import_full_export
from dashboard.config import EXAMPLE_CONFIG_PATH
from dashboard.exports import FORMULA_PREFIXES, decisions_csv, neutralise_formula, safe_csv
from data_sources.djangonaut_space import PLACEHOLDER_DOMAIN, read_full_export, scorer_columns, split_full_export
from data_sources.files import FileReadError, RawSheet

FULL_CSV = """Response ID,Submitter Name,Email Address,Why do you want to join Djangonaut Space?,How many hours a week can you commit?,Ada score,Bob Smith score,Score,Selection Rank
101,Ada L,ada@example.org,"=HYPERLINK(""http://evil.example"",""click"")","3,5",4,5,4.5,2
102,Grace H,grace@example.org,I love Django,6,3,,3,1
103,Linus T,linus@example.org,Because,4,2,2,2,
"""


@pytest.fixture
def full_csv(tmp_path):
    path = tmp_path / "full.csv"
    path.write_text(FULL_CSV, encoding="utf-8")
    return path


def session_id(url: str) -> int:
    with OrmSession(dbmod.get_engine(url)) as db:
        return db.scalar(select(models.Session.id).where(models.Session.name == "2026 Session 6"))


def test_scorer_columns_are_the_name_score_columns_but_not_score():
    assert scorer_columns(["Response ID", "Ada score", "Bob Smith Score", "Score", "Selection Rank"]) == {
        "Ada score": "Ada",
        "Bob Smith Score": "Bob Smith",
    }


def test_the_full_csv_splits_into_applications_reviews_and_ranks(full_csv):
    export = read_full_export(full_csv)
    assert export.scorers == ["Ada", "Bob Smith"]
    apps = export.applications.frame
    assert "Ada score" not in apps and "Score" not in apps and "Selection Rank" not in apps
    assert list(apps["Response ID"]) == ["101", "102", "103"]
    reviews = export.reviews.frame
    assert reviews.to_dict("records") == [
        {"response_id": "101", "reviewer": "Ada", "overall": "4"},
        {"response_id": "101", "reviewer": "Bob Smith", "overall": "5"},
        {"response_id": "102", "reviewer": "Ada", "overall": "3"},
        {"response_id": "103", "reviewer": "Ada", "overall": "2"},
        {"response_id": "103", "reviewer": "Bob Smith", "overall": "2"},
    ]
    assert export.reviews.row_numbers == [2, 2, 3, 4, 4]  # the CSV rows the scores came from
    # Score and Selection Rank (the site's tier) of every row that has either.
    assert export.decisions.frame.to_dict("records") == [
        {"response_id": "101", "tier": "2", "score": "4.5"},
        {"response_id": "102", "tier": "1", "score": "3"},
        {"response_id": "103", "tier": "", "score": "2"},
    ]
    assert export.notes == [] and export.email_column == "Email Address"


def test_import_fills_applications_reviews_and_ranks_and_reimport_changes_nothing(empty_url, settings, full_csv):
    export = read_full_export(full_csv)
    results = {r.table: r for r in import_full_export(empty_url, settings, export, source="djangonaut_space:full.csv")}
    assert (results["applications"].rows_stored, results["reviews"].rows_stored, results["decisions"].rows_stored) == (
        3,
        5,
        3,
    )
    sid = session_id(empty_url)
    apps = reads.load_table(empty_url, sid, "applications").set_index("response_id")
    assert apps.loc["101", "name"] == "Ada L" and apps.loc["101", "hours_available"] == 3.5
    assert apps.loc["101", "motivation"].startswith("=HYPERLINK")  # stored as the applicant wrote it
    reviews = reads.load_table(empty_url, sid, "reviews")
    assert dict(zip(reviews["reviewer"] + "/" + reviews["response_id"], reviews["overall"]))["Bob Smith/101"] == 5
    decisions = reads.load_table(empty_url, sid, "decisions").set_index("response_id")
    # Tiers 1 and 2 are both "placed first": accepted, in that order; the organisers' Score is kept.
    assert decisions[["status", "score"]].to_dict("index") == {
        "101": {"status": "accepted", "score": 4.5},
        "102": {"status": "accepted", "score": 3.0},
        "103": {"status": "pending", "score": 2.0},
    }
    assert (
        decisions.loc["101", "rank"] == 3
        and decisions.loc["102", "rank"] == 2
        and pd.isna(decisions.loc["103", "rank"])
    )

    again = import_full_export(empty_url, settings, read_full_export(full_csv), source="djangonaut_space:full.csv")
    assert all(r.rows_inserted == 0 and r.rows_updated == 0 for r in again)


def test_an_export_without_emails_gets_placeholders_and_a_note(tmp_path):
    path = tmp_path / "no-email.csv"
    path.write_text("Response ID,Submitter Name,Ada score,Score,Selection Rank\n7,Kim,4,4,1\n", encoding="utf-8")
    export = read_full_export(path)
    assert export.applications.frame["email"].tolist() == [f"response-7@{PLACEHOLDER_DOMAIN}"]
    assert any("no e-mail question" in note for note in export.notes)


def test_a_file_without_response_ids_is_refused():
    sheet = RawSheet("other.csv", pd.DataFrame({"Name": ["x"]}), [2])
    with pytest.raises(FileReadError, match="no 'Response ID' column"):
        split_full_export(sheet)


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_neutralise_formula_prefixes_every_dangerous_start(prefix):
    assert neutralise_formula(prefix + "SUM(A1)") == "'" + prefix + "SUM(A1)"


@pytest.mark.parametrize("value", ["Django", "a=b", "", 3, 4.5, None])
def test_neutralise_formula_leaves_other_cells_alone(value):
    assert neutralise_formula(value) == value


def test_safe_csv_neutralises_headers_and_cells():
    text = safe_csv(pd.DataFrame({"=bad": ["@SUM(1)", "ok"], "n": [1.0, None]}))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=bad", "n"], ["'@SUM(1)", "1"], ["ok", ""]]


def test_decisions_csv_is_what_the_site_imports():
    decisions = pd.DataFrame(
        {
            "response_id": ["11", "12", "13", "r-4f2a"],
            "status": ["accepted", "rejected", "pending", "accepted"],
            "rank": [2, 1, None, 1],
            "team": [None] * 4,
        }
    )
    reviews = pd.DataFrame(
        {
            "response_id": ["11", "11", "11", "12"],
            "overall": [4.0, None, 1.0, 3.0],
            "scores": [None, {"motivation": 5, "resilience": 3}, None, None],
            "conflict_of_interest": [False, False, True, False],
        }
    )
    rows = list(csv.DictReader(io.StringIO(decisions_csv(decisions, reviews))))
    assert list(rows[0]) == ["Response ID", "Score", "Selection Rank"]
    # '11': the overall 4 and the criteria mean 4 (the conflicted review left out), on the scale of a panel of 2.
    # Pending '13' is left out, and so is 'r-4f2a': the site refuses a whole file for one id that is not a number.
    assert rows == [
        {"Response ID": "11", "Score": "8", "Selection Rank": "0"},
        {"Response ID": "12", "Score": "6", "Selection Rank": "4"},
    ]


def test_round_trip_through_the_command_line(empty_url, full_csv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", empty_url)
    config = str(EXAMPLE_CONFIG_PATH)
    assert cli.main(["--config", config, "djangonaut-space", "import", str(full_csv), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["scorers"] == ["Ada", "Bob Smith"] and summary["tables"]["reviews"]["rows_stored"] == 5
    out = tmp_path / "decisions.csv"
    assert cli.main(["--config", config, "djangonaut-space", "export", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    # The organisers' Score rounded to a whole number (4.5 -> 5); tiers 1 and 2 are both accepted, in that order.
    assert [(r["Response ID"], r["Score"], r["Selection Rank"]) for r in rows] == [("102", "3", "0"), ("101", "5", "1")]
    assert cli.main(["--config", config, "djangonaut-space", "import", str(tmp_path / "missing.csv")]) == 1
    capsys.readouterr()
    assert (
        cli.main(["--config", config, "djangonaut-space", "export", "-o", str(tmp_path / "no-such-dir" / "d.csv")]) == 1
    )
    assert "Could not write" in capsys.readouterr().err
