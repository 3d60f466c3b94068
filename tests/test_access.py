"""The access layer, role by role, over the demo database: which rows and columns each one gets."""

import pandas as pd
import pytest

from dashboard import access, audit, fields, reads
from dashboard.sessions import Session

TABLES = ("people", "teams", "applications", "reviews", "decisions", "checkins", "surveys")


@pytest.fixture
def demo(demo_url):
    """The current demo session's raw tables, its one-to-ones and the role lists of the demo."""
    sessions = reads.sessions_frame(demo_url)
    sid = int(sessions.iloc[-1]["id"])
    frames = {name: reads.load_table(demo_url, sid, name) for name in TABLES}
    frames["one_to_ones"] = reads.load_one_to_ones(demo_url, sid)
    people = frames["people"]
    # Team Aurora's demo check-ins carry no notes: give one a private note and a one-to-one a note.
    crew = people.loc[(people["team"] == "Team Aurora") & (people["role"] == "djangonaut"), "email"]
    first = frames["checkins"].index[frames["checkins"]["email"].isin(crew)][0]
    frames["checkins"].loc[first, "notes"] = "Private: struggling at home this week."
    captain = frames["teams"].set_index("name").loc["Team Aurora", "captain"]
    frames["one_to_ones"] = pd.concat(
        [
            frames["one_to_ones"],
            pd.DataFrame(
                [
                    {
                        "email": crew.iloc[0],
                        "captain": captain,
                        "held_on": pd.Timestamp("2026-10-10"),
                        "note": "Talked about rest.",
                        "created_at": pd.Timestamp("2026-10-10"),
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    frames["surveys"].loc[frames["surveys"]["email"].isin(crew), "free_text"] = "Private survey answer."
    lists = {
        "organisers": list(people.loc[people["role"] == "organiser", "email"]),
        "reviewers": list(people.loc[people["role"] == "reviewer", "email"]),
    }
    return frames, lists


def viewer_for(frames, lists, email):
    return access.roles_for(email, lists, frames["people"], frames["teams"])


def aurora(frames):
    return frames["teams"].set_index("name").loc["Team Aurora"]


def see(viewer, frames, table, *, blind=True):
    return access.visible_table(viewer, table, frames[table], frames["people"], blind=blind)


def test_organiser_sees_every_row_and_column(demo):
    frames, lists = demo
    organiser = viewer_for(frames, lists, lists["organisers"][0])
    assert organiser.roles == {access.ORGANISER}
    for table, frame in frames.items():
        pd.testing.assert_frame_equal(see(organiser, frames, table), frame)
    assert frames["checkins"]["notes"].notna().any()


def test_reviewer_sees_the_queue_and_own_reviews_but_no_wellbeing(demo):
    frames, lists = demo
    email = lists["reviewers"][0]
    reviewer = viewer_for(frames, lists, email)
    assert reviewer.roles == {access.REVIEWER}
    for table in ("people", "teams", "decisions", "checkins", "surveys", "one_to_ones"):
        assert see(reviewer, frames, table).empty, table

    blind = see(reviewer, frames, "applications", blind=True)
    assert len(blind) == len(frames["applications"])
    spec = fields.table("applications")
    assert not set(blind.columns) & (set(spec.personal_fields) | set(spec.sensitive_fields) | {"extra"})
    assert {"motivation", "resilience", "response_id"} <= set(blind.columns)
    open_review = see(reviewer, frames, "applications", blind=False)
    assert {"name", "email"} <= set(open_review.columns)
    assert not set(open_review.columns) & set(spec.sensitive_fields)

    # The demo reviewer is part-way through: the applications they have not reviewed are still to do.
    raw = frames["reviews"]
    reviews = see(reviewer, frames, "reviews")
    assert len(reviews) == len(raw)  # the queue still counts everyone's reviews
    mine = raw["reviewer"].str.lower() == email
    assert mine.any()
    pd.testing.assert_frame_equal(
        reviews[mine.values].reset_index(drop=True), raw[mine].reset_index(drop=True), check_dtype=False
    )
    reviewed = set(raw.loc[mine & ~raw["conflict_of_interest"].fillna(False).astype(bool), "response_id"])
    others = reviews[~mine.values]
    hidden = others[~others["response_id"].isin(reviewed)]
    shown = others[others["response_id"].isin(reviewed)]
    todo = set(raw.loc[~mine, "response_id"]) - reviewed
    assert todo and set(hidden["response_id"]) == todo
    assert hidden["overall"].isna().all() and hidden["comment"].isna().all()
    assert (hidden["reviewer"] == "another reviewer").all()
    assert hidden["scores"].isna().all()
    assert len(shown) and shown["scores"].notna().all()
    pd.testing.assert_frame_equal(shown, raw.loc[shown.index], check_dtype=False)


def test_captain_sees_own_teams_wellbeing_with_notes_and_no_sensitive_answers(demo):
    frames, lists = demo
    team = aurora(frames)
    captain = viewer_for(frames, lists, team["captain"])
    assert captain.roles == {access.CAPTAIN} and captain.captain_of == {"Team Aurora"}
    people = frames["people"]
    crew = set(people.loc[(people["team"] == "Team Aurora") & (people["role"] == "djangonaut"), "email"])
    assert 3 <= len(crew) <= 4

    checkins = see(captain, frames, "checkins")
    assert set(checkins["email"]) == crew
    assert len(checkins) == frames["checkins"]["email"].isin(crew).sum()
    own_notes = frames["checkins"].loc[frames["checkins"]["email"].isin(crew), "notes"]
    assert checkins["notes"].tolist() == own_notes.tolist()  # Captains read their own people's notes
    assert "Private: struggling at home this week." in set(checkins["notes"])

    meetings = see(captain, frames, "one_to_ones")
    assert set(meetings["email"]) <= crew and "Talked about rest." in set(meetings["note"])
    surveys = see(captain, frames, "surveys")
    assert set(surveys["email"]) == crew & set(frames["surveys"]["email"])
    assert (surveys["free_text"] == "Private survey answer.").all()
    assert set(see(captain, frames, "teams")["name"]) == {"Team Aurora"}
    assert set(see(captain, frames, "people")["team"]) == {"Team Aurora"}

    applications = see(captain, frames, "applications")
    assert set(applications["email"]) <= crew
    assert not set(applications.columns) & (set(fields.table("applications").sensitive_fields) | {"extra"})
    assert see(captain, frames, "reviews").empty
    assert see(captain, frames, "decisions").empty


def test_navigator_sees_own_team_checkins_without_notes(demo):
    frames, lists = demo
    team = aurora(frames)
    navigator = viewer_for(frames, lists, team["navigators"][0])
    assert navigator.roles == {access.NAVIGATOR}
    people = frames["people"]
    crew = set(people.loc[(people["team"] == "Team Aurora") & (people["role"] == "djangonaut"), "email"])

    checkins = see(navigator, frames, "checkins")
    assert set(checkins["email"]) == crew
    assert checkins["notes"].isna().all()
    assert frames["checkins"].loc[frames["checkins"]["email"].isin(crew), "notes"].notna().any()
    # engagement figures stay
    assert (
        checkins["prs_opened"].tolist()
        == frames["checkins"].loc[frames["checkins"]["email"].isin(crew), "prs_opened"].tolist()
    )

    surveys = see(navigator, frames, "surveys")
    assert len(surveys) and set(surveys["email"]) <= crew and surveys["free_text"].isna().all()
    meetings = see(navigator, frames, "one_to_ones")
    assert len(meetings) and set(meetings["email"]) <= crew and meetings["note"].isna().all()
    assert (
        see(navigator, frames, "people")["pronouns"]
        .loc[lambda s: s.index.isin(people.index[people["role"] == "djangonaut"])]
        .isna()
        .all()
    )
    for table in ("applications", "reviews", "decisions"):
        assert see(navigator, frames, table).empty, table


def test_someone_on_no_list_sees_nothing(demo):
    frames, lists = demo
    stranger = viewer_for(frames, lists, "stranger@example.com")
    assert not stranger.roles
    assert access.pages_for(stranger) == []
    for table in frames:
        assert see(stranger, frames, table).empty, table


def test_roles_come_from_lists_not_from_the_people_table(demo):
    """A form cannot make someone an organiser: the people table's role column grants nothing."""
    frames, _ = demo
    organiser_in_table = frames["people"].loc[frames["people"]["role"] == "organiser", "email"].iloc[0]
    assert not viewer_for(frames, {}, organiser_in_table).roles
    assert viewer_for(frames, {"organisers": [organiser_in_table.upper()]}, organiser_in_table).is_organiser


def test_pages_each_role_may_open(demo):
    frames, lists = demo
    team = aurora(frames)
    keys = lambda email: {p.key for p in access.pages_for(viewer_for(frames, lists, email))}  # noqa: E731
    organiser_pages = keys(lists["organisers"][0])
    assert {"overview", "data", "review", "selection", "audit"} <= organiser_pages
    assert "review" in keys(lists["reviewers"][0])
    for email in (lists["reviewers"][0], team["captain"], team["navigators"][0]):
        assert not {"data", "selection", "audit", "overview"} & keys(email)
        assert not access.may_open(viewer_for(frames, lists, email), "audit")


def test_audit_record_and_entries_match_the_models_columns(demo_url):
    sid = int(reads.sessions_frame(demo_url).iloc[-1]["id"])
    audit.record(demo_url, "  Organiser1@Example.org ", "wellbeing_viewed", "dj@example.org", "wellbeing details", sid)
    audit.record(demo_url, "reviewer1@example.org", "review_saved", "R-1", "overall 4.0", sid)
    rows = audit.entries(demo_url, sid, action="wellbeing_viewed")
    assert list(rows.columns) == audit.COLUMNS
    mine = rows[rows["subject"] == "dj@example.org"]
    assert mine.iloc[0]["actor"] == "organiser1@example.org"
    assert len(audit.entries(demo_url, sid, actor="REVIEWER1@example.org", subject="R-1")) == 1
    readable = audit.readable(audit.entries(demo_url, sid))
    assert "Opened wellbeing details" in set(readable["What"])


def test_whole_program_loaders_refuse_everyone_but_organisers(demo, demo_url, settings):
    from dashboard.teams import rules_from_settings
    from dashboard.ui import loaders
    from dashboard.ui.context import PageContext

    frames, lists = demo
    session = Session.from_row(reads.sessions_frame(demo_url).iloc[-1])
    team = aurora(frames)
    organiser = viewer_for(frames, lists, lists["organisers"][0])
    others = [
        viewer_for(frames, lists, email) for email in (lists["reviewers"][0], team["captain"], team["navigators"][0])
    ]
    whole_program = {
        "counts": loaders.table_counts,
        "audit": lambda ctx: loaders.audit_entries(ctx, None),
        "talk": lambda ctx: loaders.talk_figures(ctx, 5),
        "teams": lambda ctx: loaders.teams_instance(ctx, rules_from_settings(settings)),
    }

    def context(viewer):
        return PageContext(settings=settings, url=demo_url, session=session, viewer=viewer)

    assert whole_program["counts"](context(organiser))["applications"] == 90
    assert len(whole_program["teams"](context(organiser)).candidates) == 18
    for viewer in others:
        assert not viewer.is_organiser and viewer.roles
        for name, load in whole_program.items():
            with pytest.raises(PermissionError, match="Only organisers"):
                load(context(viewer))


def test_an_organisers_conflict_hides_others_scores_on_that_application_from_every_statistic(demo, settings):
    from dashboard import review
    from dashboard.criteria import load_criteria

    frames, lists = demo
    email = lists["organisers"][0]
    raw = frames["reviews"]
    target = raw["response_id"].iloc[0]
    declared = pd.concat(
        [raw, pd.DataFrame([{"response_id": target, "reviewer": email, "conflict_of_interest": True}])],
        ignore_index=True,
    )
    organiser = viewer_for(frames, lists, email)
    seen = access.visible_reviews(organiser, declared)
    others_on_target = seen[(seen["response_id"] == target) & (seen["reviewer"] != email)]
    assert (
        len(others_on_target) and others_on_target["overall"].isna().all() and others_on_target["scores"].isna().all()
    )
    elsewhere = seen["response_id"] != target
    pd.testing.assert_frame_equal(seen[elsewhere], declared[elsewhere], check_dtype=False)
    stats = review.review_stats(seen, load_criteria(settings), settings)
    assert target not in set(stats.scored["response_id"])  # not in the means, the alpha or the calibration
    assert access.visible_reviews(organiser, raw).equals(raw)  # no conflict declared: everything
