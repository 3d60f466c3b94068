"""Time zones as forms write them, and the one loader for the time zones Mission Control stores.

A stored time zone is an IANA name (``Europe/Paris``), a whole-hour fixed offset in IANA's own
``Etc/GMT-5`` form (note IANA's inverted sign: ``Etc/GMT-5`` is UTC+05:00), or a fixed offset
that IANA has no name for, written ``UTC+05:30``. ``zone_info`` opens all three; use it wherever
a stored time zone is turned into a ``tzinfo``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_SIGN = r"([+\-−–])"  # people type a minus sign or an en dash as often as a hyphen
OFFSET = re.compile(rf"^\(?\s*(?:UTC|GMT|Z)?\s*{_SIGN}\s*(\d{{1,2}})(?:[:.h]?(\d{{2}}))?\s*\)?", re.I)
STORED_OFFSET = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")

# Abbreviations people and Google Forms write, as the fixed offsets they stand for. Where one is
# ambiguous the reading most common in a worldwide program wins (IST = India, CST = US Central).
ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "IST": 330,
    "CET": 60,
    "CEST": 120,
    "MET": 60,
    "MEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "WAT": 60,
    "CAT": 120,
    "EAT": 180,
    "SAST": 120,
    "PKT": 300,
    "NPT": 345,
    "ICT": 420,
    "WIB": 420,
    "SGT": 480,
    "HKT": 480,
    "PHT": 480,
    "PST": -480,
    "PDT": -420,
    "AWST": 480,
    "JST": 540,
    "KST": 540,
    "ACST": 570,
    "ACDT": 630,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
    "AST": -240,
    "ADT": -180,
    "NST": -210,
    "NDT": -150,
    "BRT": -180,
    "ART": -180,
}
# Abbreviations of places that change their clocks: as a fixed offset they are wrong half the year.
DAYLIGHT_SAVING = {
    "WET",
    "WEST",
    "BST",
    "CET",
    "CEST",
    "MET",
    "MEST",
    "EET",
    "EEST",
    "ACST",
    "ACDT",
    "AEST",
    "AEDT",
    "NZST",
    "NZDT",
    "EST",
    "EDT",
    "CST",
    "CDT",
    "MST",
    "MDT",
    "PST",
    "PDT",
    "AKST",
    "AKDT",
    "AST",
    "ADT",
    "NST",
    "NDT",
}


def offset_name(minutes: int) -> str:
    """The stored name of a fixed UTC offset: 'UTC', 'Etc/GMT-5' (UTC+5) or 'UTC+05:30'."""
    if minutes == 0:
        return "UTC"
    if minutes % 60 == 0 and -12 * 60 <= minutes <= 14 * 60:
        return f"Etc/GMT{'-' if minutes > 0 else '+'}{abs(minutes) // 60}"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours:02d}:{mins:02d}"


def offset_minutes(text: str) -> int | None:
    """Minutes east of UTC in 'UTC+5:30', 'GMT-4', '+0530' or '(GMT+05:30) Chennai'; None when there is no offset."""
    match = OFFSET.match(text.strip())
    if not match:
        return None
    hours, mins = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or mins >= 60:
        return None
    return (-1 if match.group(1) != "+" else 1) * (hours * 60 + mins)


@lru_cache(maxsize=1)
def _iana_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def iana_name(text: str) -> str | None:
    """The IANA name a person meant ('europe/paris', 'America/St Johns' -> 'America/St_Johns'), or None."""
    for candidate in (text, text.replace(" ", "_")):
        name = _iana_by_lower().get(candidate.strip().lower())
        if name:
            return name
    return None


# Zones as people name them in words, mapped to a place in them (each follows its daylight saving).
ZONE_WORDS = {
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "atlantic": "America/Halifax",
    "central european": "Europe/Paris",
    "western european": "Europe/Lisbon",
    "eastern european": "Europe/Athens",
    "british": "Europe/London",
    "irish": "Europe/Dublin",
    "india": "Asia/Kolkata",
    "indian": "Asia/Kolkata",
    "japan": "Asia/Tokyo",
    "australian eastern": "Australia/Sydney",
    "brasilia": "America/Sao_Paulo",
}
_ZONE_WORDS = re.compile(r"^(?P<words>[a-z ]+?)\s+(?:standard\s+|daylight\s+|summer\s+)?time\b", re.I)
REGIONS = ("Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")


@lru_cache(maxsize=1)
def _zone_by_city() -> dict[str, str]:
    """'new york' -> 'America/New_York': each place's last name part, the shortest zone name when two share it."""
    cities: dict[str, str] = {}
    for name in sorted(available_timezones(), key=len, reverse=True):
        if name.startswith(REGIONS):
            cities[name.rsplit("/", 1)[1].replace("_", " ").lower()] = name
    return cities


def place_zone(text: str) -> str | None:
    """The IANA name of a place or zone written in words ('Berlin, Germany', 'New York', 'Eastern Time'), or None."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().strip().lower()
    if match := _ZONE_WORDS.match(plain):
        if zone := ZONE_WORDS.get(" ".join(match.group("words").split())):
            return zone
    city = " ".join(re.split(r"[,(/]", plain)[0].split())
    return _zone_by_city().get(city)


def zone_info(name: str) -> tzinfo:
    """The tzinfo of a stored time zone (IANA name or 'UTC+05:30'); KeyError when it is neither."""
    text = str(name).strip()
    if match := STORED_OFFSET.match(text):
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return timezone(timedelta(minutes=minutes if match.group(1) == "+" else -minutes), text)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KeyError(f"'{name}' is not a time zone") from exc


def fixed_offset(minutes: int) -> tzinfo:
    """A tzinfo for a fixed offset in minutes east of UTC (for timestamps that carry their offset)."""
    return timezone(timedelta(minutes=minutes))
