"""Weekly e-mail digests: each Captain hears which of their own Djangonauts need a check-in; organisers get the numbers.

A Captain's digest is what the Wellbeing page shows that Captain as of the digest's week
(wellbeing.for_viewer + compute_for), for the teams they captain only: names, severity, the
one-line signal reasons, who asked for a one-to-one, who has not checked in. The organisers'
digest holds the session's numbers and the Captains whose people have open high-severity
signals, and names no Djangonaut. No message ever holds check-in notes, blockers text, survey
free text or one-to-one notes: signal reasons are built from numbers, never from answers.

When: session week N ends 7*N days after the session's start date (00:00 UTC). Its cut-off is
[digest] cutoff_hours after that: the check-ins that have arrived by then are the week's digest.
`digest send` sends the latest week whose cut-off has passed, on [digest] send_day (UTC).

Once only: a digest is recorded (models.DigestSend, unique per session, week, recipient and
kind) in the transaction that is open while the mail server takes the message, and commits
as soon as the server has said yes. A run that stops half-way is simply run again. The one
window left is a crash between the server's yes and that commit (milliseconds): the next run
sends that one message again, with the same Message-ID. We chose that over the opposite
(record first, send after), which in the same crash would lose the digest without a trace.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession

from dashboard import access, audit, db as dbmod, models, reads, wellbeing
from dashboard.config import ConfigError, Settings, secrets_file_section
from dashboard.mailer import Mailer, MailUnavailable, RecipientRefused, is_address
from dashboard.sessions import Session, week_end, week_start

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CAPTAIN, ORGANISER = "captain", "organiser"
KIND_LABELS = {CAPTAIN: "Captain's", ORGANISER: "Organisers'"}
DRY_RUN_SENDER = "Mission Control <mission-control@example.org>"
EXIT_OK, EXIT_SOME_NOT_SENT, EXIT_MAIL_UNAVAILABLE = 0, 3, 4
SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3"}


class DigestRefused(Exception):
    """The run cannot start (demo data, a week that is not over); the message says what to do."""


# --- settings and weeks ------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSettings:
    """[digest] send_day (0 = Monday), cutoff_hours after a week ends, app_url for the link."""

    send_day: int = 0
    cutoff_hours: float = 12.0
    app_url: str | None = None

    @property
    def send_day_name(self) -> str:
        return WEEKDAYS[self.send_day].capitalize()

    @property
    def link(self) -> str | None:
        """The Wellbeing page's address (streamlit_app.py serves each page at its key)."""
        return f"{self.app_url}/wellbeing" if self.app_url else None


def digest_settings(settings: Settings | None) -> DigestSettings:
    """The [digest] timing and link settings (defaults: Monday, 12 hours, no link)."""
    cfg = settings.section("digest") if settings is not None else {}
    day = str(cfg.get("send_day", "Monday")).strip().lower()
    if day not in WEEKDAYS:
        raise ConfigError(
            f'dashboard.toml [digest] send_day = {cfg.get("send_day")!r} is not a weekday; use e.g. "Monday".'
        )
    try:
        cutoff = float(cfg.get("cutoff_hours", 12))
    except (TypeError, ValueError):
        cutoff = -1.0
    if not 0 <= cutoff < 7 * 24:
        raise ConfigError(
            f"dashboard.toml [digest] cutoff_hours = {cfg.get('cutoff_hours')!r} must be a number of hours "
            "from 0 to 167 (how long after a week ends its check-ins still count)."
        )
    url = str(cfg.get("app_url") or "").strip().rstrip("/") or None
    return DigestSettings(WEEKDAYS.index(day), cutoff, url)


def week_cutoff(start_date: date, week: int, cutoff_hours: float) -> datetime:
    """When a session week's check-ins stop counting for its digest (UTC)."""
    return datetime.combine(week_end(start_date, week), time()) + timedelta(hours=cutoff_hours)


def latest_closed_week(session: Session, cutoff_hours: float, now: datetime) -> int | None:
    """The latest session week whose cut-off has passed (at most the session's last week); None before week 1's."""
    start = session.start_date
    if start is None:
        return None
    week = 0
    while week < session.weeks and week_cutoff(start, week + 1, cutoff_hours) <= now:
        week += 1
    return week or None


def _when(moment: datetime) -> str:
    return f"{moment:%a %d %b %Y, %H:%M} UTC"


# --- what a message says -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a section, with optional detail lines and a severity badge."""

    title: str
    lines: tuple[str, ...] = ()
    severity: str | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[Item, ...]
    empty: str = ""


@dataclass(frozen=True)
class Digest:
    """One recipient's digest for one week, before it becomes an e-mail."""

    kind: str
    recipient: str
    name: str
    week: int
    subject: str
    intro: str
    sections: tuple[Section, ...]
    footer: str
    link: str | None
    people: tuple[str, ...] = ()  # e-mails of the Djangonauts the message names (for the audit log)
    about: str = ""  # "Captain of Team Aurora": how the output names this recipient

    def text(self) -> str:
        """The plain-text body."""
        out = [f"Hi {self.name},", "", self.intro, ""]
        for section in self.sections:
            out.append(f"{section.heading}")
            if not section.items:
                out.append(f"  {section.empty}")
            for item in section.items:
                badge = f" [{item.severity.capitalize()}]" if item.severity else ""
                out.append(f"- {item.title}{badge}")
                out += [f"    {line}" for line in item.lines]
            out.append("")
        if self.link:
            out += [f"Open the Wellbeing page: {self.link}", ""]
        out += ["-- ", self.footer]
        return "\n".join(out) + "\n"

    def html(self) -> str:
        """A simple HTML body: the same words as the text, every outside value escaped."""
        e = html.escape
        parts = [f"<p>Hi {e(self.name)},</p>", f"<p>{e(self.intro)}</p>"]
        for section in self.sections:
            parts.append(f'<h2 style="font-size:17px;margin:22px 0 8px">{e(section.heading)}</h2>')
            if not section.items:
                parts.append(f'<p style="color:#555">{e(section.empty)}</p>')
                continue
            parts.append('<ul style="padding-left:20px;margin:0">')
            for item in section.items:
                badge = ""
                if item.severity:
                    colour = SEVERITY_COLOURS.get(item.severity, "#555")
                    badge = (
                        f' <span style="color:#fff;background:{colour};border-radius:4px;padding:1px 6px;'
                        f'margin-left:4px;font-size:12px">{e(item.severity.capitalize())}</span>'
                    )
                lines = "".join(f'<li style="margin:2px 0">{e(line)}</li>' for line in item.lines)
                title = f"<strong>{e(item.title)}</strong>" if lines or badge else e(item.title)
                parts.append(
                    f'<li style="margin:6px 0">{title}{badge}'
                    + (f'<ul style="color:#333;padding-left:18px">{lines}</ul>' if lines else "")
                    + "</li>"
                )
            parts.append("</ul>")
        if self.link:
            parts.append(
                f'<p style="margin:24px 0"><a href="{e(self.link, quote=True)}" style="background:#2c1e5a;'
                'color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open the Wellbeing page</a></p>'
            )
        parts.append(
            f'<p style="color:#666;font-size:13px;border-top:1px solid #ddd;padding-top:10px">{e(self.footer)}</p>'
        )
        body = "\n".join(parts)
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + e(self.subject) + "</title></head>"
            '<body style="font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:15px;'
            'line-height:1.45;color:#1a1a1a;max-width:640px;margin:0 auto;padding:16px">\n'
            + body
            + "\n</body></html>\n"
        )

    def message(self, sender: str, session_id: int) -> EmailMessage:
        """The e-mail: plain text plus HTML; a Message-ID fixed per session, week, kind and recipient."""
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = (
            formataddr((" ".join(self.name.split()), self.recipient)) if self.name != self.recipient else self.recipient
        )
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
        token = hashlib.sha256(f"{session_id}/{self.week}/{self.kind}/{self.recipient}".encode()).hexdigest()[:24]
        msg["Message-ID"] = f"<digest-{token}@{parseaddr(sender)[1].rpartition('@')[2] or 'mission-control'}>"
        msg.set_content(self.text())
        msg.add_alternative(self.html(), subtype="html")
        return msg


# --- who gets what -----------------------------------------------------------------------


@dataclass
class SessionData:
    """A session's tables, loaded once for every recipient's digest."""

    session: Session
    checkins: pd.DataFrame
    people: pd.DataFrame
    teams: pd.DataFrame
    one_to_ones: pd.DataFrame
    surveys: pd.DataFrame

    def for_viewer(self, viewer: access.Viewer) -> wellbeing.WellbeingData:
        return wellbeing.for_viewer(
            viewer, self.session, self.checkins, self.people, self.teams, self.one_to_ones, self.surveys
        )


def load_session(url: str, session_id: int) -> SessionData:
    """Everything a week's digests are computed from."""
    return SessionData(
        reads.session(url, session_id),
        reads.load_table(url, session_id, "checkins"),
        reads.load_table(url, session_id, "people"),
        reads.load_table(url, session_id, "teams"),
        reads.load_one_to_ones(url, session_id),
        reads.load_table(url, session_id, "surveys"),
    )


def captain_viewer(email: str, data: SessionData) -> access.Viewer:
    """A Captain as the digest sees them: the teams they captain only (not teams they navigate, not organiser rights)."""
    found = access.roles_for(email, {}, data.people, data.teams)
    return access.Viewer(
        email=found.email, roles=frozenset({access.CAPTAIN}), captain_of=found.captain_of, name=found.name
    )


def organiser_emails(settings: Settings, data: SessionData, demo: bool, secrets_roles: dict | None = None) -> list[str]:
    """[roles] organisers (secrets win over dashboard.toml, as for sign-in); for demo data, the demo's organisers."""
    roles = dict(settings.section("roles"))
    roles.update(secrets_file_section("roles") if secrets_roles is None else secrets_roles)
    listed = roles.get("organisers") or []
    emails = [listed] if isinstance(listed, str) else list(listed)
    if not emails and demo and len(data.people):  # as the demo's "Viewing as" personas do
        emails = list(data.people.loc[data.people["role"] == "organiser", "email"])
    return sorted({str(e).strip().lower() for e in emails if str(e).strip()})


def _names(people: pd.DataFrame) -> dict[str, str]:
    return {e: (n if isinstance(n, str) and n.strip() else e) for e, n in zip(people["email"], people["name"])}


def _reported(checkins: pd.DataFrame, week: int) -> set[str]:
    return set(checkins.loc[checkins["week"] == week, "email"]) if len(checkins) else set()


def _djangonauts(count: int) -> str:
    return f"{count} Djangonaut" + ("" if count == 1 else "s")


def _until(session: Session, week: int, timing: DigestSettings) -> str:
    start = session.start_date
    return f"up to {_when(week_cutoff(start, week, timing.cutoff_hours))}" if start else "received so far"


def _footer(why: str, link: str | None) -> str:
    where = 'switch off "E-mail me the weekly digest" on the Wellbeing page' + (f" ({link})" if link else "")
    return (
        f"You get this e-mail because {why}. It is sent once a week by Mission Control. To stop it, {where}, "
        "or ask an organiser. Please do not forward it: it is about people's wellbeing."
    )


def captain_digest(email: str, data: SessionData, settings: Settings | None, week: int) -> Digest:
    """One Captain's digest: their own Djangonauts only, computed as the Wellbeing page computes it for them."""
    timing = digest_settings(settings)
    viewer = captain_viewer(email, data)
    mine = data.for_viewer(viewer)
    signals = wellbeing.compute_for(mine, settings, as_of_week=week)
    queue = wellbeing.who_to_check_on(signals.open, mine.people)
    names = _names(mine.people)
    roster = list(mine.people.sort_values("name", key=lambda s: s.fillna("").str.lower())["email"])
    holiday = week in signals.thresholds.holiday_weeks
    missing = [] if holiday else [e for e in roster if e not in _reported(mine.checkins, week)]
    asked = set(signals.open.loc[signals.open["signal"] == "wants_one_to_one", "email"]) if len(signals.open) else set()
    clear = [e for e in roster if e not in set(queue["email"]) and e not in missing]
    teams = ", ".join(sorted(viewer.captain_of))
    session = data.session
    sections = (
        Section(
            f"Who to check on ({len(queue)})",
            tuple(
                Item(
                    f"{r['name']} · {r['team']}" if len(viewer.captain_of) > 1 else r["name"],
                    tuple(r["reasons"]),
                    r["severity"],
                )
                for _, r in queue.iterrows()
            ),
            "Nobody has an open signal. Keep the regular one-to-ones going.",
        ),
        Section(
            "Asked for a one-to-one, not held yet",
            tuple(Item(names[e]) for e in roster if e in asked),
            "Nobody is waiting for one.",
        ),
        Section(
            f"No check-in for week {week}",
            tuple(Item(names[e]) for e in missing),
            f"Week {week} is a holiday week: no check-in expected." if holiday else "Everyone checked in.",
        ),
        Section("No open signals", tuple(Item(names[e]) for e in clear), "Nobody yet."),
    )
    count = len(queue)
    subject = (
        f"Week {week}: {count} of your Djangonauts to check on · {session.name}"
        if count
        else f"Week {week}: no open signals for your Djangonauts · {session.name}"
    )
    intro = (
        f"Your weekly wellbeing digest for {teams}: week {week} of {session.weeks} of {session.name}, "
        f"from the check-ins {_until(session, week, timing)}. Health comes before contributions."
    )
    return Digest(
        CAPTAIN,
        viewer.email,
        viewer.name or viewer.email,
        week,
        subject,
        intro,
        sections,
        _footer(f"you are the Captain of {teams} in {session.name}", timing.link),
        timing.link,
        tuple(roster),
        f"Captain of {teams}",
    )


def organiser_sections(
    data: SessionData, settings: Settings | None, week: int, opted_out: set[str]
) -> tuple[Section, ...]:
    """The session's numbers and the Captains whose people have open high-severity signals; no Djangonaut named."""
    everyone = data.for_viewer(access.Viewer(email="", roles=frozenset({access.ORGANISER})))
    signals = wellbeing.compute_for(everyone, settings, as_of_week=week)
    queue = wellbeing.who_to_check_on(signals.open, everyone.people)
    total = len(everyone.people)
    open_ = signals.open
    kinds = open_["signal"].map(wellbeing.SIGNAL_LABELS).value_counts() if len(open_) else pd.Series(dtype=int)
    start = data.session.start_date
    held = 0
    if start is not None and len(everyone.one_to_ones):
        days = pd.to_datetime(everyone.one_to_ones["held_on"]).dt.date
        held = int(((days >= week_start(start, week)) & (days < week_end(start, week))).sum())
    numbers = (
        Item(f"Djangonauts: {total}"),
        Item(
            f"Check-ins for week {week}: {len(_reported(everyone.checkins, week) & set(everyone.people['email']))} of {total}"
        ),
        Item(f"Djangonauts with open signals: {len(queue)} ({int((queue['severity'] == 'high').sum())} high)"),
        Item("Open signals by kind: " + (", ".join(f"{label} {n}" for label, n in kinds.items()) or "none")),
        Item(f"Asked for a one-to-one: {int((open_['signal'] == 'wants_one_to_one').sum()) if len(open_) else 0}"),
        Item(f"One-to-ones recorded in week {week}: {held}"),
    )
    high = queue[queue["severity"] == "high"]
    staff = _names(data.people) if len(data.people) else {}
    by_captain: dict[str, dict] = {}
    no_captain = []
    for _, team in data.teams.sort_values("name").iterrows():
        count = int((high["team"] == team["name"]).sum())
        captain = team["captain"].strip().lower() if isinstance(team["captain"], str) else ""
        if not captain:
            no_captain.append(Item(f"{team['name']} has no Captain: its Djangonauts' signals reach nobody by e-mail."))
        elif count:
            entry = by_captain.setdefault(captain, {"teams": [], "count": 0})
            entry["teams"].append(team["name"])
            entry["count"] += count
    captains = tuple(
        Item(
            f"{staff.get(c, c)} ({', '.join(v['teams'])}): {_djangonauts(v['count'])}",
            (c,) if staff.get(c, c) != c else (),
        )
        for c, v in sorted(by_captain.items(), key=lambda kv: -kv[1]["count"])
    )
    out = [
        Section(f"Session numbers, week {week}", numbers),
        Section("Captains whose people have open high-severity signals", captains, "None this week."),
    ]
    quiet = sorted({str(c).lower() for c in data.teams["captain"].dropna()} & opted_out)
    if no_captain or quiet:
        out.append(
            Section(
                "Not reached by the digest",
                tuple(no_captain)
                + tuple(Item(f"{staff.get(c, c)} ({c}) opted out of the Captain's digest.") for c in quiet),
            )
        )
    return tuple(out)


def organiser_digest(
    email: str, name: str, sections: tuple[Section, ...], session: Session, week: int, timing: DigestSettings
) -> Digest:
    """One organiser's copy of the organisers' digest."""
    return Digest(
        ORGANISER,
        email,
        name or email,
        week,
        f"Week {week}: session digest for organisers · {session.name}",
        f"The numbers of {session.name} for week {week} of {session.weeks}, from the check-ins "
        f"{_until(session, week, timing)}. Each Captain got their own people's details; this e-mail names no "
        "Djangonaut (the Wellbeing page has them).",
        sections,
        _footer(f"you are an organiser of {session.name}", timing.link),
        timing.link,
        (),
        "organiser",
    )


# --- planning a run ----------------------------------------------------------------------


@dataclass
class Plan:
    """What one run would send: the week, the digests due, and who is skipped and why."""

    session: Session
    week: int | None
    due: list[Digest] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def opted_out(url: str) -> set[str]:
    """E-mails that asked not to get the digest."""
    with OrmSession(dbmod.get_engine(url)) as db:
        return set(db.scalars(select(models.DigestPreference.email).where(models.DigestPreference.opted_out.is_(True))))


def sent_already(url: str, session_id: int, week: int) -> set[tuple[str, str]]:
    """(recipient, kind) pairs whose digest for this week went already."""
    d = models.DigestSend
    with OrmSession(dbmod.get_engine(url)) as db:
        return set(db.execute(select(d.recipient, d.kind).where(d.session_id == session_id, d.week == week)).all())


def choose_week(
    session: Session,
    timing: DigestSettings,
    now: datetime,
    week: int | None,
    *,
    scheduled: bool,
    checkins: pd.DataFrame,
) -> tuple[int | None, str | None]:
    """The week to send and, when there is none, why (a sentence); --week must be over already."""
    start = session.start_date
    if week is not None:
        if not 1 <= week <= session.weeks:
            raise DigestRefused(
                f"--week {week} is not a week of {session.name}; use a number from 1 to {session.weeks}."
            )
        if start is not None and week_cutoff(start, week, timing.cutoff_hours) > now:
            raise DigestRefused(
                f"Week {week}'s cut-off ({_when(week_cutoff(start, week, timing.cutoff_hours))}) has not "
                "passed yet; its check-ins are still coming in."
            )
        return week, None
    if scheduled and now.weekday() != timing.send_day:
        return None, (
            f"Today ({now:%A}) is not the sending day ({timing.send_day_name}, [digest] send_day); nothing sent."
        )
    if start is None:  # no calendar: the latest week with check-ins, as on the Wellbeing page
        return wellbeing.default_week(checkins, session), None
    latest = latest_closed_week(session, timing.cutoff_hours, now)
    if latest is None:
        return None, (
            f"Week 1's cut-off ({_when(week_cutoff(start, 1, timing.cutoff_hours))}) has not passed yet; "
            "nothing to send."
        )
    last_cutoff = week_cutoff(start, session.weeks, timing.cutoff_hours)
    if scheduled and now >= last_cutoff + timedelta(days=7):
        return None, (
            f"{session.name} is over (its last digest, week {session.weeks}, was due from "
            f"{_when(last_cutoff)}); nothing sent. Use --week N to send one anyway."
        )
    return latest, None


def plan(
    url: str,
    session_id: int,
    settings: Settings,
    *,
    week: int | None = None,
    now: datetime | None = None,
    scheduled: bool = True,
    secrets_roles: dict | None = None,
) -> Plan:
    """The digests due for a week (the latest one over, or --week), minus opted-out and already-sent recipients."""
    timing = digest_settings(settings)
    now = now or models.utcnow()
    data = load_session(url, session_id)
    chosen, why = choose_week(data.session, timing, now, week, scheduled=scheduled, checkins=data.checkins)
    result = Plan(data.session, chosen, notes=[why] if why else [])
    if chosen is None:
        return result
    quiet = opted_out(url)
    captains = sorted({str(c).strip().lower() for c in data.teams["captain"].dropna() if str(c).strip()})
    digests = [captain_digest(c, data, settings, chosen) for c in captains]
    organisers = organiser_emails(settings, data, reads.is_demo_session(url, session_id), secrets_roles)
    if organisers:
        sections = organiser_sections(data, settings, chosen, quiet)
        names = _names(data.people) if len(data.people) else {}
        digests += [organiser_digest(o, names.get(o, o), sections, data.session, chosen, timing) for o in organisers]
    else:
        result.notes.append(
            "No organiser is listed in [roles] organisers (dashboard.toml or .streamlit/secrets.toml); "
            "the organisers' digest goes to nobody."
        )
    if not captains:
        result.notes.append(f"{data.session.name} has no team with a Captain yet; save teams on the Teams page first.")
    done = sent_already(url, session_id, chosen)
    for d in digests:
        if d.recipient in quiet:
            result.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "opted out"})
        elif (d.recipient, d.kind) in done:
            result.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "already sent"})
        else:
            result.due.append(d)
    if digests and not result.due and all(s["reason"] == "already sent" for s in result.skipped):
        result.notes.append(f"Week {chosen}'s digests all went already; nothing new to send.")
    return result


# --- sending ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run did: sent (or written), skipped, not sent with a sentence each, and why it stopped."""

    plan: Plan
    sent: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # each with the sentence that says why
    stopped: str | None = None  # why the run stopped early (the mail server or the database)
    unsent: list[dict] = field(default_factory=list)  # not tried because the run stopped
    folder: str | None = None

    def __post_init__(self) -> None:
        self.skipped = list(self.plan.skipped)

    @property
    def exit_code(self) -> int:
        """0 only when every due message went; 4 when the mail server could not be used; 3 when some were not sent."""
        if self.stopped:
            return EXIT_MAIL_UNAVAILABLE
        return EXIT_SOME_NOT_SENT if self.failed else EXIT_OK

    def summary(self) -> dict:
        """The run as JSON-ready data."""
        return {
            "ok": self.exit_code == EXIT_OK,
            "exit_code": self.exit_code,
            "session": self.plan.session.name,
            "week": self.plan.week,
            "dry_run": self.folder,
            "sent": self.sent,
            "skipped": self.skipped,
            "failed": self.failed,
            "stopped": self.stopped,
            "unsent": self.unsent,
            "notes": self.plan.notes,
        }


def _bad_address(d: Digest) -> str:
    where = "the captain column of the teams table" if d.kind == CAPTAIN else "[roles] organisers"
    return f"Not sent to '{d.recipient}' ({d.about}): it is not an e-mail address; fix it in {where} and run again."


def _audit_detail(d: Digest, sender: str) -> str:
    named = f"{len(d.people)} Djangonauts named: {', '.join(d.people)}" if d.people else "no Djangonaut named"
    return f"week {d.week} {KIND_LABELS[d.kind]} digest from {parseaddr(sender)[1]}; {named}"


def deliver(url: str, session_id: int, plan_: Plan, mailer: Mailer, sender: str, actor: str | None = None) -> Outcome:
    """Send each due digest, recording and auditing it in the transaction that is open while the server takes it."""
    refuse_demo(url, session_id, plan_.session.name)
    outcome = Outcome(plan_)
    for i, d in enumerate(plan_.due):
        if not is_address(d.recipient):
            outcome.failed.append({"to": d.recipient, "kind": d.kind, "error": _bad_address(d)})
            continue
        message = d.message(sender, session_id)
        handed = False
        try:
            with dbmod.write(
                url,
                actor=actor or audit.cli_actor(),
                action="digest_sent",
                session_id=session_id,
                subject=d.recipient,
                detail=_audit_detail(d, sender),
            ) as change:
                change.bump = False  # no program data changed: the pages read the digest log fresh
                change.db.add(
                    models.DigestSend(
                        session_id=session_id,
                        week=d.week,
                        recipient=d.recipient,
                        kind=d.kind,
                        people=list(d.people),
                        message_id=message["Message-ID"],
                    )
                )
                change.db.flush()  # takes the (session, week, recipient, kind) key: a parallel run waits here, then skips
                mailer.send(message)
                handed = True
        except IntegrityError:
            outcome.skipped.append({"to": d.recipient, "kind": d.kind, "reason": "already sent by another run"})
        except RecipientRefused as exc:
            outcome.failed.append(
                {"to": d.recipient, "kind": d.kind, "error": f"Not sent to {d.recipient} ({d.about}): {exc}."}
            )
        except OperationalError as exc:
            problem = str(exc.orig)[:200]
            outcome.stopped = (
                f"The mail server took the digest to {d.recipient} but the database could not record it ({problem}); "
                "fix the database before running again, or they get it twice."
                if handed
                else f"The database could not record the digest to {d.recipient} ({problem}), so it was not sent; run the "
                "command again (another digest run may be sending right now)."
            )
        except MailUnavailable as exc:
            outcome.stopped = str(exc)
        if handed:
            outcome.sent.append({"to": d.recipient, "kind": d.kind, "people": len(d.people)})
        if outcome.stopped:
            outcome.unsent = [{"to": rest.recipient, "kind": rest.kind} for rest in plan_.due[i + int(handed) :]]
            break
    return outcome


def _file_stem(d: Digest) -> str:
    return f"week{d.week:02d}-{d.kind}-" + re.sub(r"[^A-Za-z0-9@._-]", "_", d.recipient)


def write_folder(url: str, session_id: int, plan_: Plan, folder: Path, sender: str | None = None) -> Outcome:
    """--dry-run: write each due digest as .eml, .txt and .html into folder; nothing is sent or recorded."""
    folder.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(plan_, folder=str(folder))
    for d in plan_.due:
        stem = str(folder / _file_stem(d))
        Path(f"{stem}.eml").write_bytes(bytes(d.message(sender or DRY_RUN_SENDER, session_id)))
        Path(f"{stem}.txt").write_text(d.text(), encoding="utf-8")
        Path(f"{stem}.html").write_text(d.html(), encoding="utf-8")
        if is_address(d.recipient):
            outcome.sent.append({"to": d.recipient, "kind": d.kind, "people": len(d.people), "file": f"{stem}.eml"})
        else:
            outcome.failed.append({"to": d.recipient, "kind": d.kind, "error": _bad_address(d)})
    return outcome


def refuse_demo(url: str, session_id: int, session_name: str) -> None:
    """Demo data never leaves by e-mail: only --dry-run may write it to a folder."""
    if reads.is_demo_session(url, session_id):
        raise DigestRefused(
            f"{session_name} holds the generated demo data, so no digest is e-mailed from it; "
            "preview it with --dry-run DIR, or choose your own session with --session."
        )


# --- opting out, and what the Wellbeing page shows ---------------------------------------


def is_opted_out(url: str, email: str) -> bool:
    """True when this person asked not to get the digest."""
    return (email or "").strip().lower() in opted_out(url)


def set_opted_out(url: str, email: str, opt_out: bool, actor: str) -> None:
    """Record (and audit) whether a person gets the weekly digest; it holds for every session."""
    email = (email or "").strip().lower()
    if not is_address(email):
        raise ValueError(f"'{email}' is not an e-mail address; give the address the digest goes to.")
    with dbmod.write(
        url, actor=actor, action="digest_preference", subject=email, detail="opted out" if opt_out else "opted in"
    ) as change:
        pref = change.db.scalar(select(models.DigestPreference).where(models.DigestPreference.email == email))
        if pref is None:
            pref = models.DigestPreference(email=email)
            change.db.add(pref)
        pref.opted_out, pref.changed_at, pref.changed_by = bool(opt_out), models.utcnow(), (actor or "").lower()


def last_sent(url: str, session_id: int, viewer: access.Viewer) -> pd.DataFrame:
    """The latest week's digests this viewer may know about: every recipient for organisers, their own for anyone else."""
    d = models.DigestSend
    query = select(d.recipient, d.kind, d.week, d.sent_at, d.people).where(d.session_id == session_id)
    if not viewer.is_organiser:
        query = query.where(d.recipient == (viewer.email or "").lower())
    with OrmSession(dbmod.get_engine(url)) as db:
        rows = db.execute(query.order_by(d.sent_at.desc())).all()
    frame = pd.DataFrame(rows, columns=["recipient", "kind", "week", "sent_at", "people"])
    if frame.empty:
        return frame.drop(columns="people").assign(djangonauts=pd.Series(dtype=int))
    frame = frame[frame["week"] == frame["week"].iloc[0]]  # the week of the newest send
    frame["kind"] = frame["kind"].map(KIND_LABELS)
    frame["djangonauts"] = frame["people"].map(lambda p: len(p or []))
    return frame.drop(columns="people").reset_index(drop=True)


def last_sent_label(sent: pd.DataFrame, viewer: access.Viewer) -> str:
    """One line for the page: when the last digest went out, and to whom."""
    if sent.empty:
        return "Weekly e-mail digest: none sent " + ("yet in this session" if viewer.is_organiser else "to you yet")
    newest = pd.Timestamp(sent["sent_at"].max())
    who = "you" if not viewer.is_organiser else f"{sent['recipient'].nunique()} people"
    return f"Weekly e-mail digest: week {int(sent['week'].iloc[0])} went to {who} on {newest:%a %d %b, %H:%M} UTC"
