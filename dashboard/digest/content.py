"""Who gets what: each Captain's digest (their own Djangonauts only) and the organisers' (numbers, no names)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import access, reads, wellbeing
from dashboard.config import Settings, secrets_file_section
from dashboard.digest.message import Digest, Item, Section
from dashboard.digest.settings import CAPTAIN, ORGANISER, DigestSettings, _when, digest_settings, week_cutoff
from dashboard.sessions import Session, week_end, week_start


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
    djangonauts = data.people[data.people["role"] == "djangonaut"] if len(data.people) else data.people
    teamless = int((~djangonauts["team"].isin(set(data.teams["name"]))).sum()) if len(djangonauts) else 0
    if teamless:  # in no team, or in one the teams table does not list: no Captain gets their signals
        no_captain.append(
            Item(
                f"{_djangonauts(teamless)} {'is' if teamless == 1 else 'are'} in no team: "
                "their signals reach nobody by e-mail."
            )
        )
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
