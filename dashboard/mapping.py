"""Which canonical field each column of a form feeds: suggestions, merging, TOML, and a preview.

A suggestion weighs two kinds of evidence, each kept in one table below: the question's
words (RULES) and what the answers look like (``_accepts`` and ``_profile``). Mappings an
organiser confirmed before (saved in the app or written in dashboard.toml) come first: the
same question gets the same field, a reworded one ("Week" -> "Which week?") the field of the
closest known question. A column with weak evidence stays unmapped: its answers are kept as
extra answers (applications) or with the raw rows, never guessed into a field.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from dashboard import availability, fields as f
from dashboard.config import Settings
from dashboard.criteria import Criterion
from dashboard.importer import ImportFailed, map_columns, normalise_header, validate_rows
from dashboard.sessions import Session
from dashboard.parsing import (
    is_blank,
    parse_bool,
    parse_choice,
    parse_email,
    parse_hours,
    parse_int,
    parse_number,
    parse_scale,
    parse_timezone,
)

GRID = "availability[]"  # the target of a whole checkbox grid ("Question [Monday]", ...)
SCORE = "score."  # reviews: "score.<criterion>"

# --- the question's words -------------------------------------------------------------------

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


# --- what the answers look like -------------------------------------------------------------

TIMESTAMP = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T,]+\d{1,2}[:.]\d{2}.*)?$")
UTC_OFFSET = re.compile(r"^\s*(?:utc|gmt)?\s*[+-−]\s*\d{1,2}(?::?\d{2})?\s*$", re.I)
ZONE_ABBREVIATIONS = frozenset(
    "utc gmt est edt cst cdt mst mdt pst pdt cet cest eet eest wet west bst ist jst aest "
    "aedt nzst nzdt brt sgt hkt wat eat cat".split()
)
SAMPLE_SIZE = 40  # answers looked at per column
FIT_SHARE, MISFIT_SHARE = 0.8, 0.5

ANSWER_WORDS = {
    f.EMAIL: "e-mail addresses",
    f.DATETIME: "dates and times",
    f.DATE: "dates",
    f.INT: "whole numbers",
    f.NUMBER: "numbers",
    f.HOURS: "hours",
    f.BOOL: "yes/no answers",
    f.TIMEZONE: "time zones",
    f.AVAILABILITY: "UTC slot numbers",
    f.LIST: "checkbox answers (several per row)",
}


@dataclass(frozen=True)
class Profile:
    """What a column's answers look like as a whole."""

    values: tuple[str, ...]
    long: bool  # long free text
    listy: bool  # several options per answer, the same options across rows
    typed: bool  # e-mails or timestamps: not the answers a free-text field gets


def _profile(values: list[str]) -> Profile:
    texts = [str(v).strip() for v in values if not is_blank(v)][:SAMPLE_SIZE]
    if not texts:
        return Profile((), False, False, False)
    long = sum(len(t) for t in texts) / len(texts) >= 50 or sum(len(t.split()) for t in texts) / len(texts) >= 9
    parts = [p.strip() for t in texts for p in re.split(r"[,;]", t) if p.strip()]
    repeated = sum(n for n in Counter(parts).values() if n > 1)
    listy = (
        not long and sum("," in t or ";" in t for t in texts) >= max(2, len(texts) / 4) and repeated >= len(parts) / 2
    )
    typed = _share(texts, lambda t: bool(parse_email(t))) >= FIT_SHARE or _share(texts, TIMESTAMP.match) >= FIT_SHARE
    return Profile(tuple(texts), long, listy, typed)


def _share(values: Iterable[str], accepts) -> float:
    values = list(values)
    ok = 0
    for value in values:
        try:
            result = accepts(value)
        except Exception:  # any answer a parser cannot take is simply not of that shape
            continue
        ok += result is not None and result is not False  # 0 hours is an answer; a failed match is not
    return ok / len(values) if values else 0.0


def _is_timezone(value: str) -> bool:
    if UTC_OFFSET.match(value) or value.strip().casefold() in ZONE_ABBREVIATIONS:
        return True
    return bool(parse_timezone(value))


def _week(value: str) -> bool:
    return parse_int(re.sub(r"^\s*week\s*", "", value, flags=re.I), 1, 52) is not None


def _accepts(spec: f.Field):
    """A test of one answer for a typed field, or None for text and lists (judged by the profile)."""
    kind = spec.kind
    return {
        f.EMAIL: parse_email,
        f.DATETIME: TIMESTAMP.match,
        f.DATE: TIMESTAMP.match,
        f.INT: _week if spec.name == "week" else (lambda v: parse_int(v, 0) <= 1000),
        f.NUMBER: parse_number,
        f.HOURS: parse_hours,
        f.SCALE: lambda v: parse_scale(v, spec.low, spec.high) is not None,
        f.BOOL: lambda v: parse_bool(v) is not None or v.strip().casefold().startswith("prefer not"),
        f.TIMEZONE: _is_timezone,
        f.CHOICE: lambda v: parse_choice(v, spec.choices),
        f.AVAILABILITY: lambda v: len(availability.parse_slots_text(v)) > 1,
    }.get(kind)


def answer_fit(spec: f.Field, rule: Rule | None, profile: Profile) -> tuple[float, str]:
    """How well a column's answers fit a field (FITS / UNSURE_FIT / MISFIT), and in words."""
    if not profile.values:
        return UNSURE_FIT, ""
    test = _accepts(spec)
    if test is not None:
        share = _share(profile.values, test)
        what = (
            "week numbers"
            if spec.name == "week"
            else f"answers on a {spec.low}-{spec.high} scale"
            if spec.kind == f.SCALE
            else f"one of {', '.join(spec.choices)}"
            if spec.kind == f.CHOICE
            else ANSWER_WORDS[spec.kind]
        )
        counted = f"{round(share * len(profile.values))} of {len(profile.values)}"
        if share >= FIT_SHARE:
            return FITS, f"the answers look like {what} ({counted})"
        if share >= MISFIT_SHARE:
            return UNSURE_FIT, f"only {counted} answers look like {what}"
        return MISFIT, f"the answers do not look like {what} ({counted})"
    if profile.typed:
        return MISFIT, "the answers look like e-mails or timestamps"
    if spec.kind == f.LIST:
        return (
            (FITS, "the answers look like checkbox answers (several per row)")
            if profile.listy
            else ((MISFIT, "the answers are long free text") if profile.long else (UNSURE_FIT, ""))
        )
    want = rule.text if rule else ""
    if want == "long" and profile.long:
        return FITS, "the answers are long free text"
    if want == "short" and profile.long:
        return MISFIT, "the answers are long free text, not short answers"
    if want == "short":
        return FITS, "the answers are short"
    return UNSURE_FIT, ""


# --- columns, grids and known mappings ------------------------------------------------------

GRID_HEADER = re.compile(r"^(?P<question>.+?)\s*\[(?P<label>[^\[\]]+)\]\s*$")


@dataclass
class Column:
    """One question of the form: a plain column, or every column of a checkbox grid."""

    key: str  # the mapping key: the header, or the grid's question text
    headers: list[str]
    samples: list[str] = field(default_factory=list)

    @property
    def is_grid(self) -> bool:
        return len(self.headers) > 1


def columns_of(frame: pd.DataFrame) -> list[Column]:
    """The form's questions in order; a checkbox grid's columns ('Q [Monday]', ...) form one question."""
    headers = [str(h) for h in frame.columns]
    grids: dict[str, list[str]] = {}
    for header in headers:
        if m := GRID_HEADER.match(header):
            grids.setdefault(normalise_header(m.group("question")), []).append(header)
    result: list[Column] = []
    seen: set[str] = set()
    for header in headers:
        m = GRID_HEADER.match(header)
        group = grids.get(normalise_header(m.group("question"))) if m else None
        if group and len(group) > 1:
            if group[0] in seen:
                continue
            seen.add(group[0])
            column = Column(m.group("question").strip(), group)
            column.samples = _grid_samples(frame, group)
        else:
            column = Column(header, [header], _samples(frame[header]))
        result.append(column)
    return result


def _samples(series: pd.Series, n: int = 3, width: int = 60) -> list[str]:
    out: list[str] = []
    for value in series:
        text = "" if is_blank(value) else " ".join(str(value).split())
        if text and text not in out:
            out.append(text if len(text) <= width else text[: width - 1] + "…")
        if len(out) == n:
            break
    return out


def _grid_samples(frame: pd.DataFrame, headers: list[str]) -> list[str]:
    out = []
    for header in headers:
        label = GRID_HEADER.match(header).group("label")
        for value in _samples(frame[header], 1, 40):
            out.append(f"{label}: {value}")
        if len(out) == 2:
            break
    return out


def is_availability_grid(column: Column) -> bool:
    """A grid whose rows are weekdays or hours, or whose question asks when people are free."""
    labels = [GRID_HEADER.match(h).group("label") for h in column.headers]
    if _share(labels, lambda label: availability.label_kind(label) is not None) >= FIT_SHARE:
        return True
    return word_score(next(r for r in RULES if r.target == "availability"), column.key)[0] >= STRONG


@dataclass(frozen=True)
class Known:
    """A question already mapped: saved in the app or written in dashboard.toml (lower rank = trusted more)."""

    question: str
    target: str
    origin: str  # e.g. "saved for 'week1.csv' in 2026 Session 6", "dashboard.toml [mapping.checkins]"
    rank: int = 0


# --- suggestions ----------------------------------------------------------------------------


@dataclass
class Suggestion:
    """The field suggested for one question, how sure, and why ('' = not mapped)."""

    column: str
    headers: list[str]
    samples: list[str]
    target: str
    score: float
    reason: str

    @property
    def confidence(self) -> str:
        return next(word for at, word in CONFIDENCE_WORDS if self.score >= at) if self.target else "none"


def targets(table: str, criteria: Iterable[Criterion] = ()) -> list[str]:
    """Every field a column of the table can feed (reviews: one score per criterion too)."""
    spec = f.table(table)
    names = list(spec.field_names)
    if table == "reviews":
        names += [SCORE + c.name for c in criteria]
    return names


def _field_spec(table: str, target: str, criteria: dict[str, Criterion]) -> f.Field:
    if target.startswith(SCORE):
        c = criteria[target.removeprefix(SCORE)]
        return f.Field(target, f.SCALE, low=c.low, high=c.high)
    return f.table(table).field(target)


def criterion_rules(criteria: Iterable[Criterion]) -> list[Rule]:
    """A rule per review criterion, from its name and label ('community' / 'Community connection')."""
    return [Rule(SCORE + c.name, f"{c.name.replace('_', ' ')} | {c.label}", tables=("reviews",)) for c in criteria]


def _rules_for(table: str, criteria: list[Criterion]) -> dict[str, Rule]:
    fields_here = set(targets(table, criteria))
    rules: dict[str, Rule] = {}
    for rule in (*RULES, *criterion_rules(criteria)):
        if rule.target in fields_here and (not rule.tables or table in rule.tables):
            rules.setdefault(rule.target, rule)
    return rules


def _candidates(
    column: Column,
    profile: Profile,
    table: str,
    rules: dict[str, Rule],
    criteria: dict[str, Criterion],
    known: list[Known],
) -> list[tuple[float, str, str]]:
    """(score, target, reason) for every field this question might feed."""
    out: list[tuple[float, str, str]] = []
    spec = f.table(table)
    norm = normalise_header(column.key)
    usable = {"", *rules, *([GRID] if "availability" in spec.field_names else [])}
    for item in known:
        if normalise_header(item.question) == norm and item.target in usable:
            out.append((KNOWN_EXACT - item.rank / 1000, item.target, f"the same question was {item.origin}"))
    if column.is_grid:
        if "availability" in spec.field_names and is_availability_grid(column):
            days = ", ".join(GRID_HEADER.match(h).group("label") for h in column.headers[:3])
            out.append(
                (
                    1.0,
                    GRID,
                    f"a checkbox grid of {len(column.headers)} columns ({days}, ...) about when people are free",
                )
            )
        return out
    mine = content_words(column.key)
    for item in known:
        theirs = content_words(item.question)
        if item.target not in rules or normalise_header(item.question) == norm or not (mine and theirs):
            continue  # exact matches are above; a field of another table or an old criterion is no hint
        dice = 2 * len(mine & theirs) / (len(mine) + len(theirs))
        fit = answer_fit(_field_spec(table, item.target, criteria), rules[item.target], profile)[0]
        if dice >= 0.5 and fit != MISFIT:
            out.append(
                (0.6 + 0.5 * dice - item.rank / 1000, item.target, f"it reads like '{item.question}', {item.origin}")
            )
    for target, rule in rules.items():
        fit, fit_words = answer_fit(_field_spec(table, target, criteria), rule, profile)
        if norm.replace(" ", "_") in (target, target.removeprefix(SCORE)):
            # The importer reads such a column without a mapping; odd answers only lower the confidence.
            out.append(
                (SUGGEST_AT, target, f"the column is named like the field, but {fit_words}")
                if fit == MISFIT
                else (NAMED_LIKE_FIELD, target, "the column is named like the field")
            )
            continue
        strength, said = word_score(rule, column.key)
        if strength:
            score = WORDS_WEIGHT * strength + fit
            reason = f"the question says {said}" + (f"; {fit_words}" if fit_words else "")
        elif rule.guess and fit == FITS:
            score, reason = rule.guess, fit_words
        else:
            continue
        if target == "availability" and fit != FITS:
            continue  # a text column only feeds availability when it holds slot numbers
        out.append((score, target, reason))
    return out


def suggest(
    frame: pd.DataFrame, table: str, criteria: Iterable[Criterion] = (), known: Iterable[Known] = ()
) -> list[Suggestion]:
    """A field (or none) for every question of a raw table, each field used by one question at most."""
    criteria = list(criteria)
    by_name = {c.name: c for c in criteria}
    rules = _rules_for(table, criteria)
    # dashboard.toml may name a review criterion without the "score." prefix, as the importer allows.
    known = sorted(
        (
            Known(k.question, SCORE + k.target, k.origin, k.rank) if table == "reviews" and k.target in by_name else k
            for k in known
        ),
        key=lambda k: k.rank,
    )
    columns = columns_of(frame)
    options: list[list[tuple[float, str, str]]] = []
    for column in columns:
        profile = _profile(list(frame[column.headers[0]])) if not column.is_grid else _profile([])
        options.append(sorted(_candidates(column, profile, table, rules, by_name, known), key=lambda o: -o[0]))
    ranked = sorted(
        ((score, i, target, reason) for i, opts in enumerate(options) for score, target, reason in opts),
        key=lambda o: (-o[0], o[1]),
    )
    chosen: dict[int, tuple[float, str, str]] = {}
    taken: dict[str, int] = {}
    for score, i, target, reason in ranked:
        if i in chosen or score < SUGGEST_AT or (target and target in taken):
            continue
        chosen[i] = (score, target, reason)
        if target:
            taken[target] = i
    result = []
    for i, column in enumerate(columns):
        if i in chosen:
            score, target, reason = chosen[i]
        else:
            score, target, reason = 0.0, "", _why_not(options[i], taken, columns, table)
        result.append(Suggestion(column.key, column.headers, column.samples, target, round(min(score, 1.0), 2), reason))
    return result


def _why_not(options: list[tuple[float, str, str]], taken: dict[str, int], columns: list[Column], table: str) -> str:
    kept = "kept as an extra answer" if f.table(table).keeps_extra else "kept with the raw rows"
    for score, target, reason in options:
        if target in taken and score >= SUGGEST_AT:
            return f"{target} fits '{columns[taken[target]].key}' better; {kept}"
        if score > 0:
            return f"unsure ({reason}); {kept}"
    return f"no {table} field fits these words or answers; {kept}"


# --- mappings: from suggestions, merged, checked, as TOML ------------------------------------


def conflicts(mapping: dict[str, str]) -> list[str]:
    """Sentences for fields chosen for more than one question (each field takes one column)."""
    by_target: dict[str, list[str]] = {}
    for question, target in mapping.items():
        if target:
            by_target.setdefault(target, []).append(question)
    return [
        f"{target} is chosen for {len(questions)} questions ({', '.join(repr(q) for q in questions)}); "
        f"keep it on the one that holds it and set the others to 'not mapped'."
        for target, questions in by_target.items()
        if len(questions) > 1
    ]


def effective_mapping(headers: Iterable[str], layers: Iterable[dict[str, str]]) -> dict[str, str]:
    """One mapping from several, the first layer winning per question and per field, for these headers.

    Entries whose question is not among the headers follow (they change nothing, but the importer
    names them when a required column is missing).
    """
    present = [normalise_header(h) for h in headers]
    chosen: dict[str, str] = {}
    absent: dict[str, str] = {}
    decided: set[str] = set()
    taken: set[str] = set()
    for layer in layers:
        for question, target in layer.items():
            norm, target = normalise_header(question), str(target).strip()
            here = norm in present or (target == GRID and any(h.startswith(norm) for h in present))
            if not here:
                absent.setdefault(question, target)
            elif norm not in decided and not (target and target in taken):
                decided.add(norm)
                chosen[question] = target
                if target:
                    taken.add(target)
    return {**chosen, **{q: t for q, t in absent.items() if normalise_header(q) not in decided}}


def questions_not_fed(
    headers: list[str], table: str, effective: dict[str, str], settings: Settings
) -> list[str] | None:
    """Headers no field would read with this mapping; None when a required field is not fed at all."""
    try:
        colmap = map_columns(list(headers), table, effective, settings, "")
    except ImportFailed:
        return None
    return colmap.extra + colmap.unmapped


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_toml(table: str, mapping: dict[str, str], notes: dict[str, str] | None = None) -> str:
    """The [mapping.<table>] block for dashboard.toml; notes become comments above their line."""
    lines = [f"[mapping.{table}]"]
    for question, target in mapping.items():
        if notes and notes.get(question):
            lines.append(f"# {' '.join(notes[question].split())}")
        lines.append(f"{_toml_string(question)} = {_toml_string(target)}")
    return "\n".join(lines) + "\n"


def suggestions_toml(table: str, suggestions: list[Suggestion]) -> str:
    """The suggested block with each reason as a comment; unmapped questions map to '' (kept as they are)."""
    notes = {s.column: (f"{s.confidence}: {s.reason}" if s.target else f"not mapped: {s.reason}") for s in suggestions}
    return to_toml(table, {s.column: s.target for s in suggestions}, notes)


# --- preview --------------------------------------------------------------------------------


@dataclass
class Preview:
    """How the first rows would be read with a mapping: nothing is stored."""

    rows: pd.DataFrame  # Row, Result, the canonical fields as they would be stored, Reason
    stored: int = 0
    rejected: int = 0
    blank: int = 0
    warnings: list[str] = field(default_factory=list)  # field-level warnings of rows that would be stored
    not_fed: list[str] = field(default_factory=list)  # headers no field reads: kept as extra answers or raw rows
    error: str = ""  # the whole import would be refused (e.g. a required column is not mapped)


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return (
            f"{len(value)} slots"
            if value and all(isinstance(v, (int, float)) for v in value)
            else ", ".join(map(str, value))
        )
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def preview(
    frame: pd.DataFrame,
    table: str,
    mapping: dict[str, str],
    settings: Settings,
    session: Session,
    *,
    sheet: str,
    row_numbers: list[int] | None = None,
    limit: int = 10,
) -> Preview:
    """Run the importer's own column matching and validation on the first rows, storing nothing."""
    head = frame.head(limit).copy()
    head.columns = [str(c) for c in head.columns]
    numbers = list(row_numbers or [i + 2 for i in range(len(frame))])[: len(head)]
    try:
        colmap = map_columns(list(head.columns), table, mapping, settings, sheet)
    except ImportFailed as exc:
        return Preview(pd.DataFrame(), error=str(exc))
    good, rejected, blank, field_warnings = validate_rows(
        head, table, colmap, sheet=sheet, row_numbers=numbers, settings=settings, session=session
    )
    by_row: dict[int, list[str]] = {}
    for warning in field_warnings:
        by_row.setdefault(warning.row_number, []).append(warning.message)
    records = []
    for position, row in good:
        number = numbers[position]
        notes = by_row.get(number, [])
        records.append(
            {
                "Row": number,
                "Result": "stored, with a warning" if notes else "stored",
                **{k: _shown(v) for k, v in row.items() if k != "extra"},
                "Reason": " ".join(notes),
            }
        )
    for rejection in rejected:
        records.append({"Row": rejection.row_number, "Result": "rejected", "Reason": rejection.reason})
    rows = pd.DataFrame(records).sort_values("Row", kind="stable") if records else pd.DataFrame()
    if len(rows):
        rows = rows[[c for c in rows.columns if c != "Reason"] + ["Reason"]]
    return Preview(
        rows.fillna("") if len(rows) else rows,
        stored=len(good),
        rejected=len(rejected),
        blank=blank,
        warnings=[w for notes in by_row.values() for w in notes],
        not_fed=colmap.extra + colmap.unmapped,
    )
