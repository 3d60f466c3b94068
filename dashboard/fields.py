"""The canonical tables: every field's name, kind and sensitivity, in one place.

Sources map their columns onto these names; the database, the pages and the exports rely
on them. ``personal`` fields identify a person; ``sensitive`` fields are demographics or
free text that only organisers (and a person's own Captain, for notes) may read.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinds understood by dashboard.parsing.parse_value
TEXT, EMAIL, INT, NUMBER, HOURS, SCALE, BOOL, DATETIME, DATE, LIST, AVAILABILITY, TIMEZONE, CHOICE = (
    "text",
    "email",
    "int",
    "number",
    "hours",
    "scale",
    "bool",
    "datetime",
    "date",
    "list",
    "availability",
    "timezone",
    "choice",
)
EMAILS = "emails"  # several e-mail addresses in one answer (a team's Navigators)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = False
    personal: bool = False
    sensitive: bool = False
    choices: tuple[str, ...] = ()
    low: int = 1
    high: int = 5
    hint: str = ""
    verbatim: bool = False  # an identifier or free text: kept as written, never read as one of the site's choice keys


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    keeps_extra: bool = False

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def sensitive_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.sensitive]

    @property
    def personal_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.personal]


ROLES = ("djangonaut", "navigator", "captain", "organiser", "reviewer")
DECISION_STATUSES = ("accepted", "waitlisted", "rejected", "pending")
SURVEY_STAGES = ("start", "mid", "end")

_PERSON = (
    Field("email", EMAIL, required=True, personal=True),
    Field("name", personal=True, verbatim=True),
    Field("github", personal=True, verbatim=True),
    Field("pronouns", personal=True, sensitive=True),
    Field("timezone", TIMEZONE),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "people",
            ("email",),
            _PERSON
            + (
                Field("role", CHOICE, choices=ROLES),
                Field("team"),
                Field("project"),
                Field("availability", AVAILABILITY),
            ),
        ),
        Table(
            "applications",
            ("response_id",),
            (
                Field("response_id", verbatim=True),
                Field("submitted_at", DATETIME),
            )
            + _PERSON
            + (
                Field("country", personal=True, sensitive=True),
                Field("experience_level"),
                Field("django_experience"),
                Field("contributed_before", BOOL),
                Field("project_preferences", LIST),
                Field("hours_available", HOURS),
                Field("availability", AVAILABILITY),
                Field("motivation", verbatim=True),
                Field("resilience", verbatim=True),
                Field("community", verbatim=True),
                Field("tutorial_completed", BOOL),
                Field("underrepresented", BOOL, sensitive=True),
                Field("gender_minority", BOOL, sensitive=True),
            ),
            keeps_extra=True,
        ),
        # Scores come from one column per review criterion (see dashboard.review_criteria).
        Table(
            "reviews",
            ("response_id", "reviewer"),
            (
                Field("response_id", required=True, verbatim=True),
                Field("reviewer", required=True, verbatim=True),
                Field("overall", NUMBER),
                Field("comment", verbatim=True),
                Field("conflict_of_interest", BOOL),
                Field("updated_at", DATETIME),
            ),
        ),
        # score: the program's own aggregate Score (Djangonaut Space's site keeps one per application).
        # tier: the site's Selection Rank (0-2 placed first, 3 if room, 4+ never); it is not stored
        # but sets status and rank (see dashboard.exports.status_for_tier).
        Table(
            "decisions",
            ("response_id",),
            (
                Field("response_id", required=True, verbatim=True),
                Field("status", CHOICE, choices=DECISION_STATUSES),
                Field("rank", INT),
                Field("team"),
                Field("score", NUMBER),
                Field("tier", INT),
            ),
        ),
        Table(
            "teams",
            ("name",),
            (
                Field("name", required=True),
                Field("project"),
                Field("navigators", EMAILS),
                Field("captain", EMAIL),
            ),
        ),
        Table(
            "checkins",
            ("email", "week"),
            (
                Field("email", EMAIL, required=True, personal=True),
                Field("week", INT, low=1, high=52),
                Field("submitted_at", DATETIME),
                Field("hours", HOURS),
                Field("energy", SCALE),
                Field("burnout", SCALE),
                Field("blockers", verbatim=True),
                Field("attended_standup", BOOL),
                Field("met_captain", BOOL),
                Field("prs_opened", INT),
                Field("prs_merged", INT),
                Field("review_comments", INT),
                Field("tickets_progressed", INT),
                Field("tickets_closed", INT),
                Field("wants_one_to_one", BOOL),
                Field("notes", sensitive=True, verbatim=True),
            ),
        ),
        Table(
            "surveys",
            ("email", "stage"),
            (
                Field("email", EMAIL, required=True, personal=True),
                Field("stage", CHOICE, required=True, choices=SURVEY_STAGES),
                Field("submitted_at", DATETIME),
                Field("confidence", SCALE),
                Field("comfortable_contributing", BOOL),
                Field("free_text", sensitive=True, verbatim=True),
            ),
        ),
    )
}


def table(name: str) -> Table:
    """The canonical table called name, or a clear error listing the known ones."""
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"Unknown table '{name}'; use one of: {', '.join(TABLES)}.") from None
