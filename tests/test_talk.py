"""Talk charts: every chart's Vega-Lite spec and data is free of people and of small groups."""

from __future__ import annotations

import io
import json
import zipfile
from xml.etree import ElementTree

import pandas as pd
import pyarrow as pa
import pytest

from dashboard import cli, privacy, reads, talk
from dashboard.config import with_overrides
from tests.privacy_checks import assert_nothing_personal, gather_secrets, strings_in


@pytest.fixture(scope="module")
def demo_db(_demo_db_template) -> str:
    """The demo database, read-only for this module."""
    return f"sqlite:///{_demo_db_template}"


@pytest.fixture(scope="module")
def current(demo_db) -> int:
    sessions = reads.sessions_frame(demo_db)
    return int(sessions["id"].iloc[-1])


@pytest.fixture(scope="module")
def figures(demo_db, current, settings) -> talk.TalkFigures:
    return talk.build(demo_db, current, settings)


@pytest.fixture(scope="module")
def secrets(demo_db) -> dict[str, set[str]]:
    """Everything identifying or free-text in the demo database, across every session."""
    return gather_secrets(demo_db)


def assert_no_small_group(spec: dict, min_size: int, *, rates: bool = True) -> None:
    """No group in a chart's data, nor one a reader can derive from it, holds fewer than min_size people.

    Derived groups: applicants minus cohort of the same group ("6 applied, 6 accepted"), and
    rate x people on both sides (accepted and not accepted). ``rates=False`` for weekly
    participation, whose rates describe the whole cohort (dashboard.privacy's rule for rates).
    """
    for name, rows in spec.get("datasets", {}).items():
        pairs: dict[int, dict[str, int]] = {}
        for row in rows:
            for column in ("people", "djangonauts"):
                if column in row and row[column] is not None:
                    assert row[column] >= min_size, f"dataset {name} has a group of {row[column]}: {row}"
            if rates and row.get("rate") is not None and row.get("people") is not None:
                yes = round(row["rate"] * row["people"])
                assert min(yes, row["people"] - yes) >= min_size, (
                    f"dataset {name}: rate x people counts {yes} of {row['people']}: {row}"
                )
            if row.get("population") in (talk.APPLICANTS, talk.COHORT):
                pairs.setdefault(row["order"], {})[row["population"]] = row["people"]
        for order, pair in pairs.items():
            if len(pair) == 2:
                rest = pair[talk.APPLICANTS] - pair[talk.COHORT]
                assert rest >= min_size, f"dataset {name}, group {order}: {rest} applicants not in the cohort: {pair}"


def test_the_small_group_check_itself_catches_derived_groups():
    everyone_accepted = [
        {"level": "Experienced", "order": 0, "population": talk.APPLICANTS, "people": 6},
        {"level": "Experienced", "order": 0, "population": talk.COHORT, "people": 6},
    ]
    with pytest.raises(AssertionError, match="0 applicants not in the cohort"):
        assert_no_small_group({"datasets": {"d": everyone_accepted}}, 5)
    few_accepted = [{"session": "2023", "order": 0, "people": 40, "rate": 0.075}]
    with pytest.raises(AssertionError, match="rate x people counts 3 of 40"):
        assert_no_small_group({"datasets": {"d": few_accepted}}, 5)


@pytest.mark.parametrize("size", [talk.SCREEN, talk.SLIDE], ids=["screen", "slide"])
def test_every_talk_chart_is_free_of_people_and_small_groups(figures, secrets, size):
    charts = talk.talk_charts(figures, size)
    assert list(charts) == list(talk.CHART_ORDER)
    for name, chart in charts.items():
        spec = chart.to_dict()
        assert spec.get("datasets"), f"{name} has no data"
        assert_nothing_personal(strings_in(spec), secrets)
        assert_no_small_group(spec, figures.min_group_size, rates=name != "participation")
        fields = {k for rows in spec["datasets"].values() for row in rows for k in row}
        assert not fields & privacy.FORBIDDEN_COLUMNS, (name, fields & privacy.FORBIDDEN_COLUMNS)


def test_every_aggregate_behind_the_charts_is_a_safe_frame_of_large_enough_groups(figures):
    frames = [
        figures.applications,
        figures.hours,
        figures.participation,
        figures.prs,
        figures.confidence,
        *figures.composition.values(),
    ]
    for safe in frames:
        assert isinstance(safe, privacy.SafeFrame)
        assert not safe.empty
        assert (safe.frame["people"] >= figures.min_group_size).all()


def test_the_demo_cohorts_small_groups_are_folded_not_shown(demo_db, current, figures):
    apps = reads.load_table(demo_db, current, "applications")
    decisions = reads.load_table(demo_db, current, "decisions")
    cohort = apps[apps["response_id"].isin(decisions.loc[decisions["status"] == "accepted", "response_id"])]
    small_levels = {
        level for level, n in cohort["experience_level"].value_counts().items() if n < figures.min_group_size
    }
    assert small_levels, "the demo cohort should have an experience level with fewer than 5 people"
    experience = figures.composition["experience"]
    assert not small_levels & set(experience.frame["experience_level"])
    assert small_levels <= set(experience.folded)
    chart_text = json.dumps(talk.composition_chart(experience, "experience_level", "Experience").to_dict())
    assert "combined" in chart_text  # the slide says that small groups were combined


def test_a_larger_minimum_folds_more(demo_db, current, settings):
    strict = with_overrides(settings, privacy={"min_group_size": 12})
    figures = talk.build(demo_db, current, strict)
    assert figures.min_group_size == 12
    for name, safe in figures.composition.items():
        cohort = safe.frame[safe.frame["population"] == talk.COHORT]
        assert not cohort.empty and (cohort["people"] >= 12).all(), name  # the 18-strong cohort, one group
    for name, chart in talk.talk_charts(figures).items():
        assert_no_small_group(chart.to_dict(), 12, rates=name != "participation")


def test_a_cohort_under_the_minimum_publishes_no_numbers(demo_db, current, settings):
    tables = talk.load_tables(demo_db, current)
    djangonauts = tables.people[tables.people["role"] == "djangonaut"]
    tables.people = pd.concat([tables.people[tables.people["role"] != "djangonaut"], djangonauts.head(4)])
    tables.checkins = tables.checkins[tables.checkins["email"].isin(djangonauts.head(4)["email"])]
    tables.surveys = tables.surveys[tables.surveys["email"].isin(djangonauts.head(4)["email"])]
    figures = talk.talk_figures(tables, 5)
    assert figures.numbers == {}
    assert figures.hours.empty and figures.prs.empty and figures.participation.empty and figures.confidence.empty
    for name, chart in talk.talk_charts(figures).items():
        assert_no_small_group(chart.to_dict(), 5, rates=name != "participation")


def test_an_all_accepted_group_and_small_acceptance_counts_stay_hidden(demo_db, current):
    tables = talk.load_tables(demo_db, current)
    accepted = set(tables.decisions.loc[tables.decisions["status"] == "accepted", "response_id"])
    apps = tables.applications.copy()
    # Six accepted non-beginners become the only "Experienced" applicants: all six were accepted.
    others = apps["experience_level"] != "Beginner"
    six = apps.index[others & apps["response_id"].isin(accepted)][:6]
    apps.loc[others, "experience_level"] = "Intermediate"
    apps.loc[six, "experience_level"] = "Experienced"
    tables.applications = apps
    # Two earlier sessions: 3 of 40 applicants accepted, and 27 of 30 (only 3 not accepted).
    earlier = [
        {"session": name, "session_order": -1, "email": f"{name[-1].lower()}{i}@example.org", "accepted": i < n}
        for name, size, n in (("2023 Session A", 40, 3), ("2023 Session B", 30, 27))
        for i in range(size)
    ]
    tables.history = pd.concat([pd.DataFrame(earlier), tables.history], ignore_index=True)
    figures = talk.talk_figures(tables, 5)
    assert "Experienced" not in set(figures.composition["experience"].frame["experience_level"])
    history = figures.applications.frame.set_index("session")
    assert history.loc[["2023 Session A", "2023 Session B"], "people"].tolist() == [40, 30]  # the counts stay
    assert history.loc[["2023 Session A", "2023 Session B"], "rate"].isna().all()
    assert history["rate"].notna().sum() == len(history) - 2
    charts = talk.talk_charts(figures)
    for name, chart in charts.items():
        assert_no_small_group(chart.to_dict(), 5, rates=name != "participation")
    applications = json.dumps(charts["applications"].to_dict())
    assert (
        "Rates are withheld where fewer than 5 people are on either side (2023 Session A, 2023 Session B)"
        in applications
    )
    assert "combined" in json.dumps(charts["experience"].to_dict())


def test_titles_state_the_finding_from_the_data(demo_db, current, figures):
    surveys = reads.load_table(demo_db, current, "surveys")
    start = surveys.loc[surveys["stage"] == "start", "confidence"].mean()
    end = surveys.loc[surveys["stage"] == "end", "confidence"].mean()
    charts = talk.talk_charts(figures)
    assert charts["confidence"].to_dict()["title"]["text"] == f"Confidence rose from {start:.1f} to {end:.1f} out of 5"
    counts = [len(reads.load_table(demo_db, int(s), "applications")) for s in reads.sessions_frame(demo_db)["id"]]
    assert ", ".join(map(str, counts)) in charts["applications"].to_dict()["title"]["text"]
    checkins = reads.load_table(demo_db, current, "checkins")
    prs = charts["prs"].to_dict()["title"]["text"]
    assert f"{int(checkins['prs_merged'].sum())} pull requests merged out of {int(checkins['prs_opened'].sum())}" in prs


def test_chart_builders_accept_only_privacy_output():
    raw = pd.DataFrame({"week": ["1"], "order": [0], "people": [1], "prs_opened": [3], "prs_merged": [1]})
    with pytest.raises(TypeError, match="SafeFrame"):
        talk.prs_chart(raw)


def test_slide_size_scales_the_theme_text(figures):
    slide = talk.talk_charts(figures, talk.SLIDE)["prs"].to_dict()
    screen = talk.talk_charts(figures, talk.SCREEN)["prs"].to_dict()
    assert slide["width"] == talk.SLIDE.width and screen["width"] == "container"
    assert slide["config"]["title"]["fontSize"] == 2 * screen["config"]["title"]["fontSize"]
    assert slide["config"]["axis"]["labelFontSize"] >= 24


def test_exports_png_svg_and_zip_with_numbers(figures, secrets):
    charts = talk.talk_charts(figures, talk.SLIDE)
    png = talk.png_bytes(charts["confidence"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width >= 2 * talk.SLIDE.width  # scale 2
    files = talk.export_files(charts, figures, ("svg",))
    assert set(files) == {f"{i:02d}-{n}.svg" for i, n in enumerate(talk.CHART_ORDER, start=1)} | {"numbers.json"}
    archive = zipfile.ZipFile(io.BytesIO(talk.zip_bytes(files)))
    assert sorted(archive.namelist()) == sorted(files)
    numbers = json.loads(archive.read("numbers.json"))
    assert numbers["session"] == figures.session_name and numbers["min_group_size"] == figures.min_group_size
    assert numbers["prs_opened"] == figures.numbers["prs_opened"]
    assert_nothing_personal(svg_texts(files) + strings_in(numbers), secrets)


def svg_texts(files: dict[str, bytes]) -> list[str]:
    texts = []
    for name, content in files.items():
        if name.endswith(".svg"):
            root = ElementTree.fromstring(content)
            texts += [el.text or "" for el in root.iter() if el.tag.endswith("text")]
            texts += [content.decode("utf-8")]
    return texts


def test_export_charts_command_writes_safe_files(demo_db, settings, tmp_path, secrets, capsys):
    out = tmp_path / "slides"
    code = cli.main(["export-charts", "--out", str(out), "--format", "svg", "--database", demo_db, "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["session"] == "2026 Session 6"
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(files) == sorted(report["files"]) and len(files) == len(talk.CHART_ORDER) + 1
    numbers = json.loads(files["numbers.json"])
    assert numbers["djangonauts"] >= numbers["min_group_size"]
    texts = svg_texts(files)
    assert any("Confidence rose" in t for t in texts)
    assert_nothing_personal(texts + strings_in(numbers), secrets)


def test_export_charts_command_fails_clearly(demo_db, tmp_path, capsys):
    code = cli.main(["export-charts", "--out", str(tmp_path), "--database", demo_db, "--session", "No such session"])
    assert code == 1
    assert "Session 'No such session' not found" in capsys.readouterr().err


def test_past_session_without_checkins_shows_no_activity_zeros(demo_db, settings):
    first = int(reads.sessions_frame(demo_db)["id"].iloc[0])
    figures = talk.build(demo_db, first, settings)
    assert "prs_opened" not in figures.numbers and "one_to_ones_held" not in figures.numbers
    assert figures.numbers["confidence_end"] > figures.numbers["confidence_start"]
    chart = talk.talk_charts(figures)["prs"].to_dict()
    assert "Too few check-ins" in json.dumps(chart)


def test_merged_time_zone_bands_keep_their_names_and_span():
    americas, europe = talk.BAND_ORDER[0], talk.BAND_ORDER[1]
    assert talk.merged_band([americas, europe]).startswith(
        f"{americas.split(' (')[0]} + {europe.split(' (')[0]} (UTC-12 to "
    )
    assert talk.merged_band([americas, europe]).endswith(europe.split(" to ")[-1])


@pytest.mark.parametrize("kind", ["emails", "names", "githubs", "free_text"])
def test_the_leak_check_itself_catches_each_kind_of_secret(secrets, kind):
    sample = sorted(secrets[kind])[0]
    with pytest.raises(AssertionError):
        assert_nothing_personal(["Confidence rose", f"Shown at the talk: {sample}."], secrets)


# --- the Talk page ------------------------------------------------------------------------


@pytest.fixture
def talk_app(demo_url, monkeypatch):
    """The real app (entrypoint + st.navigation) on a fresh demo database, as the demo organiser."""
    from streamlit.testing.v1 import app_test

    from dashboard.config import EXAMPLE_CONFIG_PATH, PROJECT_ROOT

    monkeypatch.setenv("DASHBOARD_DATABASE_URL", demo_url)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(EXAMPLE_CONFIG_PATH))
    at = app_test.AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120)
    at.session_state["demo_viewer"] = "Organiser"
    return at


def test_talk_page_shows_every_chart_with_downloads(talk_app, secrets):
    at = talk_app.run()
    at.switch_page("app_pages/talk.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Talk"
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(talk.CHART_ORDER)
    specs = [json.loads(chart.proto.spec) for chart in charts]
    assert any("Confidence rose" in json.dumps(spec) for spec in specs)
    for chart, spec in zip(charts, specs):
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        assert frames, "the chart reached the browser without data"
        values = [str(v) for frame in frames for v in [*frame.columns, *frame.to_numpy().ravel()]]
        assert_nothing_personal(values + strings_in(spec), secrets)
        for frame in frames:
            if "people" in frame:
                assert (frame["people"] >= 5).all()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("PNG (2x)") == labels.count("SVG") == len(talk.CHART_ORDER)
    assert any(label.startswith("Download all") for label in labels)


def test_talk_page_is_for_organisers_only():
    from dashboard import access

    organiser = access.Viewer("o@example.org", frozenset({access.ORGANISER}))
    captain = access.Viewer("c@example.org", frozenset({access.CAPTAIN}), captain_of=frozenset({"Team Comet"}))
    reviewer = access.Viewer("r@example.org", frozenset({access.REVIEWER}))
    assert access.may_open(organiser, "talk")
    assert not access.may_open(captain, "talk") and not access.may_open(reviewer, "talk")


def test_talk_page_in_chromium_draws_the_charts_and_downloads_a_slide(app_server, page, tmp_path):
    from tests.browser_support import assert_no_exception, open_page, screenshot, shown, wait_for_app

    open_page(page, app_server, timeout=120_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Talk").click()
    wait_for_app(page, timeout=120_000)
    assert_no_exception(page)
    assert shown(page.get_by_role("heading", name="Talk").first)
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for(timeout=60_000)
    assert charts.count() == len(talk.CHART_ORDER)
    page.get_by_text("Confidence rose from").first.wait_for(timeout=60_000)  # drawn by Vega, not just in the spec
    screenshot(page, "talk-page")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="PNG (2x)").last.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.endswith("-confidence.png")
    content = saved.read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(content[16:20], "big") == 2 * talk.SLIDE.width


def test_an_empty_session_draws_every_chart_with_a_reason_instead_of_data(empty_url, settings, edit_db):
    from dashboard.sessions import get_or_create_session

    with edit_db(empty_url) as db:
        get_or_create_session(db, settings, "Empty session")
    session = talk.session_for(empty_url, settings, "Empty session")
    figures = talk.build(empty_url, session.id, settings)
    assert figures.numbers == {}
    charts = talk.talk_charts(figures, talk.SLIDE)
    assert "Too few" in json.dumps(charts["hours"].to_dict())
    assert talk.svg_bytes(charts["numbers"]).startswith(b"<svg")
