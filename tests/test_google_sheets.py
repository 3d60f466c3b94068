"""Google Sheets sync through the real gspread client against a loopback fake of the Sheets API."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import gspread
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from dashboard import config, db as dbmod, models, reads
from dashboard.config import EXAMPLE_CONFIG_PATH, PROJECT_ROOT, with_overrides
from dashboard.sync import (
    SyncError,
    configured_tabs,
    retry_policy,
    service_account_info as configured_key,
    sync_spreadsheet,
)
from data_sources import google_sheets as gs
from tests.fake_sheets import CLIENT_EMAIL, FakeSheets, demo_tab_config, demo_tabs, service_account_info

TABLES = ["people", "teams", "applications", "reviews", "decisions", "checkins", "surveys"]


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """Fail any test that so much as resolves a host other than the loopback server (e.g. Google)."""
    attempts = []
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if str(host) not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(host)
            raise OSError(f"tests must not reach {host}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield
    assert not attempts, f"a test tried to reach {attempts}"


@pytest.fixture(scope="module")
def workbook() -> dict[str, pd.DataFrame]:
    return demo_tabs(42, 1)


@pytest.fixture
def fake(workbook):
    server = FakeSheets(tabs={name: frame.copy() for name, frame in workbook.items()})
    server.start()
    yield server
    server.stop()


def sheet_settings(settings, fake, **sources):
    """The example config pointed at the fake, with a fast retry policy."""
    cfg = dict(settings.section("sources"))
    cfg.update(
        spreadsheet=fake.spreadsheet_url,
        sheets_api_url=fake.url,
        tabs=demo_tab_config(),
        request_timeout=0.5,
        max_attempts=3,
        retry_base_delay=0.01,
        retry_max_delay=0.05,
        retry_total_seconds=10,
    )
    cfg.update(sources)
    return with_overrides(settings, sources=cfg)


def secrets_for(fake):
    return {"gcp_service_account": service_account_info(fake.token_uri)}


def canonical_rows(url: str) -> dict[str, list]:
    """Every canonical row of the current demo session, comparable across syncs."""
    with OrmSession(dbmod.get_engine(url)) as db:
        session_id = db.scalar(select(models.Session.id).where(models.Session.name == "2026 Session 6"))
    return {t: sorted(map(repr, reads.load_table(url, session_id, t).to_dict("records"))) for t in TABLES}


def sync_runs(url: str) -> list[models.SyncRun]:
    with OrmSession(dbmod.get_engine(url)) as db:
        return list(db.scalars(select(models.SyncRun).order_by(models.SyncRun.id)))


# --- a sync -------------------------------------------------------------------------------


def test_sync_reads_every_tab_with_one_metadata_and_one_batch_request(empty_url, settings, fake, workbook):
    messages = []
    outcome = sync_spreadsheet(
        empty_url, sheet_settings(settings, fake), secrets=secrets_for(fake), progress=messages.append
    )
    assert fake.counts["metadata"] == 1 and fake.counts["batch"] == 1 and fake.counts["values"] == 0
    assert fake.api_requests == 2 and outcome.requests == 2
    assert fake.counts["token"] == 1
    assert fake.token_claims[0]["scope"] == "https://www.googleapis.com/auth/spreadsheets.readonly"
    assert fake.token_claims[0]["iss"] == CLIENT_EMAIL
    ranges = next(args["ranges"] for method, path, args in fake.log if path.endswith("values:batchGet"))
    assert "'Form Responses 1'" in ranges and "'Check-ins'" in ranges
    assert args_value(fake, "valueRenderOption") == "FORMATTED_VALUE"
    # Every non-blank row of every tab was read and either stored or rejected.
    results = {r.table: r for r in outcome.results}
    assert set(results) == set(TABLES)
    for table, result in results.items():
        raw = workbook[gs_title(table)]
        assert result.rows_read == len(raw) - result.rows_blank
        assert result.rows_stored + result.rows_rejected == result.rows_read
    with OrmSession(dbmod.get_engine(empty_url)) as db:
        session_id = db.scalar(select(models.Session.id).where(models.Session.name == "2026 Session 6"))
    counts = reads.table_counts(empty_url, session_id)
    assert all(counts[t] == results[t].rows_stored for t in TABLES)
    assert any("metadata" in m for m in messages) and any("Storing" in m for m in messages)


def args_value(fake, name):
    return next(args[name][0] for _, path, args in fake.log if path.endswith("values:batchGet"))


def gs_title(table):
    return demo_tab_config()[table]


def plant_bad_email(fake, position: int = 3) -> tuple[int, str, str]:
    """Make one check-in's e-mail unreadable (a required field: the row is rejected); its sheet row, column, old value."""
    frame = fake.tabs["Check-ins"]
    column = next(c for c in frame.columns if "email" in c.lower())
    original = frame.loc[position, column]
    frame.loc[position, column] = original.replace("@", " at ")
    return position + 2, column, original


def test_rejected_rows_and_warnings_are_reported_with_the_sheets_row_numbers(empty_url, settings, fake):
    row_number, column, _ = plant_bad_email(fake)
    outcome = sync_spreadsheet(empty_url, sheet_settings(settings, fake), secrets=secrets_for(fake))
    checkins = next(r for r in outcome.results if r.table == "checkins")
    assert [(r.row_number, r.column) for r in checkins.rejections] == [(row_number, column)]
    assert checkins.warnings, "the demo plants a check-in with unreadable hours: stored, with a warning"
    frame = fake.tabs["Check-ins"]
    for entry, text in [(r, r.reason) for r in checkins.rejections] + [(w, w.message) for w in checkins.warnings]:
        # Row 1 holds the headers, so sheet row n is frame row n - 2.
        sheet_row = frame.iloc[entry.row_number - 2]
        assert entry.value in set(sheet_row.astype(str))
        assert f"row {entry.row_number}" in text and "Check-ins" in text
    stored = reads.rejected_rows_frame(empty_url, _session_id(empty_url))
    assert set(stored["row_number"]) >= {r.row_number for r in checkins.rejections}
    warned = reads.import_warnings_frame(empty_url, _session_id(empty_url))
    assert set(warned["row_number"]) == {w.row_number for w in checkins.warnings}


def _session_id(url):
    with OrmSession(dbmod.get_engine(url)) as db:
        return db.scalar(select(models.Session.id).where(models.Session.name == "2026 Session 6"))


def test_second_sync_without_changes_changes_nothing(empty_url, settings, fake):
    cfg = sheet_settings(settings, fake)
    sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake))
    before = canonical_rows(empty_url)
    raw_before = _count(empty_url, models.RawRow)
    again = sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake))
    assert all(r.rows_inserted == 0 and r.rows_updated == 0 for r in again.results)
    assert sum(r.rows_unchanged for r in again.results) == sum(r.rows_stored for r in again.results) > 0
    assert canonical_rows(empty_url) == before
    assert _count(empty_url, models.RawRow) == raw_before


def test_an_edited_cell_updates_one_row(empty_url, settings, fake):
    cfg = sheet_settings(settings, fake)
    sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake))
    fake.tabs["Form Responses 1"].loc[3, "What is your name?"] = "Renamed Applicant"
    outcome = sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake))
    applications = next(r for r in outcome.results if r.table == "applications")
    assert (applications.rows_inserted, applications.rows_updated) == (0, 1)
    names = reads.load_table(empty_url, _session_id(empty_url), "applications")["name"]
    assert "Renamed Applicant" in set(names)


def test_a_cell_fixed_in_the_sheet_clears_its_rejection_and_an_unchanged_sync_keeps_the_version(
    empty_url, settings, fake
):
    cfg = sheet_settings(settings, fake)
    _, _, original = plant_bad_email(fake)
    first = next(
        r for r in sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake)).results if r.table == "checkins"
    )
    planted = first.rejections[0]
    listed = reads.rejected_rows_frame(empty_url, _session_id(empty_url))
    assert planted.row_number in set(listed[listed["sheet"] == "Check-ins"]["row_number"])
    version = dbmod.data_version(empty_url, _session_id(empty_url))
    sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake))
    assert dbmod.data_version(empty_url, _session_id(empty_url)) == version  # nothing changed: caches stay valid
    fake.tabs["Check-ins"].loc[planted.row_number - 2, planted.column] = original
    fixed = next(
        r for r in sync_spreadsheet(empty_url, cfg, secrets=secrets_for(fake)).results if r.table == "checkins"
    )
    assert planted.row_number not in {r.row_number for r in fixed.rejections}
    listed = reads.rejected_rows_frame(empty_url, _session_id(empty_url))
    assert planted.row_number not in set(listed[listed["sheet"] == "Check-ins"]["row_number"])
    assert dbmod.data_version(empty_url, _session_id(empty_url)) > version


def _count(url, model) -> int:
    with OrmSession(dbmod.get_engine(url)) as db:
        return len(db.scalars(select(model.id)).all())


def test_values_stay_strings_until_the_importer_reads_them(empty_url, settings, fake):
    """No gspread numericise: '3,5' is not 35 and a GitHub name '007' keeps its zeros."""
    apps = fake.tabs["Form Responses 1"]
    apps.loc[0, "How many hours a week can you commit?"] = "3,5"
    apps.loc[0, "GitHub username"] = "007"
    email = apps.loc[0, "Email Address"].strip().lower()
    sync_spreadsheet(
        empty_url, sheet_settings(settings, fake, tabs={"applications": "Form Responses 1"}), secrets=secrets_for(fake)
    )
    stored = reads.load_table(empty_url, _session_id(empty_url), "applications").set_index("email").loc[email]
    assert stored["hours_available"] == 3.5
    assert stored["github"] == "007"


def test_dates_are_read_in_the_spreadsheets_locale_and_time_zone(empty_url, settings, fake):
    frame = fake.tabs["Check-ins"]
    us_stamp = frame.loc[0, "Timestamp"]  # en_US: 10/5/2026 18:05:09
    local = datetime.strptime(us_stamp, "%m/%d/%Y %H:%M:%S")
    frame["Timestamp"] = [
        datetime.strptime(s, "%m/%d/%Y %H:%M:%S").strftime("%d/%m/%Y %H:%M:%S") for s in frame["Timestamp"]
    ]
    fake.locale, fake.time_zone = "en_GB", "Europe/London"
    outcome = sync_spreadsheet(
        empty_url,
        sheet_settings(settings, fake, tabs={"people": "People", "checkins": "Check-ins"}),
        secrets=secrets_for(fake),
    )
    assert (outcome.date_order, outcome.time_zone) == ("DMY", "Europe/London")
    expected = local.replace(tzinfo=ZoneInfo("Europe/London")).astimezone(timezone.utc).replace(tzinfo=None)
    checkins = reads.load_table(empty_url, _session_id(empty_url), "checkins")
    assert expected in set(pd.to_datetime(checkins["submitted_at"]).dt.to_pydatetime())


def _korean(moment: datetime) -> str:
    marker = "오후" if moment.hour >= 12 else "오전"
    return f"{moment.year}. {moment.month}. {moment.day} {marker} {(moment.hour - 1) % 12 + 1}:{moment:%M:%S}"


@pytest.mark.parametrize(
    "locale, time_zone, formatted",
    [
        ("nl_NL", "Europe/Amsterdam", lambda m: f"{m.day}-{m.month}-{m.year} {m:%H:%M:%S}"),
        ("hu_HU", "Europe/Budapest", lambda m: f"{m:%Y. %m. %d.} {m.hour}:{m:%M:%S}"),
        ("ko_KR", "Asia/Seoul", _korean),
        ("en_US", "America/Chicago", lambda m: f"{m.month}/{m.day}/{m.year} {(m.hour - 1) % 12 + 1}:{m:%M:%S} {m:%p}"),
    ],
)
def test_timestamps_in_more_locales_are_read_not_refused(empty_url, settings, fake, locale, time_zone, formatted):
    """Sheets gives formatted values: day-month with dashes, Hungarian and Korean year-first, 12-hour times."""
    frame = fake.tabs["Check-ins"]
    local = [datetime.strptime(s, "%m/%d/%Y %H:%M:%S") for s in frame["Timestamp"]]
    frame["Timestamp"] = [formatted(moment) for moment in local]
    fake.locale, fake.time_zone = locale, time_zone
    outcome = sync_spreadsheet(
        empty_url,
        sheet_settings(settings, fake, tabs={"people": "People", "checkins": "Check-ins"}),
        secrets=secrets_for(fake),
    )
    checkins = next(r for r in outcome.results if r.table == "checkins")
    assert not [w for w in checkins.warnings if w.column == "Timestamp"]
    assert not [r for r in checkins.rejections if r.column == "Timestamp"]
    expected = {m.replace(tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc).replace(tzinfo=None) for m in local}
    stored = reads.load_table(empty_url, _session_id(empty_url), "checkins")
    assert set(pd.to_datetime(stored["submitted_at"]).dt.to_pydatetime()) <= expected
    assert len(stored) == checkins.rows_stored > 100


def test_ragged_rows_blank_rows_and_empty_tabs(empty_url, settings, fake):
    frame = fake.tabs["Check-ins"]
    blank = pd.DataFrame([[""] * len(frame.columns)], columns=frame.columns)
    fake.tabs["Check-ins"] = pd.concat([frame.iloc[:5], blank, frame.iloc[5:]], ignore_index=True)
    fake.tabs["Surveys"] = pd.DataFrame()  # an empty tab: the API sends no "values" at all
    outcome = sync_spreadsheet(empty_url, sheet_settings(settings, fake), secrets=secrets_for(fake))
    assert outcome.empty_tabs == ["Surveys"]
    checkins = next(r for r in outcome.results if r.table == "checkins")
    assert checkins.rows_blank == 1
    # The rows after the blank one keep the row numbers the spreadsheet shows.
    assert checkins.warnings
    for entry in checkins.rejections + checkins.warnings:
        assert entry.value in set(fake.tabs["Check-ins"].iloc[entry.row_number - 2].astype(str))


def test_raw_sheet_pads_ragged_rows_and_numbers_rows_from_the_range():
    sheet = gs.raw_sheet(
        "Check-ins",
        {
            "range": "'Check-ins'!A1:Z1000",
            "values": [["Email", "Hours", "Notes"], ["a@example.org", "4"], [], ["b@example.org", "", "x"]],
        },
    )
    assert list(sheet.frame.columns) == ["Email", "Hours", "Notes"]
    assert sheet.frame.iloc[0].tolist() == ["a@example.org", "4", ""]
    assert sheet.row_numbers == [2, 3, 4]
    assert gs.raw_sheet("Empty", {"range": "'Empty'!A1:Z1000"}).frame.empty
    assert gs.raw_sheet("Late", {"range": "Late!A3:C9", "values": [["h"], ["v"]]}).row_numbers == [4]


# --- failures: a clear sentence, a recorded run, untouched data ----------------------------

FAULTS = {
    "not shared (403)": (dict(kind="status", status=403), "not_shared", [CLIENT_EMAIL, "share it with"]),
    "wrong key (404)": (dict(kind="status", status=404), "not_found", ["No spreadsheet with key"]),
    "429 repeated": (
        dict(kind="status", status=429, times=-1),
        "rate_limited",
        ["rate-limiting", "gave up after 3 attempts"],
    ),
    "500 repeated": (
        dict(kind="status", status=500, times=-1),
        "server_error",
        ["kept failing", "gave up after 3 attempts"],
    ),
    "hang past the timeout": (
        dict(kind="hang", seconds=1.5, times=-1, only="batch"),
        "timeout",
        ["did not answer in time"],
    ),
    "invalid JSON": (dict(kind="invalid_json", only="batch"), "malformed", ["not JSON"]),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_ends_in_a_clear_message_and_untouched_data(name, demo_url, settings, fake):
    fault, reason, phrases = FAULTS[name]
    fake.inject(**fault)
    before = canonical_rows(demo_url)
    with pytest.raises(SyncError) as info:
        sync_spreadsheet(demo_url, sheet_settings(settings, fake), secrets=secrets_for(fake))
    assert info.value.reason == reason
    for phrase in phrases:
        assert phrase in info.value.user_message
    assert "Traceback" not in info.value.user_message
    assert canonical_rows(demo_url) == before
    last = sync_runs(demo_url)[-1]
    assert (last.status, last.kind, last.error) == ("failed", "sync", info.value.user_message)


def test_retries_are_bounded(demo_url, settings, fake):
    fake.inject("status", status=500, times=-1)
    with pytest.raises(SyncError):
        sync_spreadsheet(demo_url, sheet_settings(settings, fake, max_attempts=4), secrets=secrets_for(fake))
    assert fake.counts["metadata"] == 4 and fake.counts["batch"] == 0


def test_a_wait_past_the_total_time_limit_gives_up_at_once(demo_url, settings, fake):
    fake.inject("status", status=503, times=-1)
    with pytest.raises(SyncError) as info:
        sync_spreadsheet(
            demo_url,
            sheet_settings(settings, fake, retry_base_delay=60, retry_max_delay=60, retry_total_seconds=5),
            secrets=secrets_for(fake),
        )
    assert fake.api_requests == 1 and "gave up after 1 attempt" in info.value.user_message


def test_429_then_200_succeeds_after_one_retry(empty_url, settings, fake):
    fake.inject("status", status=429, times=1)
    outcome = sync_spreadsheet(empty_url, sheet_settings(settings, fake), secrets=secrets_for(fake))
    assert fake.counts["metadata"] == 2 and fake.counts["batch"] == 1
    assert outcome.requests == 3 and sum(r.rows_stored for r in outcome.results) > 0


def test_a_wrong_key_is_a_real_404(demo_url, settings, fake):
    cfg = sheet_settings(settings, fake, spreadsheet="https://docs.google.com/spreadsheets/d/1NoSuchSheet/edit")
    with pytest.raises(SyncError, match="No spreadsheet with key '1NoSuchSheet'"):
        sync_spreadsheet(demo_url, cfg, secrets=secrets_for(fake))


def test_a_missing_tab_lists_the_tabs_found(demo_url, settings, fake):
    tabs = demo_tab_config()
    tabs["checkins"] = "Weekly check-ins"
    before = canonical_rows(demo_url)
    with pytest.raises(SyncError) as info:
        sync_spreadsheet(demo_url, sheet_settings(settings, fake, tabs=tabs), secrets=secrets_for(fake))
    message = info.value.user_message
    assert "'Weekly check-ins' (for checkins) not found" in message
    assert "'Form Responses 1'" in message and "'Check-ins'" in message and "'Notes'" in message
    assert fake.counts["batch"] == 0
    assert canonical_rows(demo_url) == before


def test_a_missing_mapped_column_says_which_and_where_and_stores_nothing(demo_url, settings, fake):
    fake.tabs["Form Responses 1"].loc[0, "What is your name?"] = "Changed In The Sheet"
    fake.tabs["Check-ins"] = fake.tabs["Check-ins"].rename(columns={"Email Address": "Your e-mail"})
    before = canonical_rows(demo_url)
    with pytest.raises(SyncError) as info:
        sync_spreadsheet(demo_url, sheet_settings(settings, fake), secrets=secrets_for(fake))
    message = info.value.user_message
    assert "'Email Address'" in message and "'Check-ins'" in message and "[mapping.checkins]" in message
    # The applications tab was fine, but the sync is all or nothing.
    assert canonical_rows(demo_url) == before
    assert sync_runs(demo_url)[-1].error == message


def test_missing_or_broken_credentials(demo_url, settings, fake, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "SECRETS_FILE", tmp_path / "absent.toml")
    with pytest.raises(SyncError, match="No Google service account is configured"):
        sync_spreadsheet(demo_url, sheet_settings(settings, fake), secrets={})
    broken = dict(service_account_info(fake.token_uri), private_key="not a key")
    with pytest.raises(SyncError, match="service account key is not usable"):
        sync_spreadsheet(demo_url, sheet_settings(settings, fake), secrets={"gcp_service_account": broken})
    assert fake.api_requests == 0


def test_the_key_file_is_read_from_the_config(empty_url, settings, fake, tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(service_account_info(fake.token_uri)))
    outcome = sync_spreadsheet(
        empty_url, sheet_settings(settings, fake, service_account_file=str(key_file), tabs={"teams": "Teams"})
    )
    assert outcome.results[0].rows_stored == len(fake.tabs["Teams"])


def test_the_key_comes_from_the_secrets_file_when_nothing_else_gives_it(settings, fake, tmp_path, monkeypatch):
    """The CLI and cron have no Streamlit: the key is read from .streamlit/secrets.toml by dashboard.config."""
    secrets = tmp_path / "secrets.toml"
    info = service_account_info(fake.token_uri)
    secrets.write_text("[gcp_service_account]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in info.items()))
    monkeypatch.setattr(config, "SECRETS_FILE", secrets)
    assert configured_key(sheet_settings(settings, fake)) == info
    given = {"gcp_service_account": dict(info, client_email="given@example.org")}
    assert (
        configured_key(sheet_settings(settings, fake), given)["client_email"] == "given@example.org"
    )  # Streamlit's win
    secrets.write_text("[gcp_service_account\n")
    with pytest.raises(SyncError, match="secrets.toml is not valid TOML") as broken:
        configured_key(sheet_settings(settings, fake))
    assert broken.value.reason == "credentials"


def test_a_relative_key_file_is_found_next_to_the_config(settings, fake, tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "key.json").write_text(json.dumps(service_account_info(fake.token_uri)))
    located = dataclasses.replace(
        sheet_settings(settings, fake, service_account_file="keys/key.json"), path=tmp_path / "dashboard.toml"
    )
    assert configured_key(located)["client_email"] == CLIENT_EMAIL
    with pytest.raises(SyncError, match="does not exist") as missing:
        configured_key(dataclasses.replace(located, path=tmp_path / "elsewhere" / "dashboard.toml"))
    assert missing.value.reason == "credentials"


def test_sources_settings_become_the_connectors_plain_arguments(settings, fake):
    cfg = sheet_settings(settings, fake, max_attempts=0, tabs={"checkins": "Check-ins", "people": "People"})
    assert list(configured_tabs(cfg)) == ["people", "checkins"]  # people before the rows that refer to them
    assert retry_policy(cfg) == gs.RetryPolicy(
        timeout=0.5, max_attempts=1, base_delay=0.01, max_delay=0.05, total_seconds=10
    )
    with pytest.raises(SyncError, match="unknown table.*check_ins") as unknown:
        configured_tabs(sheet_settings(settings, fake, tabs={"check_ins": "Check-ins"}))
    assert unknown.value.reason == "config"


def test_connectors_do_not_import_the_dashboard():
    """data_sources takes plain arguments; only dashboard/ reads dashboard.toml and the secrets."""
    for path in sorted((PROJECT_ROOT / "data_sources").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
        assert not {name for name in imported if name.split(".")[0] == "dashboard"}, path.name
        assert "secrets.toml" not in path.read_text(encoding="utf-8"), path.name


# --- small pieces -------------------------------------------------------------------------


def test_the_base_url_is_per_client_not_global(fake):
    client = gs.make_client(service_account_info(fake.token_uri), base_url=fake.url + "/")
    assert (
        client.http_client.rebase("https://sheets.googleapis.com/v4/spreadsheets/k/values:batchGet")
        == f"{fake.url}/v4/spreadsheets/k/values:batchGet"
    )
    assert gspread.urls.SPREADSHEET_URL == "https://sheets.googleapis.com/v4/spreadsheets/%s"
    assert gspread.Client(auth=client.http_client.auth).http_client.__class__ is gspread.http_client.HTTPClient


@pytest.mark.parametrize(
    "given, key",
    [
        ("https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=0", "1AbC_d-9"),
        ("1AbC_d-9", "1AbC_d-9"),
    ],
)
def test_spreadsheet_named_by_key_or_url(given, key):
    assert gs.spreadsheet_key(given) == key


@pytest.mark.parametrize("given", ["", "https://example.org/not-a-sheet", "my sheet"])
def test_unusable_spreadsheet_names(given):
    with pytest.raises(SyncError):
        gs.spreadsheet_key(given)


@pytest.mark.parametrize(
    "locale, order",
    [
        ("en_US", "MDY"),
        ("en_GB", "DMY"),
        ("fr_FR", "DMY"),
        ("pt_BR", "DMY"),
        ("ja_JP", "YMD"),
        ("zh_CN", "YMD"),
        ("", None),
    ],
)
def test_date_order_for_locale(locale, order):
    assert gs.date_order_for_locale(locale) == order


def test_a1_ranges_quote_tab_titles():
    assert gs.a1_sheet("Form Responses 1") == "'Form Responses 1'"
    assert gs.a1_sheet("Captain's notes") == "'Captain''s notes'"


def test_fake_serves_values_get_and_a1_cell_ranges(fake):
    """The fake also answers gspread's values/{range} the way the API does."""
    client = gs.make_client(service_account_info(fake.token_uri), base_url=fake.url)
    body = client.http_client.values_get(fake.key, "'Check-ins'!A1:B")
    assert body["range"].startswith("'Check-ins'!A1:B")
    assert body["values"][0] == list(fake.tabs["Check-ins"].columns[:2])
    assert fake.counts["values"] == 1


# --- the command line ---------------------------------------------------------------------


def write_config(tmp_path: Path, fake: FakeSheets, db_path: Path) -> Path:
    key_file = tmp_path / "service-account.json"
    key_file.write_text(json.dumps(service_account_info(fake.token_uri)))
    text = EXAMPLE_CONFIG_PATH.read_text(encoding="utf-8")
    text = text.replace('url = "sqlite:///data/dashboard.db"', f'url = "sqlite:///{db_path}"', 1)
    text = text.replace(
        "[sources]\n",
        "[sources]\n"
        + "\n".join(
            [
                f'spreadsheet = "{fake.spreadsheet_url}"',
                f'sheets_api_url = "{fake.url}"',
                f'service_account_file = "{key_file}"',
                "request_timeout = 0.5",
                "max_attempts = 2",
                "retry_base_delay = 0.01",
                "",
            ]
        ),
        1,
    )
    text = text.replace(
        "[sources.tabs]\n",
        "[sources.tabs]\n" + "\n".join(f'{table} = "{tab}"' for table, tab in demo_tab_config().items()) + "\n",
        1,
    )
    path = tmp_path / "dashboard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DATABASE_URL", "DASHBOARD_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "--config", str(config), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_sync_json_against_the_loopback_server(tmp_path, fake):
    config = write_config(tmp_path, fake, tmp_path / "cli.db")
    first = run_cli(config, "sync", "--json")
    assert first.returncode == 0, first.stdout + first.stderr  # a warning alone is still a success
    summary = json.loads(first.stdout)
    assert summary["ok"] is True and summary["requests"] == 2 and summary["status"] == "stored_with_warnings"
    assert fake.counts["metadata"] == 1 and fake.counts["batch"] == 1
    warnings = summary["tables"]["checkins"]["warnings"]
    assert warnings and all(w["row_number"] >= 2 and f"row {w['row_number']}" in w["message"] for w in warnings)

    second = run_cli(config, "sync", "--json")
    assert second.returncode == 0
    tables = json.loads(second.stdout)["tables"]
    assert all(t["rows_inserted"] == 0 and t["rows_updated"] == 0 for t in tables.values())

    row_number, _, _ = plant_bad_email(fake)
    rejected = run_cli(config, "sync", "--json")
    assert rejected.returncode == 3, rejected.stdout + rejected.stderr  # stored, with rejects: cron must notice
    summary = json.loads(rejected.stdout)
    assert summary["status"] == "stored_with_rejects" and summary["rows_rejected"] == 1
    assert [r["row_number"] for r in summary["tables"]["checkins"]["rejections"]] == [row_number]
    text = run_cli(config, "sync")
    assert text.returncode == 3 and f"Rejected: Sheet 'Check-ins', row {row_number}" in text.stdout
    assert "Warning: Sheet 'Check-ins'" in text.stdout

    fake.inject("status", status=403)
    failed = run_cli(config, "sync", "--json")
    assert failed.returncode == 1
    answer = json.loads(failed.stdout)
    assert answer["ok"] is False and CLIENT_EMAIL in answer["error"] and answer["reason"] == "not_shared"
    assert "Traceback" not in failed.stderr


def test_cli_sync_without_a_spreadsheet_fails_with_the_next_step(capsys, monkeypatch, tmp_path):
    from dashboard import cli

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    assert cli.main(["--config", str(EXAMPLE_CONFIG_PATH), "sync", "--json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer == {"ok": False, "reason": "not_configured", "error": answer["error"]}
    assert "[sources] spreadsheet" in answer["error"] and "docs/google_sheets.md" in answer["error"]
