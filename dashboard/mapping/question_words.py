"""Suggesting a field from the question's words: the rules (RULES), the scores, and word matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Spellings that mean one thing, rewritten before the question is split into words.
SYNONYMS = (
    (r"e-?mail", "email"),
    (r"time[\s-]?zone", "timezone"),
    (r"stand[\s-]?up", "standup"),
    (r"check[\s-]?in", "checkin"),
    (r"git[\s-]?hub", "github"),
    (r"open[\s-]source", "opensource"),
    (r"pull[\s-]requests?|\bprs\b", "pr"),
    (r"under[\s-]represent", "underrepresent"),
    (r"non[\s-]binary", "nonbinary"),
    (r"\bone[\s-](?:to|on)[\s-]one\b|\b1\s*(?:[:-]|[\s-]*(?:on|to)[\s-]*)\s*1\b", "onetoone"),
    # "this week", "per week" say when, not which week: "How many hours this week?" is about hours.
    (r"\b(?:this|per|a|each|every|last|the|that|next) week\b", " "),
)
STOPWORDS = frozenset(
    "a an the and or of to in on at by for from with as is are was were be been do does did have has had you your "
    "yours we our us i me my it its this that these those there what which who whom how many much would could "
    "should can will please any anything some something if so than then not no yes e g eg etc just".split()
)


@dataclass(frozen=True)
class Rule:
    """Question words that point at a field.

    ``strong`` and ``weak`` are cues separated by '|'; a cue's words must all appear in the question
    ('word*' matches any word starting so). ``text`` says whether the field wants short answers or
    long free text; ``guess`` lets answers alone suggest the field (e-mails, timestamps) at that score.
    """

    target: str
    strong: str
    weak: str = ""
    tables: tuple[str, ...] = ()
    text: str = ""  # "short" | "long" | ""
    guess: float = 0.0


RULES: tuple[Rule, ...] = (
    # Who and when: nearly every form
    Rule("email", "email | mail address", "contact", guess=0.7),
    Rule(
        "submitted_at",
        "timestamp | submitted | submission date | submission time | date submitted",
        "date | time",
        guess=0.55,
    ),
    Rule("response_id", "response id | application id | submission id | applicant id | response number", "id"),
    Rule(
        "name",
        "name | full name | your name | submitter name",
        "call you",
        tables=("people", "applications"),
        text="short",
    ),
    Rule("github", "github", "username | handle", text="short"),
    Rule("pronouns", "pronoun", text="short"),
    Rule("timezone", "timezone | tz", "based | utc offset", guess=0.55),
    Rule("country", "country | nationality", "live | location | based | reside*", text="short"),
    # Applications
    Rule(
        "experience_level",
        "programming experience | coding experience | experience level | how experienced | "
        "skill level | rate * coding | rate * programming",
        "experience | level | skill*",
    ),
    Rule(
        "django_experience",
        "django experience | experience * django | use* django | built * django | "
        "django knowledge | familiar * django | work* * django | django before",
    ),
    Rule(
        "contributed_before",
        "contribut* before | contribut* opensource | opensource contribut* | ever contribut* | made * contribution",
        "contribut*",
    ),
    Rule("project_preferences", "project* | which team", "work on | interest*"),
    Rule("hours_available", "hour* | time * commit* | commit* time | time * give", "how much time | commit*"),
    Rule("availability", "avail* | free to meet | when * free", tables=("people", "applications")),
    Rule(
        "motivation",
        "motivat* | why * join | why * apply* | want* djangonaut | want* join | want* participat* | "
        "make* * want* | what * hope",
        "why | hope | interest*",
        text="long",
    ),
    Rule(
        "resilience",
        "resilien* | stuck | challeng* | difficult* | setback | obstacle* | overc* | hard time | fail*",
        "problem*",
        tables=("applications",),
        text="long",
    ),
    Rule("community", "community | meetup*", "involv* | group*", tables=("applications",)),
    Rule("tutorial_completed", "tutorial"),
    Rule("underrepresented", "underrepresent* | marginali*", "minorit*"),
    Rule("gender_minority", "gender | woman | women | nonbinary | trans | female"),
    # Check-ins
    Rule("week", "week | week number | which week"),
    Rule("hours", "hour* | time spent | spen* time", "how much time | spen*"),
    Rule("energy", "energ*", "feel* | mood | tired"),
    Rule("burnout", "burn* | burnt", "stress* | overwhelm* | exhaust* | enjoy * work"),
    Rule("blockers", "block* | stuck | slowing", "problem* | obstacle* | struggl* | help"),
    Rule("attended_standup", "standup | stand", "meeting | attend* | sync"),
    Rule(
        "met_captain",
        "met * captain | meet* captain | chat* captain | talk* captain | spoke * captain | "
        "had * onetoone | did * onetoone",
        "captain",
    ),
    Rule("wants_one_to_one", "onetoone | want* onetoone | like onetoone | need* onetoone | request* onetoone"),
    Rule("prs_opened", "pr open* | pr creat* | pr submit* | pr made | pr sent | open* pr", "pr"),
    Rule("prs_merged", "pr merg* | merg*"),
    Rule(
        "review_comments",
        "review comment* | review* pr | pr review* | code review*",
        "comment* | review*",
        tables=("checkins",),
    ),
    Rule(
        "tickets_progressed",
        "ticket* progress* | ticket* work* | issue* progress* | ticket* touch*",
        "ticket* | progress*",
    ),
    Rule("tickets_closed", "ticket* clos* | ticket* fix* | ticket* resolv* | ticket* done | issue* clos*", "clos*"),
    Rule("notes", "note* | anything else | private | confidential", "share | know | else", text="long"),
    # Surveys
    Rule("stage", "stage | which survey | start * end | survey", "when", guess=0.55),
    Rule("confidence", "confiden*", "sure"),
    Rule("comfortable_contributing", "comfortabl* | at ease", "contribut*"),
    Rule(
        "free_text",
        "anything else | tell * organis* | tell * organiz* | feedback | suggestion* | comment*",
        "share | else",
        text="long",
    ),
    # Reviews (criteria come from dashboard.toml [review]: see criterion_rules)
    Rule("reviewer", "reviewer | scorer | reviewed by | scored by | reviewer name | your name", "name | email"),
    Rule("overall", "overall | total | final score | score", "average"),
    Rule("comment", "comment* | note* | feedback | remark*", tables=("reviews",), text="long"),
    Rule("conflict_of_interest", "conflict*"),
    Rule("updated_at", "timestamp | updated | last modified | date", guess=0.55),
    # Decisions, teams, people
    Rule("status", "status | decision | outcome | result | accepted"),
    Rule("rank", "rank* | tier | position"),
    Rule("team", "team", tables=("people", "decisions")),
    Rule("name", "team name | team | name", tables=("teams",)),
    Rule("project", "project*"),
    Rule("navigators", "navigator* | mentor*"),
    Rule("captain", "captain", tables=("teams",)),
    Rule("role", "role"),
)

# Scores: a cue's strength (one word ~ 1), how much the answers count, and when to suggest at all.
STRONG, WEAK, EXTRA_WORD = 1.0, 0.6, 0.1
WORDS_WEIGHT = 0.75
FITS, UNSURE_FIT, MISFIT = 0.25, 0.1, -0.3  # answers fit the field / no answers or a mixed bag / do not fit
NAMED_LIKE_FIELD, KNOWN_EXACT = 1.4, 1.5
SUGGEST_AT = 0.5
CONFIDENCE_WORDS = ((0.85, "high"), (0.65, "medium"), (0.0, "low"))
DISPLAY = {
    "pr": "pull request",
    "onetoone": "one-to-one",
    "standup": "stand-up",
    "timezone": "time zone",
    "opensource": "open source",
    "checkin": "check-in",
}


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    text = str(text).casefold()
    for pattern, replacement in SYNONYMS:
        text = re.sub(pattern, f" {replacement} ", text)
    return re.findall(r"[^\W_]+", text)


def words(text: str) -> list[str]:
    """The question's words, lower-cased, with synonyms merged and plurals folded."""
    return [_stem(w) for w in _tokens(text)]


def content_words(text: str) -> set[str]:
    """The words that carry meaning (no 'which', 'is', 'the' ...), to compare two questions."""
    return {w for w in words(text) if w not in STOPWORDS and not w.isdigit()}


def _matching_word(cue_word: str, question: list[str]) -> str | None:
    for word in question:
        if word.startswith(cue_word[:-1]) if cue_word.endswith("*") else _stem(word) == cue_word:
            return word
    return None


def _cues(text: str) -> list[list[str]]:
    return [
        [c if c.endswith("*") else _stem(c) for c in cue.casefold().split() if c != "*"]
        for cue in text.split("|")
        if cue.strip()
    ]


def word_score(rule: Rule, question: str) -> tuple[float, str]:
    """How strongly the question's words point at the rule's field, and the words that did."""
    tokens = _tokens(question)
    best, said = 0.0, ""
    for base, cues in ((STRONG, rule.strong), (WEAK, rule.weak)):
        for cue in _cues(cues):
            score = base + EXTRA_WORD * (len(cue) - 1)
            if score > best and None not in (matched := [_matching_word(c, tokens) for c in cue]):
                best = score
                said = " and ".join(f'"{DISPLAY.get(w, w)}"' for w in matched)
    return best, said
