"""Turn one raw cell (a string, as a form export gives it) into a typed value.

Each parser returns the value, None for a blank cell, or raises ``BadValue`` with a
sentence saying what was expected, so the importer can tell the user what to fix.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard import availability as availability_mod
from dashboard import fields as f


class BadValue(ValueError):
    """A cell whose value does not fit its field; the message says what to write instead."""


NUMBER_WORDS = {
    "zero": 0, "none": 0, "nothing": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "half": 0.5,
}
TRUE_WORDS = {"true", "yes", "y", "1", "x", "checked", "on", "done", "completed", "oui", "ja", "sí", "si"}
FALSE_WORDS = {"false", "no", "n", "0", "unchecked", "off", "not yet", "nope", "non", "nein"}
UNKNOWN_WORDS = {"prefer not to say", "prefer not to answer", "n/a", "na", "-", "unknown", "?"}

_NUMBER = r"\d+(?:[.,]\d+)?"
_HOURS_UNITS = re.compile(r"\s*(h|hr|hrs|hour|hours|heures|std|stunden)\.?\s*$", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_blank(raw: object) -> bool:
    """True for None, NaN and strings with only whitespace."""
    if raw is None:
        return True
    if isinstance(raw, float) and raw != raw:
        return True
    return str(raw).strip() == ""


def _to_number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_hours(raw: str) -> float:
    """Hours as people write them: '4', '3.5', '3,5', '4-5' (midpoint), '3h', '~6', 'four'."""
    text = _HOURS_UNITS.sub("", str(raw).strip().lower()).strip()
    text = text.lstrip("~≈±").removeprefix("about").removeprefix("around").removeprefix("approx.").strip()
    text = _HOURS_UNITS.sub("", text).strip()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    if re.fullmatch(_NUMBER, text):
        value = _to_number(text)
    elif m := re.fullmatch(rf"({_NUMBER})\s*(?:-|–|to|/)\s*({_NUMBER})", text):
        value = (_to_number(m.group(1)) + _to_number(m.group(2))) / 2
    elif m := re.fullmatch(rf"({_NUMBER})\s*\+", text):
        value = _to_number(m.group(1))
    else:
        raise BadValue(f"'{raw}' is not a number of hours; write a number such as 4, 3.5 or 4-5")
    if value < 0 or value > 168:
        raise BadValue(f"'{raw}' hours is outside 0-168 (the hours in a week); correct the number")
    return value


def parse_int(raw: str, low: int | None = None, high: int | None = None) -> int:
    """A whole number ('3', '3.0', 'three'), optionally within low..high."""
    text = str(raw).strip().lower()
    if text in NUMBER_WORDS and float(NUMBER_WORDS[text]).is_integer():
        value = int(NUMBER_WORDS[text])
    else:
        try:
            number = _to_number(text)
        except ValueError:
            raise BadValue(f"'{raw}' is not a whole number; write a number such as 3") from None
        if not number.is_integer():
            raise BadValue(f"'{raw}' is not a whole number; write a number such as 3")
        value = int(number)
    if (low is not None and value < low) or (high is not None and value > high):
        raise BadValue(f"'{raw}' is outside {low}-{high}; write a number from {low} to {high}")
    return value


def parse_number(raw: str) -> float:
    """A plain number such as a total score: '3.5' or '3,5'."""
    text = str(raw).strip()
    if not re.fullmatch(r"[+-]?" + _NUMBER, text):
        raise BadValue(f"'{raw}' is not a number; write digits such as 3.5")
    return _to_number(text)


def parse_scale(raw: str, low: int = 1, high: int = 5) -> int:
    """A 1-5 style answer; Google Forms scale labels like '4 - often' keep their number."""
    text = str(raw).strip()
    m = re.match(r"^\s*(\d+)\b", text)
    return parse_int(m.group(1) if m else text, low, high)


def parse_bool(raw: str) -> bool | None:
    """Checkbox and yes/no answers: TRUE/FALSE, Yes/No, x; 'prefer not to say' is unknown."""
    text = str(raw).strip().lower().rstrip(".!")
    if text in TRUE_WORDS or text.startswith("yes"):
        return True
    if text in FALSE_WORDS or text.startswith("no,") or text.startswith("no "):
        return False
    if text in UNKNOWN_WORDS or text.startswith("prefer not"):
        return None
    raise BadValue(f"'{raw}' is not a yes/no answer; write Yes or No (TRUE/FALSE also work)")


def parse_email(raw: str) -> str:
    """An e-mail address, lower-cased so the same person always matches."""
    text = str(raw).strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(text):
        raise BadValue(f"'{raw}' is not an e-mail address; the row cannot be matched to a person")
    return text


def parse_list(raw: str) -> list[str]:
    """Multi-select answers joined with ', ' (Google Forms) or ';'."""
    parts = re.split(r"\s*[;,\n]\s*", str(raw).strip())
    return [p for p in (part.strip() for part in parts) if p]


def parse_timezone(raw: str) -> str:
    """An IANA time zone name ('Europe/Paris'); 'UTC+5:30' style offsets are not enough for DST."""
    text = str(raw).strip()
    # 'America/St Johns' and 'Europe/Paris (CET)' are both seen in forms.
    for name in (text, text.replace(" ", "_"), text.split(" ")[0]):
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if text.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    raise BadValue(f"'{raw}' is not a time zone name; use an IANA name such as Europe/Paris or Asia/Kolkata")


DATE_ORDERS = {
    "MDY": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"),
    "DMY": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"),
    "YMD": ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d"),
}
ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_datetime(raw: str, date_order: str = "MDY", tz: str = "UTC") -> datetime:
    """A form timestamp in the sheet's locale order and time zone, returned as naive UTC."""
    text = str(raw).strip()
    parsed = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in DATE_ORDERS.get(date_order.upper(), ()) + ISO_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        example = {"MDY": "11/23/2026 14:05:00", "DMY": "23/11/2026 14:05:00"}.get(date_order.upper(), "2026-11-23 14:05:00")
        raise BadValue(f"'{raw}' is not a date and time like {example} (the sheet's {date_order} order)")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(timezone.utc).replace(tzinfo=None)


def parse_date(raw: str, date_order: str = "MDY") -> date:
    """A calendar date in the sheet's order or ISO form."""
    return parse_datetime(raw, date_order).date()


def parse_choice(raw: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words, matched without regard to case or plural 's'."""
    text = str(raw).strip().lower()
    for choice in choices:
        if text in (choice, choice + "s") or text.rstrip("s") == choice:
            return choice
    raise BadValue(f"'{raw}' is not one of {', '.join(choices)}")


def parse_value(field: f.Field, raw: str, *, date_order: str = "MDY", tz: str = "UTC"):
    """Parse a raw cell for a canonical field; None when the cell is blank."""
    if is_blank(raw):
        return None
    kind = field.kind
    if kind == f.TEXT:
        return str(raw).strip()
    if kind == f.EMAIL:
        return parse_email(raw)
    if kind == f.INT and field.name == "week":
        return parse_int(re.sub(r"^\s*week\s*", "", str(raw), flags=re.I), field.low, field.high)
    if kind == f.INT:
        return parse_int(raw, 0)
    if kind == f.NUMBER:
        return parse_number(raw)
    if kind == f.HOURS:
        return parse_hours(raw)
    if kind == f.SCALE:
        return parse_scale(raw, field.low, field.high)
    if kind == f.BOOL:
        return parse_bool(raw)
    if kind == f.DATETIME:
        return parse_datetime(raw, date_order, tz)
    if kind == f.DATE:
        return parse_date(raw, date_order)
    if kind == f.LIST:
        return parse_list(raw)
    if kind == f.TIMEZONE:
        return parse_timezone(raw)
    if kind == f.CHOICE:
        return parse_choice(raw, field.choices)
    if kind == f.AVAILABILITY:
        return availability_mod.parse_slots_text(raw)
    raise ValueError(f"unknown field kind {kind!r}")
