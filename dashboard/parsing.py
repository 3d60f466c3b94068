"""Turn one raw cell (a string, as a form export gives it) into a typed value.

Each parser returns the value, None for a blank cell, or raises ``BadValue`` with a
sentence saying what was expected, so the importer can tell the user what to fix.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

from dashboard import availability as availability_mod
from dashboard import fields as f
from dashboard import timezones


class BadValue(ValueError):
    """A cell whose value does not fit its field; the message says what to write instead."""


Note = Callable[[str], None]  # receives a sentence about a value that was read but deserves a second look


NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "nothing": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "half": 0.5,
}
TRUE_WORDS = {"true", "yes", "y", "1", "x", "checked", "on", "done", "completed", "oui", "ja", "sí", "si"}
TRUE_WORDS |= {"yep", "yeah", "yup", "sure", "absolutely", "of course"}
FALSE_WORDS = {"false", "no", "n", "0", "unchecked", "off", "not yet", "nope", "nah", "non", "nein"}
UNKNOWN_WORDS = {"prefer not to say", "prefer not to answer", "n/a", "na", "-", "unknown", "?", "not applicable"}

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


_PER_WEEK = re.compile(r"\s*(?:a|per|each|/|every)\s*(?:week|wk)\.?\s*$|\s*weekly\s*$|\s*-?ish\s*$", re.I)
_HOURS_AND_MINUTES = re.compile(r"(\d+)\s*(?:h|hrs?|hours?|:)\s*(\d{1,2})\s*(?:m|mins?|minutes?)?")
_MINUTES = re.compile(rf"({_NUMBER})\s*(?:m|mins?|minutes?)\.?")


def parse_hours(raw: str) -> float:
    """Hours as people write them: '4', '3.5', '3,5', '4-5' (midpoint), '3h', '~6', 'four', '2h30', '90 min'."""
    text = _PER_WEEK.sub("", str(raw).strip().lower()).strip()
    text = _HOURS_UNITS.sub("", text).strip()
    text = text.lstrip("~≈±").removeprefix("about").removeprefix("around").removeprefix("approx.").strip()
    text = re.sub(r"^between\s+(.+?)\s+and\s+(.+)$", r"\1-\2", text)
    text = _HOURS_UNITS.sub("", text).strip()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    if re.fullmatch(_NUMBER, text):
        value = _to_number(text)
    elif m := re.fullmatch(rf"({_NUMBER})\s*(?:h|hrs?|hours?)?\s*(?:-|–|to|/|or)\s*({_NUMBER})", text):
        value = (_to_number(m.group(1)) + _to_number(m.group(2))) / 2
    elif m := re.fullmatch(rf"({_NUMBER})\s*\+", text):
        value = _to_number(m.group(1))
    elif (m := _HOURS_AND_MINUTES.fullmatch(text)) and int(m.group(2)) < 60:
        value = int(m.group(1)) + int(m.group(2)) / 60
    elif m := _MINUTES.fullmatch(text):
        value = _to_number(m.group(1)) / 60
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


# 'Week 3', 'W3', '3rd', and a form's choice labels with the dates after the number: 'Week 3 (Oct 12-18)'.
_WEEK = re.compile(r"^\s*(?:week|wk|w)?\.?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[/.:]\s*\d)", re.I)


def parse_week(raw: str, low: int | None = None, high: int | None = None) -> int:
    """A week number as a form's answer gives it: '3', 'Week 3', 'W3', 'week three', 'Week 3 (Oct 12-18)'."""
    m = _WEEK.match(str(raw))
    return parse_int(m.group(1) if m else re.sub(r"^\s*week\s*", "", str(raw), flags=re.I), low, high)


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
    text = str(raw).strip().lower().replace("_", " ").rstrip(".!")  # the site's keys: not_yet, prefer_not_to_say
    if text in UNKNOWN_WORDS or text.startswith("prefer not"):
        return None
    if text in TRUE_WORDS or text.startswith("yes"):
        return True
    if text in FALSE_WORDS or text.startswith(("no,", "no ", "not ")):  # 'not really', 'not this week'
        return False
    raise BadValue(f"'{raw}' is not a yes/no answer; write Yes or No (TRUE/FALSE also work)")


def parse_email(raw: str) -> str:
    """An e-mail address, lower-cased so the same person always matches."""
    text = str(raw).strip().lower().removeprefix("mailto:")
    if not _EMAIL.match(text):
        raise BadValue(f"'{raw}' is not an e-mail address; the row cannot be matched to a person")
    return text


def parse_emails(raw: str) -> list[str]:
    """Several e-mail addresses in one answer (',' or ';' between them), each lower-cased as parse_email does."""
    items = parse_list(raw)
    bad = [item for item in items if not _EMAIL.match(item.strip().lower().removeprefix("mailto:"))]
    if bad:
        named = ", ".join(f"'{b}'" for b in bad)
        raise BadValue(
            f"{named} {'is not an e-mail address' if len(bad) == 1 else 'are not e-mail addresses'}; "
            "list each person by e-mail, separated by commas, so they can be matched"
        )
    return [parse_email(item) for item in items]


def _norm_option(text: str) -> str:
    return re.sub(r"\s*,\s*", ",", " ".join(str(text).split())).casefold()


def _chunks(raw: str) -> list[str]:
    """One answer cut where nothing but a separator can be: ';' (Forms' CSV download) and line breaks."""
    return [c for c in (part.strip() for part in re.split(r"[;\n]", str(raw))) if c]


def _atoms(chunk: str) -> list[str]:
    """A chunk cut at its commas, never inside brackets: 'Django (docs, translations)' stays whole."""
    atoms, depth, current = [], 0, ""
    for char in chunk:
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth <= 0:
            atoms.append(current.strip())
            current = ""
        else:
            current += char
    atoms.append(current.strip())
    return [a for a in atoms if a]


def _cover(atoms: list[str], known: dict[str, str]) -> list[tuple[str, bool]]:
    """Atoms joined into the longest known options (longest first); (text, known?) in order."""
    out, i = [], 0
    while i < len(atoms):
        for j in range(len(atoms), i, -1):
            option = known.get(_norm_option(", ".join(atoms[i:j])))
            if option is not None:
                out.append((option, True))
                i = j
                break
        else:
            out.append((atoms[i], False))
            i += 1
    return out


def _spots(atoms: tuple[str, ...], run: tuple[str, ...]) -> list[int]:
    return [i for i in range(len(atoms) - len(run) + 1) if atoms[i : i + len(run)] == run]


def list_options(answers: Iterable, configured: Iterable[str] = ()) -> tuple[str, ...]:
    """A checkbox question's options: the configured ones, then what the column's answers prove.

    A part without a comma (outside brackets) that someone gave as their whole answer is an option.
    A whole answer with commas ('Translations, docs and i18n') is one option when it turns up in
    at least two answers (whole, or inside a longer one) and its parts never turn up apart from it:
    then reading it as one option is the only consistent split. Anything else is cut at its commas.
    """
    known = {_norm_option(o): str(o).strip() for o in configured if str(o).strip()}
    chunks = [tuple(_atoms(c)) for raw in answers if not is_blank(raw) for c in _chunks(raw)]
    for atoms in chunks:
        if len(atoms) == 1:
            known.setdefault(_norm_option(atoms[0]), atoms[0])
    for whole in dict.fromkeys(c for c in chunks if len(c) > 1):
        if all(_norm_option(a) in known for a in whole):
            continue
        seen = [(atoms, _spots(atoms, whole)) for atoms in chunks if set(whole) & set(atoms)]
        apart = any(
            part in whole and not any(start <= k < start + len(whole) for start in spots)
            for atoms, spots in seen
            for k, part in enumerate(atoms)
        )
        if not apart and sum(bool(spots) for _, spots in seen) >= 2:
            known.setdefault(_norm_option(", ".join(whole)), ", ".join(whole))
    return tuple(known.values())


def parse_list(raw: str, options: Iterable[str] = ()) -> list[str]:
    """Checkbox answers: ';' (Forms' CSV), ', ' (Sheets) or ',' (the site) between the known options."""
    known = {_norm_option(o): o for o in options}
    return [text for chunk in _chunks(raw) for text, _ in _cover(_atoms(chunk), known)]


def choice_key(label: str) -> str:
    """The key Djangonaut Space's site stores for a choice label (home/forms.py make_choices)."""
    return str(label).strip().replace(" ", "_").lower()


_SITE_KEY = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


def from_choice_key(text: str, labels: Iterable[str] = ()) -> str:
    """The answer a site choice key stands for: the configured label with that key, else the key in words."""
    for label in labels:
        if choice_key(label) == text:
            return str(label).strip()
    if _SITE_KEY.match(text):
        words = text.replace("_", " ")
        return words[:1].upper() + words[1:]
    return text


def parse_timezone(raw: str, note: Note | None = None) -> str:
    """A time zone as people write it, as the name Mission Control stores (see dashboard.timezones).

    IANA names in any case; 'UTC+5:30', 'GMT-4', '(GMT+05:30) Chennai' become fixed offsets;
    abbreviations such as 'EST' too, with a note that a fixed offset ignores daylight saving.
    """
    text = " ".join(str(raw).split())
    minutes = timezones.offset_minutes(text)
    if minutes is not None:
        return timezones.offset_name(minutes)
    word = re.split(r"[\s(,]+", text)[0].upper()
    if word in timezones.ABBREVIATIONS:
        minutes = timezones.ABBREVIATIONS[word]
        if word in timezones.DAYLIGHT_SAVING and note is not None:
            hours, mins = divmod(abs(minutes), 60)
            note(
                f"'{raw}' was read as the fixed offset UTC{'+' if minutes >= 0 else '-'}{hours:02d}:{mins:02d}, which "
                "ignores daylight saving (in summer the person's clock may differ by an hour); ask for a place such "
                "as America/New_York or Europe/London instead"
            )
        return timezones.offset_name(minutes)
    # 'America/St Johns' and 'Europe/Paris (CET)' are both seen in forms.
    name = timezones.iana_name(text) or timezones.iana_name(text.split(" ")[0]) or timezones.place_zone(text)
    if name:
        return name
    raise BadValue(
        f"'{raw}' is not a time zone; write a place such as Europe/Paris or Asia/Kolkata, "
        "or an offset such as UTC+05:30"
    )


DATE_ORDERS = ("MDY", "DMY", "YMD")
# AM/PM as Sheets' locales write it: after the time ('6:31:58 PM', 'p.m.'), or before it in Korean,
# Chinese and Japanese ('오후 6:31:58', '下午6:31:58', '午後6:31:58').
_MARKERS = {"오전": "am", "上午": "am", "午前": "am", "오후": "pm", "下午": "pm", "午後": "pm"}
_AMPM = r"[ap]\.?\s?m\.?|" + "|".join(_MARKERS)
_DATE_TIME = re.compile(
    r"^(?P<a>\d{1,4})\s*(?P<sep>[./-])\s*(?P<b>\d{1,2})\s*[./-]\s*(?P<c>\d{1,4})\.?"
    rf"(?:(?:\s*,\s*|\s+|T)(?:(?P<before>{_AMPM})\s*)?(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})"
    rf"(?::(?P<second>\d{{2}})(?:[.,](?P<fraction>\d+))?)?\s*(?P<after>{_AMPM})?)?\s*(?P<zone>.*)$",
    re.I,
)
EXAMPLES = {"MDY": "10/5/2026 18:31:58", "DMY": "5/10/2026 18:31:58", "YMD": "2026/10/05 18:31:58"}
# A plain number in a timestamp column is a spreadsheet's date serial (days since 1899-12-30, Excel's and
# Google Sheets' epoch): a cell formatted as a number, or an XLSX cell read without its date format.
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
SERIAL_EPOCH = datetime(1899, 12, 30)


def _zone_of_timestamp(text: str, default: str):
    """The tzinfo a timestamp's trailing zone names ('GMT+2', '+02:00', 'EST', an IANA name), the default, or None."""
    text = text.strip()
    if not text:
        return timezones.zone_info(default)
    minutes = timezones.offset_minutes(text)
    if minutes is None and text.upper() in timezones.ABBREVIATIONS:
        # In a timestamp an abbreviation is exact: Google writes EST in winter and EDT in summer.
        minutes = timezones.ABBREVIATIONS[text.upper()]
    if minutes is not None:
        return timezones.fixed_offset(minutes)
    name = timezones.iana_name(text)
    return timezones.zone_info(name) if name else None


def _year(text: str) -> int:
    return int(text) + (2000 if len(text) <= 2 else 0)


def parse_datetime(raw: str, date_order: str = "MDY", tz: str = "UTC") -> datetime:
    """A form timestamp in the sheet's locale order and time zone, returned as naive UTC.

    Reads RFC 3339 (the Forms API), Sheets' formatted values in the locale's order, and Google
    Forms' CSV download ('2026/10/05 6:31:58 PM GMT+2'): a four-digit year first is read as
    year/month/day whatever the order; 12-hour times with AM/PM; GMT/UTC offsets and abbreviations.
    """
    text = " ".join(str(raw).split())
    order = date_order.upper() if date_order.upper() in DATE_ORDERS else "MDY"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None and _SERIAL.match(text) and 20000 <= float(text) < 80000:  # 1954-2119
        parsed = SERIAL_EPOCH + timedelta(seconds=round(float(text) * 86400))
    if parsed is None:
        m = _DATE_TIME.match(text)
        if not m:
            raise BadValue(
                f"'{raw}' is not a date and time like {EXAMPLES[order]} (the sheet's {order} order) "
                "or 2026/10/05 6:31:58 PM GMT+2"
            )
        a, b, c = m.group("a"), m.group("b"), m.group("c")
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif m.group("sep") == ".":  # '5.10.2026': every locale that writes dots puts the day first
            year, month, day = _year(c), int(b), int(a)
        elif order == "YMD":
            raise BadValue(
                f"'{raw}' does not start with the year, as the sheet's YMD order says; "
                "write it as 2026/10/05 or set [import] date_order"
            )
        elif order == "DMY":
            year, month, day = _year(c), int(b), int(a)
        else:
            year, month, day = _year(c), int(a), int(b)
        hour, minute = int(m.group("hour") or 0), int(m.group("minute") or 0)
        marker = m.group("before") or m.group("after") or ""
        ampm = _MARKERS.get(marker) or marker.lower().replace(".", "").replace(" ", "")
        if ampm and not 1 <= hour <= 12:
            raise BadValue(f"'{raw}' has hour {hour} with {ampm.upper()}; 12-hour times run from 1 to 12")
        if ampm:
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        try:
            parsed = datetime(
                year,
                month,
                day,
                hour,
                minute,
                int(m.group("second") or 0),
                int((m.group("fraction") or "0")[:6].ljust(6, "0")),
            )
        except ValueError:
            other = {"MDY": "DMY", "DMY": "MDY"}.get(order)
            hint = f'; if the sheet writes the day first, set [import] date_order = "{other}"' if other else ""
            raise BadValue(f"'{raw}' is not a real date in the sheet's {order} order{hint}") from None
        zone = _zone_of_timestamp(m.group("zone"), tz)
        if zone is None:
            raise BadValue(
                f"'{raw}' ends in '{m.group('zone')}', which is not a time zone; write an offset such "
                "as GMT+2 or leave it out"
            )
        parsed = parsed.replace(tzinfo=zone)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezones.zone_info(tz))
    return parsed.astimezone(timezone.utc).replace(tzinfo=None)


def column_date_order(values: Iterable, date_order: str = "MDY") -> tuple[str, str | None]:
    """The order a column of dates is written in, and the value that proves it when it is not the configured one.

    A column where some dates are impossible in the configured order ('23/10/2026' in an MDY sheet)
    but every date reads in the other (MDY <-> DMY) is in that other order: reading the rest the
    configured way would silently swap their day and month.
    """
    other = {"MDY": "DMY", "DMY": "MDY"}.get(date_order.upper())
    texts = [str(v) for v in values if not is_blank(v)]
    if other is None or not texts:
        return date_order, None

    def reads(text: str, order: str) -> bool:
        try:
            parse_datetime(text, order)
        except (BadValue, ValueError):
            return False
        return True

    proof = next((t for t in texts if not reads(t, date_order)), None)
    if proof is not None and reads(proof, other) and all(reads(t, other) for t in texts):
        return other, proof
    return date_order, None


def parse_date(raw: str, date_order: str = "MDY") -> date:
    """A calendar date in the sheet's order or ISO form."""
    return parse_datetime(raw, date_order).date()


NEGATIONS = {"not", "no", "non", "never"}


def parse_choice(raw: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words, matched without regard to case or plural 's'.

    A form's own labels name the word inside a longer answer ('Mid-session survey', 'End of session',
    'Navigator (mentor)', 'Organizer', 'Accept'): the one choice the answer's words name is read,
    unless a word negates it ('Not accepted' is no choice at all).
    """
    text = str(raw).strip().lower().replace("_", " ")
    for choice in choices:
        if text in (choice, choice + "s") or text.rstrip("s") == choice:
            return choice
    words = re.findall(r"[^\W\d_]+", text.replace("z", "s"))  # 'organizer' is 'organiser'
    named = {
        choice
        for choice in choices
        for word in words
        if word.rstrip("s") == choice or word.startswith(choice) or (len(word) >= 4 and choice.startswith(word))
    }
    if len(named) == 1 and not NEGATIONS & set(words):
        return named.pop()
    raise BadValue(f"'{raw}' is not one of {', '.join(choices)}")


def parse_value(
    field: f.Field,
    raw: str,
    *,
    date_order: str = "MDY",
    tz: str = "UTC",
    options: Iterable[str] = (),
    choice_keys: bool = False,
    note: Note | None = None,
):
    """Parse a raw cell for a canonical field; None when the cell is blank.

    options: a checkbox question's known options (see list_options); choice_keys: the cell comes
    from Djangonaut Space's site, which stores choice answers as keys ('some_experience');
    note: told about values that were read but deserve a second look.
    """
    if is_blank(raw):
        return None
    kind = field.kind
    if kind == f.TEXT:
        text = str(raw).strip()
        return from_choice_key(text, options) if choice_keys and not field.verbatim else text
    if kind == f.EMAIL:
        return parse_email(raw)
    if kind == f.EMAILS:
        return parse_emails(raw)
    if kind == f.INT and field.name == "week":
        return parse_week(raw, field.low, field.high)
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
        items = parse_list(raw, options)
        return [from_choice_key(item, options) for item in items] if choice_keys else items
    if kind == f.TIMEZONE:
        return parse_timezone(raw, note)
    if kind == f.CHOICE:
        return parse_choice(raw, field.choices)
    if kind == f.AVAILABILITY:
        return availability_mod.parse_slots_text(raw)
    raise ValueError(f"unknown field kind {kind!r}")
