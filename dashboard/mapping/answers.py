"""Recognising what a column's answers look like, and how well they fit a field."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from dashboard import availability, fields as f
from dashboard.mapping.question_words import FITS, MISFIT, UNSURE_FIT, Rule
from dashboard.parsing import (
    is_blank,
    parse_bool,
    parse_choice,
    parse_email,
    parse_emails,
    parse_hours,
    parse_int,
    parse_number,
    parse_scale,
    parse_timezone,
)

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
    f.EMAILS: "e-mail addresses (several per row)",
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
        f.EMAILS: parse_emails,
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
