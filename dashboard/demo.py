"""A seeded, believable demo program: the current session plus five past ones (the last with check-ins).

``generate`` builds raw tables shaped like the real sources (Google Forms exports with
question-text headers, locale timestamps and messy answers; organisers' sheets with
canonical headers). ``build`` imports them through the same importer as real data, so
the demo also proves the default mapping in dashboard.example.toml. Names come from Faker,
e-mails use the reserved example.org domain: nobody in it is a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from faker import Faker
from sqlalchemy import select

from dashboard import audit, db as dbmod, models
from dashboard.config import Settings, with_overrides
from dashboard.criteria import load_criteria
from dashboard.importer import TableInput, generated_response_id, import_tables
from dashboard.sessions import create_session, week_start

PROJECTS = ("Django core", "Django Debug Toolbar", "django CMS")
TEAM_NAMES = ("Comet", "Nebula", "Pulsar", "Quasar", "Aurora", "Meteor", "Orbit", "Zenith", "Eclipse", "Nova")
EXPERIENCE = ("Beginner", "Intermediate", "Experienced")
# (IANA zone, country, Faker locale, weight)
REGIONS = (
    ("America/New_York", "United States", "en_US", 4),
    ("America/Chicago", "United States", "en_US", 2),
    ("America/Los_Angeles", "United States", "en_US", 2),
    ("America/Sao_Paulo", "Brazil", "pt_BR", 2),
    ("America/St_Johns", "Canada", "en_CA", 1),
    ("Europe/London", "United Kingdom", "en_GB", 3),
    ("Europe/Paris", "France", "fr_FR", 2),
    ("Europe/Berlin", "Germany", "de_DE", 2),
    ("Africa/Lagos", "Nigeria", "en_US", 2),
    ("Africa/Nairobi", "Kenya", "en_US", 2),
    ("Asia/Kolkata", "India", "hi_IN", 3),
    ("Asia/Tokyo", "Japan", "ja_JP", 1),
    ("Australia/Sydney", "Australia", "en_AU", 1),
)
PAST_SESSIONS = (  # name, start date, applications, accepted (the program's published figures)
    ("2024 Session 1", date(2024, 1, 15), 172, 20),
    ("2024 Session 2", date(2024, 6, 17), 146, 24),
    ("2025 Session 3", date(2025, 1, 13), 92, 15),
    ("2025 Session 4", date(2025, 6, 16), 83, 15),
    ("2026 Session 5", date(2026, 2, 2), 95, 18),
)
CURRENT_SESSION = ("2026 Session 6", date(2026, 9, 28))
WEEKS = 8
EXPECTED_HOURS = 4.0
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

APPLICATION_QUESTIONS = {
    "submitted_at": "Timestamp",
    "email": "Email Address",
    "name": "What is your name?",
    "github": "GitHub username",
    "pronouns": "Pronouns",
    "timezone": "Which time zone are you in?",
    "country": "Which country do you live in?",
    "experience_level": "How would you describe your programming experience?",
    "django_experience": "How much have you used Django?",
    "contributed_before": "Have you contributed to open source before?",
    "project_preferences": "Which projects would you like to work on?",
    "hours_available": "How many hours a week can you commit?",
    "motivation": "Why do you want to join Djangonaut Space?",
    "resilience": "Tell us about a time you got stuck and what you did.",
    "community": "How are you involved in the Django community?",
    "tutorial_completed": "Did you complete the contribution tutorial?",
    "underrepresented": "Do you identify as part of a group under-represented in tech?",
    "gender_minority": "Do you identify as a woman or a gender minority?",
}
AVAILABILITY_QUESTION = "When are you available? (your local time)"
CHECKIN_QUESTIONS = {
    "submitted_at": "Timestamp",
    "email": "Email Address",
    "week": "Which week is this check-in for?",
    "hours": "How many hours did you spend on Djangonaut Space this week?",
    "energy": "How is your energy this week? (1 = drained, 5 = full of energy)",
    "burnout": "Which best describes you this week? (1 = I enjoy my work, 5 = completely burned out)",
    "blockers": "Is anything blocking you?",
    "attended_standup": "Did you attend this week's stand-up?",
    "met_captain": "Did you meet your Captain this week?",
    "prs_opened": "PRs opened",
    "prs_merged": "PRs merged",
    "review_comments": "PR review comments",
    "tickets_progressed": "Tickets progressed",
    "tickets_closed": "Tickets closed",
    "wants_one_to_one": "Would you like a one-to-one with your Captain?",
    "notes": "Anything else you want to share? (only your Captain and the organisers read this)",
}
SURVEY_QUESTIONS = {
    "submitted_at": "Timestamp",
    "email": "Email Address",
    "stage": "Which survey is this?",
    "confidence": "How confident do you feel contributing to open source? (1-5)",
    "comfortable_contributing": "Do you feel more comfortable contributing than before?",
    "free_text": "Anything you would like to tell the organisers?",
}
HOSTILE_ANSWERS = (  # kept in the demo so every screen and export proves it shows them inert
    "<script>alert('owned')</script> I want to give back to Django.",
    "[Claim your prize](javascript:alert(1)) and I love the community.",
    '=HYPERLINK("https://example.com/phish","Click me")',
)
PATTERNS = ("overwork_steady", "overwork_burst", "drifting", "burnout", "steady", "stuck", "wants_one_to_one")


@dataclass
class DemoData:
    """Raw tables per session, and who carries which planted wellbeing pattern."""

    sessions: list[dict] = field(default_factory=list)  # name, start_date, tables: {table: frame}
    planted: dict[str, list[str]] = field(default_factory=dict)  # pattern -> emails (current session)
    one_to_ones: list[dict] = field(default_factory=list)


def _stamp(moment: datetime) -> str:
    """Google Forms' en_US timestamp, e.g. 9/28/2026 18:05:09."""
    return f"{moment.month}/{moment.day}/{moment.year} {moment.hour}:{moment.minute:02d}:{moment.second:02d}"


def _hours_text(rng: random.Random, hours: float) -> str:
    """Hours written the way people type them into a form."""
    style = rng.random()
    if hours == 4 and style < 0.1:
        return "four"
    if style < 0.08:
        return f"{int(hours)}h"
    if style < 0.14:
        return f"~{int(hours)}"
    if style < 0.2 and hours >= 1:
        return f"{int(hours) - 1}-{int(hours) + 1}"
    return f"{hours:g}"


GRID_HOURS = range(9, 23)  # the one-hour options of the time-column grid: every hour an applicant may tick


def _grid_by_day(grid: dict[str, list[int]]) -> dict[str, str]:
    """A checkbox grid whose rows are days and whose answers are local times: '[Monday]' = '18:00, 19:00'."""
    return {
        f"{AVAILABILITY_QUESTION} [{day}]": ", ".join(f"{h:02d}:00" for h in grid.get(day, [])) for day in DAY_NAMES
    }


def _grid_by_time(grid: dict[str, list[int]]) -> dict[str, str]:
    """A checkbox grid whose rows are time ranges and whose answers are days: '[6:00 PM - 7:00 PM]' = 'Monday, Tuesday'."""

    def twelve(hour: int) -> str:
        return f"{(hour - 1) % 12 + 1}:00 {'AM' if hour % 24 < 12 else 'PM'}"

    return {
        f"{AVAILABILITY_QUESTION} [{twelve(h)} - {twelve(h + 1)}]": ", ".join(
            d for d in DAY_NAMES if h in grid.get(d, [])
        )
        for h in GRID_HOURS
    }


class _Generator:
    def __init__(self, seed: int, scale: int):
        self.rng = random.Random(seed)
        self.grid_rng = random.Random(seed + 1)  # availability has its own stream, so tuning it moves nothing else
        self.closing_rng = random.Random(seed + 2)  # so does closing tickets (added later)
        self.scale = max(1, int(scale))
        self.fakers = {loc: Faker(loc) for loc in sorted({r[2] for r in REGIONS})}
        for i, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed * 100 + i)
        self.used_emails: set[str] = set()

    # --- people -----------------------------------------------------------------------
    def person(self) -> dict:
        zone, country, locale, _ = self.rng.choices(REGIONS, weights=[r[3] for r in REGIONS])[0]
        name = self.fakers[locale].name()
        ascii_name = self.fakers["en_US"].user_name() if not name.isascii() else name
        slug = "".join(ch for ch in ascii_name.lower().replace(" ", ".") if ch.isalnum() or ch == ".").strip(".")
        email = f"{slug or 'person'}@example.org"
        n = 2
        while email in self.used_emails:
            email = f"{slug}{n}@example.org"
            n += 1
        self.used_emails.add(email)
        return {
            "name": name,
            "email": email,
            "timezone": zone,
            "country": country,
            "github": slug.replace(".", "-")[:30] + f"-{self.rng.randint(1, 99)}",
        }

    def local_grid(self, flexible: bool = False) -> dict[str, list[int]]:
        """Local hours a person ticks: weekday evenings and weekend days; staff are more flexible."""
        rng = self.grid_rng
        grid: dict[str, list[int]] = {}
        evening = rng.choice([(17, 21), (18, 22), (18, 22), (19, 23)])
        for day in DAY_NAMES:
            if flexible:
                hours = (
                    list(range(7, 9)) + list(range(12, 14)) + list(range(17, 23))
                    if day not in ("Saturday", "Sunday")
                    else list(range(8, 21))
                )
            elif day in ("Saturday", "Sunday"):
                hours = [h for h in range(9, 19) if rng.random() < 0.8]
            else:
                hours = [h for h in range(*evening) if rng.random() < 0.85]
                if rng.random() < 0.25:
                    hours += [12, 13]
            if hours:
                grid[day] = sorted(set(hours))
        return grid

    # --- applications -------------------------------------------------------------------
    def applications(
        self, n: int, start: date, hostile: bool, grid_by_time: bool = False
    ) -> tuple[pd.DataFrame, list[dict]]:
        rows, people = [], []
        opened = datetime.combine(start - timedelta(days=60), datetime.min.time())
        for i in range(n):
            p = self.person()
            p["quality"] = self.rng.gauss(3.0, 0.8)
            p["experience_level"] = self.rng.choices(EXPERIENCE, weights=(4, 4, 2))[0]
            prefs = [proj for proj in PROJECTS if self.rng.random() < 0.45]
            p["project_preferences"] = prefs
            p["grid"] = self.local_grid()
            p["underrepresented"] = self.rng.random() < 0.35
            p["gender_minority"] = self.rng.random() < 0.4
            moment = opened + timedelta(minutes=self.rng.randint(0, 40 * 24 * 60), seconds=self.rng.randint(0, 59))
            p["timestamp"] = _stamp(moment)
            p["response_id"] = generated_response_id(p["timestamp"], p["email"])
            hours = self.rng.choice([3, 4, 4, 5, 5, 6, 8])
            answers = {
                "submitted_at": p["timestamp"],
                "email": p["email"] if i % 41 else p["email"].upper(),  # e-mails typed in capitals still match
                "name": p["name"],
                "github": p["github"],
                "pronouns": self.rng.choice(["she/her", "he/him", "they/them", "", "she/they"]),
                "timezone": p["timezone"],
                "country": p["country"],
                "experience_level": p["experience_level"],
                "django_experience": self.rng.choice(
                    ["Built a side project", "Use it at work", "Did the tutorial", "None yet"]
                ),
                "contributed_before": self.rng.choice(["Yes", "No", "No"]),
                "project_preferences": ", ".join(prefs),
                "hours_available": _hours_text(self.rng, hours),
                "motivation": self.rng.choice(
                    [
                        "I use Django every day and want to give back.",
                        "I want to learn how a large open source project works.",
                        "Contributing has felt intimidating; a team would help me start.",
                        "I maintain a Django app at work and keep hitting the same ticket.",
                    ]
                ),
                "resilience": self.rng.choice(
                    [
                        "I got stuck on a migration bug for a week, asked on the forum and wrote up the fix.",
                        "When my first PR was rejected I asked for feedback and tried again.",
                        "I break problems down and ask for help after an hour.",
                    ]
                ),
                "community": self.rng.choice(
                    ["Local meetup", "Django forum", "None yet", "DjangoCon attendee", "Discord"]
                ),
                "tutorial_completed": self.rng.choice(["Yes", "Yes", "No"]),
                "underrepresented": "Yes"
                if p["underrepresented"]
                else self.rng.choice(["No", "No", "Prefer not to say"]),
                "gender_minority": "Yes" if p["gender_minority"] else "No",
            }
            if hostile and i < len(HOSTILE_ANSWERS):
                answers["motivation" if i < 2 else "community"] = HOSTILE_ANSWERS[i]
            row = {APPLICATION_QUESTIONS[k]: v for k, v in answers.items()}
            row |= _grid_by_time(p["grid"]) if grid_by_time else _grid_by_day(p["grid"])
            row["Anything else you would like us to know?"] = self.rng.choice(
                ["", "", "Excited to apply!", "I may travel in week 5."]
            )
            rows.append(row)
            people.append(p)
        frame = pd.DataFrame(rows)
        if n > 10:  # Google Sheets exports keep blank rows where a response was deleted
            frame = pd.concat(
                [frame.iloc[: n // 2], pd.DataFrame([{c: "" for c in frame.columns}]), frame.iloc[n // 2 :]],
                ignore_index=True,
            )
        return frame, people

    # --- reviews and decisions --------------------------------------------------------
    def reviews(self, applicants: list[dict], criteria, start: date) -> pd.DataFrame:
        n_groups = self.scale
        biases = [-0.6, 0.5, 0.0]
        still_to_review = len(applicants) - 12 * n_groups  # the first reviewer of each group is part-way
        rows = []
        for i, p in enumerate(applicants):
            group = i % n_groups
            reviewers = [f"reviewer{group * 3 + j + 1}@example.org" for j in range(3)]
            for j, reviewer in enumerate(reviewers):
                if self.rng.random() > 0.85 and j > 0:
                    continue  # not every reviewer gets to every application
                row = {"response_id": p["response_id"], "reviewer": reviewer}
                for c in criteria:
                    raw = p["quality"] + biases[j] + self.rng.gauss(0, 0.6)
                    row[c.name] = str(int(min(c.high, max(c.low, round(raw)))))
                row["comment"] = self.rng.choice(
                    ["", "Strong motivation.", "Limited availability.", "Good fit for DDT."]
                )
                row["conflict_of_interest"] = "FALSE"
                row["updated_at"] = (start - timedelta(days=20)).isoformat() + " 12:00:00"
                if j == 0 and i >= still_to_review:
                    continue  # drawn all the same, so the rest of the demo stays as it was
                rows.append(row)
        return pd.DataFrame(rows)

    # --- the cohort ---------------------------------------------------------------------
    def cohort(self, applicants: list[dict], accepted_n: int, teams_n: int, start: date):
        ranked = sorted(applicants, key=lambda p: -p["quality"])
        accepted = ranked[:accepted_n]
        waitlisted = ranked[accepted_n : accepted_n + 8 * self.scale]
        decisions = []
        for rank, p in enumerate(ranked, start=1):
            status = "accepted" if p in accepted else "waitlisted" if p in waitlisted else "rejected"
            if rank > len(ranked) - 3:
                status = "pending"
            decisions.append({"response_id": p["response_id"], "status": status, "rank": str(rank), "team": ""})
        # Teams: people grouped by time zone so the demo's teams are plausible, not perfect.
        from zoneinfo import ZoneInfo

        accepted.sort(key=lambda p: datetime(2026, 10, 5, tzinfo=ZoneInfo(p["timezone"])).utcoffset())
        size = accepted_n // teams_n
        teams, people = [], []
        for t in range(teams_n):
            name = f"Team {TEAM_NAMES[t % len(TEAM_NAMES)]}" + (
                f" {t // len(TEAM_NAMES) + 1}" if t >= len(TEAM_NAMES) else ""
            )
            members = accepted[t * size : (t + 1) * size] if t < teams_n - 1 else accepted[t * size :]
            project = PROJECTS[t % len(PROJECTS)]
            navigator, captain = self.person(), self.person()
            anchor = members[len(members) // 2]
            for staff in (navigator, captain):
                staff["timezone"] = anchor["timezone"]
                staff["grid"] = self.local_grid(flexible=True)
            teams.append(
                {"name": name, "project": project, "navigators": navigator["email"], "captain": captain["email"]}
            )
            for role, staff in (("navigator", navigator), ("captain", captain)):
                people.append(self._person_row(staff, role, name, project, start))
            for m in members:
                m["team"], m["project"], m["captain"] = name, project, captain["email"]
                people.append(self._person_row(m, "djangonaut", name, project, start))
                next(d for d in decisions if d["response_id"] == m["response_id"])["team"] = name
        for i in range(2):
            org = self.person()
            people.append(
                {
                    "email": f"organiser{i + 1}@example.org",
                    "name": org["name"],
                    "github": "",
                    "pronouns": "",
                    "timezone": org["timezone"],
                    "role": "organiser",
                    "team": "",
                    "project": "",
                    "availability": "",
                }
            )
        for r in range(3 * self.scale):
            people.append(
                {
                    "email": f"reviewer{r + 1}@example.org",
                    "name": self.person()["name"],
                    "github": "",
                    "pronouns": "",
                    "timezone": "Europe/London",
                    "role": "reviewer",
                    "team": "",
                    "project": "",
                    "availability": "",
                }
            )
        return accepted, pd.DataFrame(decisions), pd.DataFrame(teams), pd.DataFrame(people)

    def _person_row(self, p: dict, role: str, team: str, project: str, start: date) -> dict:
        from dashboard.availability import from_local_grid

        slots = from_local_grid(p["grid"], p["timezone"], start)  # UTC half-hour slots, written as the site writes them
        return {
            "email": p["email"],
            "name": p["name"],
            "github": p.get("github", ""),
            "pronouns": "",
            "timezone": p["timezone"],
            "role": role,
            "team": team,
            "project": project,
            "availability": ", ".join(f"{s:.1f}" for s in slots),
        }

    # --- check-ins ----------------------------------------------------------------------
    def weekly_plan(self, pattern: str | None) -> list[dict | None]:
        """Per week: hours, energy, burnout, blockers, wants_one_to_one (None = no check-in)."""
        rng = self.rng
        plan = []
        for week in range(1, WEEKS + 1):
            entry = {
                "hours": float(rng.choice([3, 3.5, 4, 4, 4.5, 5, 2])),
                "energy": rng.choice([3, 4, 4, 5]),
                "burnout": rng.choice([1, 1, 2]),
                "blockers": "",
                "wants": False,
            }
            if pattern == "overwork_steady":
                entry.update(
                    hours=float([6, 9, 11, 10, 12, 11, 10, 9][week - 1]),
                    energy=[5, 5, 4, 4, 3, 3, 2, 2][week - 1],
                    burnout=[1, 1, 2, 2, 2, 2, 2, 2][week - 1],
                )
            elif pattern == "overwork_burst":
                entry.update(
                    hours=float([4, 4, 5, 13, 4, 3, 4, 4][week - 1]), energy=[4, 4, 4, 5, 3, 4, 4, 4][week - 1]
                )
            elif pattern == "drifting":
                entry = entry if week <= 4 else None
                if entry:
                    entry.update(hours=float([4, 3, 2, 1][week - 1]), energy=[4, 3, 3, 3][week - 1])
            elif pattern == "burnout":
                entry.update(
                    hours=float([4, 5, 5, 6, 5, 4, 3, 3][week - 1]),
                    energy=[4, 4, 4, 3, 2, 2, 2, 2][week - 1],
                    burnout=[1, 1, 2, 2, 4, 4, 4, 3][week - 1],
                )
            elif pattern == "steady":
                entry.update(hours=4.0, energy=4, burnout=1)
            elif pattern == "stuck":
                if week in (5, 6):
                    entry["blockers"] = "Waiting on review of my ticket; not sure how to write the test."
            elif pattern == "wants_one_to_one":
                entry["wants"] = week == WEEKS
            elif week in (3, 6) and rng.random() < 0.3:
                entry = None  # an occasional missed week, never two in a row
            plan.append(entry)
        return plan

    def checkins(self, cohort: list[dict], start: date, planted: dict[str, list[str]], bad_row: bool):
        rows, one_to_ones = [], []
        for index, p in enumerate(cohort):
            pattern = PATTERNS[index % 18] if index % 18 < len(PATTERNS) else None
            if pattern:
                planted.setdefault(pattern, []).append(p["email"])
            for week, entry in enumerate(self.weekly_plan(pattern), start=1):
                if entry is None:
                    continue
                moment = datetime.combine(week_start(start, week) + timedelta(days=5), datetime.min.time()) + timedelta(
                    minutes=self.rng.randint(8 * 60, 22 * 60)
                )
                met_captain = week % 2 == 0
                prs_opened = int(self.rng.random() < 0.25 + 0.05 * week)
                hours_text = _hours_text(self.rng, entry["hours"]) if pattern is None else f"{entry['hours']:g}"
                if bad_row and index == 7 and week == 2:
                    hours_text = "a lot"  # one bad answer, shown on the Data page with its reason
                answers = {
                    "submitted_at": _stamp(moment),
                    "email": p["email"],
                    "week": f"Week {week}",
                    "hours": hours_text,
                    "energy": str(entry["energy"]),
                    "burnout": str(entry["burnout"]),
                    "blockers": entry["blockers"],
                    "attended_standup": "TRUE" if self.rng.random() < 0.85 else "FALSE",
                    "met_captain": "TRUE" if met_captain else "FALSE",
                    "prs_opened": str(prs_opened),
                    "prs_merged": str(int(prs_opened and self.rng.random() < 0.6)),
                    "review_comments": str(self.rng.choice([0, 0, 1, 2, 3, 5])),
                    "tickets_progressed": str(int(self.rng.random() < 0.3)),
                    "wants_one_to_one": "Yes" if entry["wants"] else "No",
                    "notes": "Feeling stretched with work deadlines."
                    if entry["burnout"] >= 3
                    else ("<img src=x onerror=alert(1)> all good" if index == 5 and week == 1 else ""),
                }
                answers["tickets_closed"] = str(
                    int(answers["tickets_progressed"] == "1" and self.closing_rng.random() < 0.4)
                )
                rows.append({CHECKIN_QUESTIONS[k]: v for k, v in answers.items()})
                if met_captain:
                    one_to_ones.append(
                        {
                            "email": p["email"],
                            "captain": p["captain"],
                            "held_on": week_start(start, week) + timedelta(days=3),
                            "note": "Regular one-to-one.",
                        }
                    )
        return pd.DataFrame(rows), one_to_ones

    def surveys(self, cohort: list[dict], start: date, skip: set[str]) -> pd.DataFrame:
        rows = []
        for p in cohort:
            stages = [
                ("Start", 0, self.rng.choice([1, 2, 2, 3, 3])),
                ("End", WEEKS * 7, self.rng.choice([3, 4, 4, 5, 5])),
            ]
            for stage, day, confidence in stages:
                if stage == "End" and p["email"] in skip:
                    continue
                moment = datetime.combine(start + timedelta(days=day), datetime.min.time()) + timedelta(
                    hours=self.rng.randint(9, 20)
                )
                rows.append(
                    {
                        SURVEY_QUESTIONS["submitted_at"]: _stamp(moment),
                        SURVEY_QUESTIONS["email"]: p["email"],
                        SURVEY_QUESTIONS["stage"]: stage,
                        SURVEY_QUESTIONS["confidence"]: str(confidence),
                        SURVEY_QUESTIONS["comfortable_contributing"]: ""
                        if stage == "Start"
                        else self.rng.choice(["Yes", "Yes", "Yes", "No"]),
                        SURVEY_QUESTIONS["free_text"]: self.rng.choice(["", "Loved my team.", "More pairing please."]),
                    }
                )
        return pd.DataFrame(rows)


def generate(seed: int = 42, scale: int = 1, settings: Settings | None = None) -> DemoData:
    """The demo program's raw tables; the same seed and scale always give the same data."""
    gen = _Generator(seed, scale)
    criteria = load_criteria(settings or Settings())
    data = DemoData()
    for name, start, n_apps, n_accepted in PAST_SESSIONS:
        # Past sessions' forms asked with time ranges as the grid's rows, the current one with days.
        apps, applicants = gen.applications(n_apps * gen.scale, start, hostile=False, grid_by_time=True)
        cohort, decisions, teams, people = gen.cohort(
            applicants, n_accepted * gen.scale, max(1, n_accepted // 3) * gen.scale, start
        )
        data.sessions.append(
            {
                "name": name,
                "start_date": start,
                "tables": {
                    "applications": apps,
                    "decisions": decisions,
                    "teams": teams,
                    "people": people,
                    "surveys": gen.surveys(cohort, start, skip=set()),
                },
            }
        )
    previous, previous_cohort = data.sessions[-1], cohort
    name, start = CURRENT_SESSION
    apps, applicants = gen.applications(90 * gen.scale, start, hostile=True)
    reviews = gen.reviews([a for a in applicants], criteria, start)
    cohort, decisions, teams, people = gen.cohort(applicants, 18 * gen.scale, 6 * gen.scale, start)
    checkins, data.one_to_ones = gen.checkins(cohort, start, data.planted, bad_row=True)
    surveys = gen.surveys(cohort, start, skip=set(data.planted.get("drifting", [])))
    data.sessions.append(
        {
            "name": name,
            "start_date": start,
            "tables": {
                "applications": apps,
                "reviews": reviews,
                "decisions": decisions,
                "teams": teams,
                "people": people,
                "checkins": checkins,
                "surveys": surveys,
            },
        }
    )
    # The previous session has check-ins too, so sessions can be compared week by week. Drawn
    # last, so that everything above (and every figure the tests rely on) stays as it was.
    checkins, _ = gen.checkins(previous_cohort, previous["start_date"], {}, bad_row=False)
    left = (checkins[CHECKIN_QUESTIONS["email"]] == previous_cohort[-1]["email"]) & checkins[
        CHECKIN_QUESTIONS["week"]
    ].isin(["Week 6", "Week 7", "Week 8"])
    previous["tables"]["checkins"] = checkins[~left].reset_index(drop=True)  # one more left after week 5 then
    return data


SHEET_NAMES = {
    "applications": "Form Responses 1",
    "checkins": "Check-ins",
    "surveys": "Surveys",
    "reviews": "Scores",
    "decisions": "Decisions",
    "teams": "Teams",
    "people": "People",
}


def build(url: str, settings: Settings, seed: int = 42, scale: int = 1, actor: str | None = None) -> DemoData:
    """Create the demo sessions in the database through the normal (audited) import path."""
    data = generate(seed, scale, settings)
    dbmod.migrate(url)
    actor = actor or audit.cli_actor()
    source = f"demo (seed {seed}, scale {scale})"
    for session in data.sessions:
        with dbmod.write(
            url, actor=actor, action="demo_built", subject=session["name"], detail="session created"
        ) as change:
            if change.db.scalar(select(models.Session).where(models.Session.name == session["name"])) is None:
                change.session_id = create_session(
                    change.db,
                    settings,
                    session["name"],
                    start_date=session["start_date"],
                    weeks=WEEKS,
                    expected_hours=EXPECTED_HOURS,
                ).id
        order = ("people", "teams", "applications", "reviews", "decisions", "checkins", "surveys")
        inputs = [TableInput(t, session["tables"][t], SHEET_NAMES[t]) for t in order if t in session["tables"]]
        import_tables(
            url, demo_settings(settings), inputs, source=source, kind="demo", session_name=session["name"], actor=actor
        )
    with dbmod.write(
        url, actor=actor, action="demo_built", subject=CURRENT_SESSION[0], detail=f"{len(data.one_to_ones)} one-to-ones"
    ) as change:
        current = change.db.scalar(select(models.Session).where(models.Session.name == CURRENT_SESSION[0]))
        change.session_id = current.id
        for entry in data.one_to_ones:
            change.db.add(models.OneToOne(session_id=current.id, **entry))
    return data


def demo_settings(settings: Settings) -> Settings:
    """The user's settings with the demo forms' mapping and locale (their own forms may differ)."""
    return with_overrides(settings, mapping=demo_mapping(), **{"import": {"date_order": "MDY", "timezone": "UTC"}})


def demo_mapping() -> dict[str, dict[str, str]]:
    """The demo forms' question text -> canonical field (the same as dashboard.example.toml)."""
    apps = {q: f for f, q in APPLICATION_QUESTIONS.items()}
    apps[AVAILABILITY_QUESTION] = "availability[]"
    return {
        "applications": apps,
        "checkins": {q: f for f, q in CHECKIN_QUESTIONS.items()},
        "surveys": {q: f for f, q in SURVEY_QUESTIONS.items()},
    }
